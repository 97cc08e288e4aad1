import { cp, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import {
  type JsonObject,
  fixtureOf,
  hasStackTrace,
  manyCases,
  parseJsonl,
  readState,
  retryableCase,
  runArgs,
  runCli,
  snapshotFiles,
  suiteDir,
  tempDir,
} from "./reliability-helpers";

// behavior.md §5: a corrupt state.json is quarantined with a warning and the cycle starts fresh,
// nothing deleted; readers of the events log count bad lines and never fail on them.
const CASES = 40;

type Corruption = [label: string, corrupt: (valid: JsonObject, bytes: Buffer) => Buffer | string];

const STATE_CORRUPTIONS: Corruption[] = [
  ["truncated mid-file", (_, bytes) => bytes.subarray(0, Math.floor(bytes.length / 2))],
  ["truncated to one byte", (_, bytes) => bytes.subarray(0, 1)],
  ["zero bytes", () => ""],
  ["not JSON", () => "this is not json\n"],
  ["binary garbage with invalid UTF-8", () => Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b, 0x0a])],
  ["JSON null", () => "null\n"],
  ["a JSON array", () => "[]\n"],
  ["a foreign schema version", (valid) => JSON.stringify({ ...valid, schema_version: 2 })],
  ["schema_version as a string", (valid) => JSON.stringify({ ...valid, schema_version: "1" })],
  ["processed_case_keys as a string", (valid) => JSON.stringify({ ...valid, processed_case_keys: "GET:/x:y" })],
  ["a processed key that is a number", (valid) => JSON.stringify({ ...valid, processed_case_keys: [...(valid.processed_case_keys as string[]), 7] })],
  ["a request whose status_code is a string", (valid) => {
    const requests = structuredClone(valid.requests as JsonObject[]);
    (requests[0] as JsonObject).status_code = "200";
    return JSON.stringify({ ...valid, requests });
  }],
  ["health as an array", (valid) => JSON.stringify({ ...valid, health: [] })],
  ["a negative failure streak", (valid) => JSON.stringify({ ...valid, health: { ...(valid.health as JsonObject), failure_streak: -1 } })],
  // Once rewritten with U+FFFD, "bob\xff" and "bob\xfe" would become one actor: corrupt, not "repaired".
  ["invalid UTF-8 inside an otherwise valid state", (valid) => {
    const text = JSON.stringify(valid);
    const at = text.indexOf('"actor_id":"') + '"actor_id":"'.length;
    return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0x62, 0x6f, 0x62, 0xff]), Buffer.from(text.slice(at))]);
  }],
  ["an unknown gate", (valid) => JSON.stringify({ ...valid, guardrail: { ...(valid.guardrail as JsonObject), gate: "maybe" } })],
];

// The reason quotes what JSON.parse saw, which may hold line breaks: hence the s flag.
const QUARANTINE = /^warning: (.+\/state\.json) is (.+); moved it to (\1\.corrupt-\d+(?:-\d+)?) and started from a fresh state\n$/s;

