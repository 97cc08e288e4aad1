import { spawnSync } from "node:child_process";
import { lstat, mkdir, readdir, readFile, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { printableText } from "@tau/gateway";
import { describe, expect, it } from "vitest";
import {
  type JsonObject,
  fixtureOf,
  listFiles,
  mountTmpfs,
  parseJsonl,
  runArgs,
  runCli,
  runInProcess,
  scaled,
  SEED,
  successCase,
  tempDir,
  tmpfsSupport,
} from "./reliability-helpers";

// behavior.md §6: every actor gets its own directory inside the state dir, whatever its id,
// and no two ids ever share one, on case-insensitive or normalising file systems too.
const PROPERTY_RUNS = scaled(100, 2_000);

const HOSTILE_IDS = [
  "..", ".", "a/b", "a_b", "a\\b", "a\u0000b", "../../escape", "/etc/passwd", "C:\\temp", "a:b", "a*b?", "a|b",
  "x".repeat(1000), `${"x".repeat(999)}y`,
  "\u00e9t\u00e9", "e\u0301te\u0301", "\u212b", "\u00c5", "A\u030a", "\ufb01", "fi",
  "Ops", "ops", "OPS", "oPs", "STRASSE", "stra\u00dfe",
  "con", "CON", "nul.txt", "a.", "a ", ".hidden", "~7e", "~", "-", "\ud800", "\udc00x", "😀", "tab\there", "line\nbreak",
];
// ` ops ` and `ops` are one actor (ids are trimmed), so these two share a directory on purpose.
const PADDED_TWIN = "  ops-team\t";
const TWIN = "ops-team";

/** Text as a UTF-8 file holds it: a lone surrogate has no UTF-8 form and becomes U+FFFD. */
// What MEMORY.md's heading shows of an id: as written to UTF-8, control characters escaped.
const inUtf8 = (text: string) => printableText(Buffer.from(text, "utf8").toString("utf8"));

interface ActorDir {
  name: string;
  caseIds: Set<string>;
  memoryHeader: string;
}

async function actorDirs(stateDir: string): Promise<ActorDir[]> {
  const root = join(stateDir, "channel-store", "gateway");
  const out: ActorDir[] = [];
  for (const name of await readdir(root)) {
    const log = parseJsonl(await readFile(join(root, name, "log.jsonl")));
    expect(log.invalid).toBe(0);
    const caseIds = new Set(log.values.map((v) => ((v as JsonObject).payload as JsonObject).case_id as string));
    const memory = await readFile(join(root, name, "MEMORY.md"), "utf8");
    out.push({ name, caseIds, memoryHeader: memory.slice(0, memory.indexOf(")\n\n") + 1) });
  }
  return out;
}

/** Ways a file system may fold two names into one. */
const FOLDS: ((name: string) => string)[] = [
  (n) => n.toLowerCase(),
  (n) => n.toUpperCase(),
  (n) => n.normalize("NFC").toLowerCase(),
  (n) => n.normalize("NFD").toLowerCase(),
  (n) => n.normalize("NFKC").toLowerCase(),
  (n) => n.normalize("NFKD").toUpperCase(),
];

function expectPortableAndDistinct(names: readonly string[]): void {
  for (const name of names) {
    // One path segment that every common file system stores as written.
    expect(name).toMatch(/^[\x21-\x7e]+$/);
    expect(name).not.toMatch(/[<>:"/\\|?*]/);
    expect(name).not.toMatch(/[. ]$/);
    expect(name).not.toMatch(/^\.\.?$/);
    expect(name.split(".")[0]?.toLowerCase()).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
  }
  for (const fold of FOLDS) expect(new Set(names.map(fold)).size).toBe(names.length);
}

describe("hostile actor ids (behavior.md §6)", () => {
  function fixtureFor(ids: readonly string[]) {
    return fixtureOf(
      "actors",
      ids.map((id, n) => successCase(`case-${n}`, { endpoint: `/v1/actors/${n}`, actorId: id })),
    );
  }

  it("gives every id its own directory inside the state dir, and nothing outside it", async () => {
    const workspace = await tempDir();
    const ids = [...HOSTILE_IDS, PADDED_TWIN, TWIN];
    const fixture = join(workspace, "actors.json");
    await writeFile(fixture, JSON.stringify(fixtureFor(ids)));
    const stateDir = join(workspace, "state");
    const result = await runCli(runArgs(fixture, stateDir));
    expect(result.code, result.stderr).toBe(0);

    // Nothing escaped: every file is one of the known files of the state dir.
    expect((await listFiles(workspace)).filter((f) => !f.startsWith("state/"))).toEqual(["actors.json"]);
    for (const file of await listFiles(stateDir)) {
      expect(file).toMatch(/^(state\.json|runtime-events\.jsonl|last-cycle\.jsonl|channel-store\/gateway\/[^/]+\/(log\.jsonl|context\.jsonl|MEMORY\.md))$/);
    }
    const root = await realpath(join(stateDir, "channel-store", "gateway"));
    const dirs = await actorDirs(stateDir);
    for (const dir of dirs) {
      expect((await lstat(join(root, dir.name))).isDirectory()).toBe(true);
      expect(await realpath(join(root, dir.name))).toBe(join(root, dir.name));
    }

    // One directory per trimmed id, holding exactly that actor's cases.
    const distinct = [...new Set(ids.map((id) => id.trim()))];
    expect(dirs.length).toBe(distinct.length);
    for (const actor of distinct) {
      const caseIds = new Set(ids.flatMap((id, n) => (id.trim() === actor ? [`case-${n}`] : [])));
      const owners = dirs.filter((dir) => [...caseIds].every((c) => dir.caseIds.has(c)));
      expect(owners.length, JSON.stringify(actor)).toBe(1);
      expect(owners[0]?.caseIds).toEqual(caseIds);
      expect(owners[0]?.memoryHeader).toBe(`# Tau Gateway Snapshot (${inUtf8(actor)})`);
    }
    expectPortableAndDistinct(dirs.map((dir) => dir.name));

    // The operator can inspect each of them by its id: in-process for all (argv of a real process
    // cannot carry NUL or a lone surrogate), and through the real binary for a few.
    for (const actor of distinct) {
      const inspect = await runInProcess(["channel-store", "inspect", `gateway/${actor}`, "--json", "--gateway-state-dir", stateDir]);
      expect(inspect.code, inspect.stderr).toBe(0);
      const report = JSON.parse(inspect.stdout) as JsonObject;
      expect(report.log_records, JSON.stringify(actor)).toBe(ids.filter((id) => id.trim() === actor).length);
      expect(report.invalid_log_lines).toBe(0);
      expect(report.memory_exists).toBe(true);
    }
    for (const actor of ["..", "a/b", "Ops", "e\u0301te\u0301"]) {
      const inspect = await runCli(["channel-store", "inspect", `gateway/${actor}`, "--json", "--gateway-state-dir", stateDir]);
      expect(inspect.code, inspect.stderr).toBe(0);
      expect((JSON.parse(inspect.stdout) as JsonObject).log_records).toBe(1);
    }
  }, 60_000);

  it(`keeps random ids and their case and normalisation variants apart (${PROPERTY_RUNS} runs)`, async () => {
    const workspace = await tempDir();
    const base = fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 12 }), fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }), fc.constantFrom(...HOSTILE_IDS));
    const withVariants = fc
      .uniqueArray(base, { minLength: 1, maxLength: 6 })
      .map((ids) => ids.flatMap((id) => [id, id.toUpperCase(), id.toLowerCase(), id.normalize("NFC"), id.normalize("NFD"), id.normalize("NFKC")]))
      .map((ids) => [...new Set(ids.map((id) => id.trim()))].filter((id) => id.length > 0));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(withVariants.filter((ids) => ids.length > 0), async (ids) => {
        run += 1;
        const fixture = join(workspace, `actors-${run}.json`);
        const stateDir = join(workspace, `state-${run}`);
        await writeFile(fixture, JSON.stringify(fixtureFor(ids)));
        const result = await runInProcess(runArgs(fixture, stateDir, ["--gateway-queue-limit", "1000"]));
        expect(result.code, result.stderr).toBe(0);
        const dirs = await actorDirs(stateDir);
        expect(dirs.length).toBe(ids.length);
        for (const [n, id] of ids.entries()) {
          const owners = dirs.filter((dir) => dir.caseIds.has(`case-${n}`));
          expect(owners.length).toBe(1);
          expect(owners[0]?.caseIds.size).toBe(1);
          expect(owners[0]?.memoryHeader).toBe(`# Tau Gateway Snapshot (${inUtf8(id)})`);
        }
        expectPortableAndDistinct(dirs.map((dir) => dir.name));
      }),
      { numRuns: PROPERTY_RUNS, seed: SEED, endOnFailure: true },
    );
  }, scaled(120_000, 1_800_000));

  it("keeps case variants apart on a real case-insensitive file system", async (context) => {
    const support = await tmpfsSupport();
    if (!support.ok) context.skip(support.reason);
    const workspace = await tempDir();
    const mountPoint = join(workspace, "casefold");
    await mkdir(mountPoint);
    // tmpfs folds case when the kernel has CONFIG_UNICODE (Linux 6.13+); directories marked +F
    // (new ones inherit it) then compare names case-insensitively.
    try {
      mountTmpfs(mountPoint, 16 * 1024 * 1024, "casefold");
    } catch (error) {
      context.skip(`no case-insensitive file system can be mounted here (${(error as Error).message}); the folding checks above cover it`);
      return;
    }
    spawnSync("chattr", ["+F", mountPoint]);
    const ids = ["Ops", "ops", "OPS", "\u00e9", "e\u0301", "STRASSE", "stra\u00dfe", "a/b", "a_b"];
    const fixture = join(workspace, "actors.json");
    await writeFile(fixture, JSON.stringify(fixtureFor(ids)));
    const stateDir = join(mountPoint, "state");
    const result = await runCli(runArgs(fixture, stateDir));
    expect(result.code, result.stderr).toBe(0);
    const dirs = await actorDirs(stateDir);
    expect(dirs.length).toBe(ids.length);
    for (const dir of dirs) expect(dir.caseIds.size).toBe(1);
  }, 60_000);
});