describe("corrupt files (behavior.md §5)", () => {
  let work: { dir: string; remove(): Promise<void> };
  let fixture: string;
  let processedCount: number;
  /** A state dir after two cycles (a failure streak, logs, two event lines), copied per test. */
  let template: string;

  beforeAll(async () => {
    work = await suiteDir("tau-corrupt-");
    fixture = join(work.dir, "fixture.json");
    // A retryable case too, so the state carries a failure streak worth losing.
    await writeFile(fixture, JSON.stringify(fixtureOf("corrupt", [...manyCases(CASES), retryableCase("zz-retryable")])));
    processedCount = CASES;
    template = join(work.dir, "template");
    for (let n = 0; n < 2; n++) expect((await runCli(runArgs(fixture, template))).code).toBe(0);
  }, 30_000);
  afterAll(async () => {
    await work?.remove();
  });

  /** A fresh copy of the template state dir. */
  async function twoCycles(): Promise<string> {
    const stateDir = join(await tempDir(), "state");
    await cp(template, stateDir, { recursive: true });
    return stateDir;
  }

  describe("state.json", () => {
    it.each(STATE_CORRUPTIONS)("%s: quarantined with a warning, fresh start, nothing deleted", async (_label, corrupt) => {
      const stateDir = await twoCycles();
      const statePath = join(stateDir, "state.json");
      const validBytes = await readFile(statePath);
      const bad = corrupt(JSON.parse(validBytes.toString("utf8")) as JsonObject, validBytes);
      await writeFile(statePath, bad);
      const before = await snapshotFiles(stateDir);

      // Inspecting never moves anything: it says what is wrong and what the next cycle will do.
      const status = await runCli(["status", "--gateway-state-dir", stateDir]);
      expect(status.code).toBe(1);
      expect(status.stderr).toMatch(/state\.json is .+; the next contract-runner cycle moves it aside/s);
      expect(hasStackTrace(status.stderr)).toBe(false);
      expect(await snapshotFiles(stateDir)).toEqual(before);

      const run = await runCli(runArgs(fixture, stateDir));
      expect(run.code, run.stderr).toBe(0);
      const warning = QUARANTINE.exec(run.stderr);
      expect(warning, run.stderr).not.toBeNull();
      expect(warning?.[1]).toBe(statePath);
      // The quarantined file holds exactly the bad bytes.
      expect((await readFile(warning?.[3] as string)).equals(Buffer.from(bad))).toBe(true);

      // Nothing deleted: every earlier file is still there, logs only grew. last-cycle.jsonl is
      // no log: it is replaced by every cycle (it holds the last cycle's cases), so it only has to be there.
      const after = await snapshotFiles(stateDir);
      for (const [file, bytes] of before) {
        if (file === "state.json") continue;
        if (file === "last-cycle.jsonl") {
          expect(after.has(file), file).toBe(true);
          continue;
        }
        expect(after.get(file)?.subarray(0, bytes.length).equals(bytes) || file.endsWith("MEMORY.md"), file).toBe(true);
      }
      // A fresh start: the cycle ran every case again and its streak starts over.
      const state = await readState(stateDir);
      expect((state.processed_case_keys as string[]).length).toBe(processedCount);
      expect((state.health as JsonObject).failure_streak).toBe(1);

      // The next run reads the new state without complaint.
      const next = await runCli(runArgs(fixture, stateDir));
      expect(next.code).toBe(0);
      expect(next.stderr).toBe("");
    }, 30_000);

    it("never overwrites an earlier quarantined file", async () => {
      const stateDir = await twoCycles();
      const statePath = join(stateDir, "state.json");
      const quarantined: string[] = [];
      for (let n = 0; n < 3; n++) {
        await writeFile(statePath, `corrupt ${n}`);
        const run = await runCli(runArgs(fixture, stateDir));
        expect(run.code).toBe(0);
        quarantined.push(QUARANTINE.exec(run.stderr)?.[3] as string);
      }
      expect(new Set(quarantined).size).toBe(3);
      for (const [n, path] of quarantined.entries()) expect(await readFile(path, "utf8")).toBe(`corrupt ${n}`);
      expect((await readdir(stateDir)).filter((f) => f.startsWith("state.json.corrupt-")).length).toBe(3);
    }, 30_000);
  });

  describe("runtime-events.jsonl", () => {
    /** Rewrites the events log; `L` is a real cycle line from this state dir. */
    async function withEvents(build: (line: string) => (string | Buffer)[]): Promise<{ stateDir: string; bytes: Buffer }> {
      const stateDir = await twoCycles();
      const eventsPath = join(stateDir, "runtime-events.jsonl");
      const line = (await readFile(eventsPath, "utf8")).split("\n")[0] as string;
      const bytes = Buffer.concat(build(line).map((piece) => (typeof piece === "string" ? Buffer.from(piece) : piece)));
      await writeFile(eventsPath, bytes);
      return { stateDir, bytes };
    }

    const EVENT_LOGS: [label: string, build: (line: string) => (string | Buffer)[], valid: number, invalid: number][] = [
      ["garbage lines between records", (l) => [`${l}\n`, "garbage\n", "{\n", `${l}\n`, "[1,2\n", "\n", "   \n", `${l}\r\n`, "}{\n"], 3, 4],
      ["JSON that is not a cycle record", (l) => [`${l}\n`, "42\n", '"text"\n', "null\n", "[]\n"], 1, 4],
      ["a torn last line", (l) => [`${l}\n`, `${l}\n`, l.slice(0, 25)], 2, 1],
      ["zero bytes", () => [""], 0, 0],
      ["invalid UTF-8", (l) => [Buffer.from([0xff, 0xfe, 0x0a]), Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]), `${l}\n`], 1, 2],
      ["NUL bytes and a 3 MiB garbage line", (l) => ["\u0000\u0000\u0000\n", `${"x".repeat(3 * 1024 * 1024)}\n`, `${l}\n`], 1, 2],
      ["only garbage", () => ["not\n", "json\n", "{{{"], 0, 3],
    ];

    it.each(EVENT_LOGS)("%s: status inspect counts the bad lines and never fails", async (_label, build, valid, invalid) => {
      const { stateDir } = await withEvents(build);
      const json = await runCli(["status", "--json", "--gateway-state-dir", stateDir]);
      expect(json.code, json.stderr).toBe(0);
      const report = JSON.parse(json.stdout) as JsonObject;
      expect(report.events_log_present).toBe(true);
      expect(report.cycle_reports).toBe(valid);
      expect(report.invalid_cycle_reports).toBe(invalid);
      const text = await runCli(["status", "--gateway-state-dir", stateDir]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain(`invalid_cycle_reports=${invalid}`);
      expect(hasStackTrace(json.stderr + text.stderr)).toBe(false);

      // The runner appends on a fresh line after any damage; the bad lines stay where they were.
      const eventsPath = join(stateDir, "runtime-events.jsonl");
      const damaged = await readFile(eventsPath);
      expect((await runCli(runArgs(fixture, stateDir))).code).toBe(0);
      const grown = await readFile(eventsPath);
      expect(grown.subarray(0, damaged.length).equals(damaged)).toBe(true);
      const after = JSON.parse((await runCli(["status", "--json", "--gateway-state-dir", stateDir])).stdout) as JsonObject;
      expect(after.cycle_reports).toBe(valid + 1);
      expect(after.invalid_cycle_reports).toBe(invalid);
      expect(parseJsonl(grown).values.length).toBeGreaterThanOrEqual(valid + 1);
    }, 30_000);
  });

  describe("channel-store logs", () => {
    it("inspect counts garbage, torn and invalid UTF-8 lines; repair moves them aside and keeps the rest", async () => {
      const stateDir = await twoCycles();
      const logPath = join(stateDir, "channel-store", "gateway", "ops-bot", "log.jsonl");
      const good = await readFile(logPath);
      const records = parseJsonl(good).values.length;
      const bad = Buffer.concat([Buffer.from("garbage\n"), Buffer.from([0xff, 0x0a]), Buffer.from('{"torn":')]);
      await writeFile(logPath, Buffer.concat([good, bad]));
      const inspect = async () => {
        const result = await runCli(["channel-store", "inspect", "gateway/ops-bot", "--json", "--gateway-state-dir", stateDir]);
        expect(result.code, result.stderr).toBe(0);
        return JSON.parse(result.stdout) as JsonObject;
      };
      expect(await inspect()).toMatchObject({ log_records: records, invalid_log_lines: 3 });

      // The runner still appends whole records after the torn line (the retryable case is ops-bot's).
      expect((await runCli(runArgs(fixture, stateDir))).code).toBe(0);
      expect(await inspect()).toMatchObject({ log_records: records + 1, invalid_log_lines: 3 });

      const repair = await runCli(["channel-store", "repair", "gateway/ops-bot", "--json", "--gateway-state-dir", stateDir]);
      expect(repair.code, repair.stderr).toBe(0);
      const report = JSON.parse(repair.stdout) as { log: { kept: number; moved: number; corrupt_path: string } };
      expect(report.log).toMatchObject({ kept: records + 1, moved: 3 });
      expect(await readFile(report.log.corrupt_path, "latin1")).toBe(Buffer.from("garbage\n\xff\n{\"torn\":\n", "latin1").toString("latin1"));
      expect(await inspect()).toMatchObject({ log_records: records + 1, invalid_log_lines: 0 });
    }, 30_000);
  });
});
