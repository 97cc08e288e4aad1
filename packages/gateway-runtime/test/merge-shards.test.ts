import { mkdir, readdir, readFile, rm, stat, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GatewayRuntime, gatewayStateSchema, mergeShards, readGatewayStatus, readLastCycle } from "../src";
import { fixtureOf, retryableCase, successCase, unsupportedMethodCase } from "./helpers/fixtures";
import { manualClock, readJsonLines, readStateJson } from "./helpers/runtime";
import { shardSet, sourceOf } from "./helpers/shards";
import { makeTempDir } from "./helpers/temp-dir";

const cases = [
  ...Array.from({ length: 12 }, (_, i) => successCase(`ok-${i}`)),
  unsupportedMethodCase("trace-1"),
  successCase('quote"and\\slash', { actor_id: "é-bot" }),
  successCase("漢字-😀", { method: "post", endpoint: "/v1/tasks" }),
];
const fixture = fixtureOf(cases);

async function runShard(dir: string, index: number, count: number, options: { sha?: string; queueLimit?: number } = {}) {
  const runtime = await GatewayRuntime.open({ stateDir: dir, onWarning: () => undefined, settings: { queueLimit: options.queueLimit ?? 64 } });
  try {
    return await runtime.runCycle(fixture, { provenance: { fixtures: sourceOf(options.sha), shard: { index, count } } });
  } finally {
    await runtime.close();
  }
}

async function threeShards() {
  const root = await makeTempDir();
  const dirs = [1, 2, 3].map((i) => join(root, `shard-${i}`));
  for (const [i, dir] of dirs.entries()) await runShard(dir, i + 1, 3);
  return { root, dirs, merged: join(root, "merged") };
}

const refusal = (pattern: RegExp) => expect.objectContaining({ code: "E_SHARDS_NOT_MERGEABLE", message: expect.stringMatching(pattern) });

describe("mergeShards", { timeout: 60_000 }, () => {
  it("records one cycle whose state.json is valid, sorted and holds every shard's records", async () => {
    const { dirs, merged } = await threeShards();
    const report = await mergeShards({ stateDir: merged, shardDirs: [dirs[2]!, dirs[0]!, dirs[1]!] });

    expect(report.shards.map((s) => s.index)).toEqual([1, 2, 3]);
    expect(report.summary).toMatchObject({ discovered_cases: 15, applied_cases: 14, malformed_cases: 1 });
    expect(report.gate).toEqual({ gate: "hold", reason_code: "malformed_input_observed" });
    const state = gatewayStateSchema.parse(await readStateJson(merged));
    const keys = state.requests.map((r) => r.case_key);
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(keys).toContain('GET:/v1/tasks/quote"and\\slash:quote"and\\slash');
    expect(keys).toContain("POST:/v1/tasks:漢字-😀");
    expect(state.requests).toHaveLength(14);
    expect(state.processed_case_keys).toHaveLength(15);
    expect(state.last_cycle).toMatchObject({ shard: null, fixture_sha256: sourceOf()[0]!.sha256 });
    const events = await readJsonLines(join(merged, "runtime-events.jsonl"));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ shard: null, discovered_cases: 15, rollout_gate: "hold" });
    expect((await readGatewayStatus(merged)).request_count).toBe(14);
  });

  it("streams a merged state.json larger than one write chunk (1 MiB) and equal to one run's", async () => {
    // Long endpoints make the processed keys alone more than a chunk: the head of the file.
    const long = fixtureOf(Array.from({ length: 1500 }, (_, i) => successCase(`case-${i}`, { endpoint: `/v1/${"x".repeat(700)}/${i}` })));
    const root = await makeTempDir();
    const dirs = [1, 2, 3].map((i) => join(root, `s${i}`));
    const settings = { queueLimit: 1500, processedCaseCap: 1500 };
    for (const [i, stateDir] of dirs.entries()) {
      const runtime = await GatewayRuntime.open({ stateDir, onWarning: () => undefined, settings });
      await runtime.runCycle(long, { provenance: { fixtures: sourceOf(), shard: { index: i + 1, count: 3 } } });
      await runtime.close();
    }
    const whole = await GatewayRuntime.open({ stateDir: join(root, "whole"), onWarning: () => undefined, settings });
    await whole.runCycle(long, { provenance: { fixtures: sourceOf() } });
    await whole.close();
    await mergeShards({ stateDir: join(root, "merged"), shardDirs: dirs });

    expect((await stat(join(root, "merged", "state.json"))).size).toBeGreaterThan(3 * 1024 * 1024);
    const merged = gatewayStateSchema.parse(await readStateJson(join(root, "merged")));
    const one = gatewayStateSchema.parse(await readStateJson(join(root, "whole")));
    const untimed = (records: typeof one.requests) => records.map(({ updated_unix_ms: _t, ...r }) => r);
    expect(untimed(merged.requests)).toEqual(untimed(one.requests));
    expect(new Set(merged.processed_case_keys)).toEqual(new Set(one.processed_case_keys));
  });

  it("only reads the shard dirs: no lock, no write, and works while their runners hold them", async () => {
    const { dirs, merged } = await threeShards();
    const before = await Promise.all(dirs.map(async (d) => [await readdir(d), (await stat(join(d, "state.json"))).mtimeMs]));
    const held = await Promise.all(dirs.map((stateDir) => GatewayRuntime.open({ stateDir, onWarning: () => undefined })));
    try {
      await mergeShards({ stateDir: merged, shardDirs: dirs });
    } finally {
      await Promise.all(held.map((r) => r.close()));
    }
    const after = await Promise.all(dirs.map(async (d) => [await readdir(d), (await stat(join(d, "state.json"))).mtimeMs]));
    expect(after).toEqual(before);
  });

  it("takes the merged dir's lock: E_STATE_LOCKED while another runner holds it", async () => {
    const { dirs, merged } = await threeShards();
    const holder = await GatewayRuntime.open({ stateDir: merged, onWarning: () => undefined });
    try {
      await expect(mergeShards({ stateDir: merged, shardDirs: dirs })).rejects.toMatchObject({ code: "E_STATE_LOCKED" });
    } finally {
      await holder.close();
    }
    await expect(mergeShards({ stateDir: merged, shardDirs: dirs })).resolves.toMatchObject({ aborted: false });
  });

  it("moves a merged state.json it cannot use aside with a warning and starts that dir fresh, as run does", async () => {
    const { dirs, merged } = await threeShards();
    await mergeShards({ stateDir: merged, shardDirs: dirs });
    await writeFile(join(merged, "state.json"), '{"schema_version":1,"requests":[{"case_key":');
    const warnings: string[] = [];
    const report = await mergeShards({ stateDir: merged, shardDirs: dirs, onWarning: (m) => warnings.push(m) });
    expect(warnings.join("\n")).toMatch(/moved it to .*state\.json\.corrupt-/);
    expect((await readdir(merged)).some((name) => name.startsWith("state.json.corrupt-"))).toBe(true);
    expect(report.requestCount).toBe(14);
    expect(gatewayStateSchema.parse(await readStateJson(merged)).requests).toHaveLength(14);
  });

  it("keeps its own failure-streak history across merges", async () => {
    const clock = manualClock();
    const split = await shardSet({ count: 2, clock: clock.clock, settings: { retryMaxAttempts: 1 } });
    const failing = fixtureOf([successCase("a"), retryableCase("down")]);
    try {
      clock.now += 1000;
      const first = await split.cycle(failing);
      clock.now += 1000;
      const second = await split.cycle(failing);
      expect(first.merged.health.failure_streak).toBe(1);
      expect(second.merged.health.failure_streak).toBe(2);
      expect(second.merged.gate).toEqual({ gate: "hold", reason_code: "failure_streak_threshold_exceeded" });
      // Each shard dir has its own streak; only the one holding the failing case reached 2.
      expect(second.shards.map((r) => r.health.failure_streak).sort()).toEqual([0, 2]);
    } finally {
      await split.close();
    }
  });

  it("counts the shards' drift and holds on it", async () => {
    const clock = manualClock();
    const split = await shardSet({ count: 2, clock: clock.clock });
    try {
      const { merged } = await split.cycle(fixtureOf([successCase("a"), successCase("b", {}, { status_code: 299 })]));
      expect(merged.summary.contract_drift_cases).toBe(1);
      expect(merged.reasonCodes).toContain("contract_drift_detected");
      expect(merged.gate).toEqual({ gate: "hold", reason_code: "contract_drift_detected" });
    } finally {
      await split.close();
    }
  });

  it("applies the processed-case cap to the united keys", async () => {
    const root = await makeTempDir();
    const dirs = [join(root, "s1"), join(root, "s2")];
    for (const [i, stateDir] of dirs.entries()) {
      const runtime = await GatewayRuntime.open({ stateDir, onWarning: () => undefined, settings: { processedCaseCap: 4 } });
      await runtime.runCycle(fixture, { provenance: { fixtures: sourceOf(), shard: { index: i + 1, count: 2 } } });
      await runtime.close();
    }
    const report = await mergeShards({ stateDir: join(root, "merged"), shardDirs: dirs });
    expect(report.processedCaseCount).toBe(4);
    expect((await readStateJson(join(root, "merged"))).processed_case_keys).toHaveLength(4);
  });

  it("unites processed keys written with escapes, or shared by two shards, as the strings they are", async () => {
    const { dirs, merged } = await threeShards();
    const expected = new Set<string>();
    for (const dir of dirs) for (const key of (await readStateJson(dir)).processed_case_keys as string[]) expected.add(key);
    // A key spelt with an escape (JSON reads the same string) and a key of shard 2 in shard 1 too.
    const statePath = join(dirs[0]!, "state.json");
    const text = await readFile(statePath, "utf8");
    const theirs = ((await readStateJson(dirs[1]!)).processed_case_keys as string[])[0]!;
    await writeFile(
      statePath,
      text.replace('"processed_case_keys":["G', `"processed_case_keys":[${JSON.stringify(theirs)},"\\u0047`).replace('"processed_case_keys":["P', `"processed_case_keys":[${JSON.stringify(theirs)},"\\u0050`),
    );
    expect(await readFile(statePath, "utf8")).toMatch(/\\u00(47|50)/);
    const warnings: string[] = [];
    const report = await mergeShards({ stateDir: merged, shardDirs: dirs, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([expect.stringMatching(/holds processed cases of another shard/)]);
    const keys = (await readStateJson(merged)).processed_case_keys as string[];
    expect(new Set(keys)).toEqual(expected);
    expect(keys).toHaveLength(expected.size);
    expect(report.processedCaseCount).toBe(expected.size);
  });

  it("keeps the newer record when two shards hold one case key, whichever shard it is in", async () => {
    const { dirs, merged } = await threeShards();
    const theirs = (await readStateJson(dirs[1]!)) as { requests: { case_key: string; updated_unix_ms: number; attempts: number }[] };
    const shared = theirs.requests[0]!;
    const statePath = join(dirs[0]!, "state.json");
    const mine = JSON.parse(await readFile(statePath, "utf8")) as { requests: { case_key: string }[] };
    for (const [delta, kept] of [
      [1000, 99],
      [-1000, shared.attempts],
    ] as const) {
      const copy = { ...shared, attempts: 99, updated_unix_ms: shared.updated_unix_ms + delta };
      const requests = [...mine.requests, copy].sort((a, b) => (a.case_key < b.case_key ? -1 : a.case_key > b.case_key ? 1 : 0));
      await writeFile(statePath, JSON.stringify({ ...mine, requests }));
      await rm(merged, { recursive: true, force: true });
      await mergeShards({ stateDir: merged, shardDirs: dirs });
      const records = ((await readStateJson(merged)) as typeof theirs).requests.filter((r) => r.case_key === shared.case_key);
      expect(records.map((r) => r.attempts)).toEqual([kept]);
    }
  });

  describe("refuses (E_SHARDS_NOT_MERGEABLE) and writes nothing", () => {
    it("a missing shard", async () => {
      const { dirs, merged } = await threeShards();
      await expect(mergeShards({ stateDir: merged, shardDirs: [dirs[0]!, dirs[2]!] })).rejects.toEqual(refusal(/missing shard 2\/3/));
      await expect(stat(merged)).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("a repeated shard and a dir given twice", async () => {
      const { root, dirs, merged } = await threeShards();
      const again = join(root, "again");
      await runShard(again, 2, 3);
      await expect(mergeShards({ stateDir: merged, shardDirs: [...dirs, again] })).rejects.toEqual(refusal(/shard 2\/3 given twice/));
      await expect(mergeShards({ stateDir: merged, shardDirs: [...dirs, dirs[0]!] })).rejects.toEqual(refusal(/given twice/));
    });

    it("another fixture, other settings, another shard count", async () => {
      const { root, dirs, merged } = await threeShards();
      const other = join(root, "other");
      await runShard(other, 3, 3, { sha: "b".repeat(64) });
      await expect(mergeShards({ stateDir: merged, shardDirs: [dirs[0]!, dirs[1]!, other] })).rejects.toEqual(refusal(/another fixture/));
      await rm(other, { recursive: true });
      await runShard(other, 3, 3, { queueLimit: 7 });
      await expect(mergeShards({ stateDir: merged, shardDirs: [dirs[0]!, dirs[1]!, other] })).rejects.toEqual(refusal(/queue_limit=7/));
      await rm(other, { recursive: true });
      await runShard(other, 3, 4);
      await expect(mergeShards({ stateDir: merged, shardDirs: [dirs[0]!, dirs[1]!, other] })).rejects.toEqual(refusal(/shard 3\/4/));
    });

    it("a dir without a completed cycle, an unsharded dir, the merged dir among the shards", async () => {
      const { root, dirs, merged } = await threeShards();
      await expect(mergeShards({ stateDir: merged, shardDirs: [...dirs.slice(0, 2), join(root, "empty")] })).rejects.toEqual(refusal(/no state.json/));
      const stateFile = join(dirs[2]!, "state.json");
      await expect(mergeShards({ stateDir: merged, shardDirs: [...dirs.slice(0, 2), stateFile] })).rejects.toEqual(
        refusal(new RegExp(`${stateFile} is not a directory: give the state dir of each shard`)),
      );
      const whole = join(root, "whole");
      const runtime = await GatewayRuntime.open({ stateDir: whole, onWarning: () => undefined });
      await runtime.runCycle(fixture, { provenance: { fixtures: sourceOf() } });
      await runtime.close();
      await expect(mergeShards({ stateDir: merged, shardDirs: [...dirs.slice(0, 2), whole] })).rejects.toEqual(refusal(/not run as a shard/));
      await expect(mergeShards({ stateDir: dirs[0]!, shardDirs: dirs })).rejects.toEqual(refusal(/merged state dir itself/));
    });

    it("a shard whose request records are not JSON, though the rest of state.json is", async () => {
      const { dirs, merged } = await threeShards();
      const statePath = join(dirs[0]!, "state.json");
      const text = await readFile(statePath, "utf8");
      for (const [broken, reason] of [
        [text.replace('"status_code":200', '"status_code":2x0'), /unexpected byte 0x78/],
        [text.replace('"response_body":{', '"response_body":['), /unbalanced brackets/],
        [text.replace('"status_code":200', '"status_code":200,"note":"a\u0001b"'), /control character in a string/],
      ] as const) {
        await writeFile(statePath, broken);
        await expect(mergeShards({ stateDir: merged, shardDirs: dirs })).rejects.toEqual(refusal(reason));
      }
      await expect(stat(merged)).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("a shard whose processed keys are not strings as JSON reads them, whose state.json is not UTF-8 or repeats a field", async () => {
      const { dirs, merged } = await threeShards();
      const statePath = join(dirs[0]!, "state.json");
      const text = await readFile(statePath, "utf8");
      const firstKey = text.indexOf('"processed_case_keys":["') + '"processed_case_keys":["'.length;
      const at = (insert: string) => text.slice(0, firstKey) + insert + text.slice(firstKey);
      for (const [broken, reason] of [
        [at("\t"), /control character/],
        [at("\\x"), /invalid escape/],
        [at("\\u12g4"), /invalid escape/],
        [text.replace('"processed_case_keys":["', '"processed_case_keys":[1,"'), /expected a case key/],
        [text.replace('"processed_case_keys":[', '"processed_case_keys":["a"],"processed_case_keys":['), /appears twice/],
        [text.replace('"requests":[', '"requests":[],"requests":['), /appears twice/],
        [Buffer.concat([Buffer.from(text.slice(0, firstKey)), Buffer.from([0xc3, 0x28]), Buffer.from(text.slice(firstKey))]), /not valid UTF-8/],
      ] as const) {
        await writeFile(statePath, broken);
        await expect(mergeShards({ stateDir: merged, shardDirs: dirs })).rejects.toEqual(refusal(reason));
      }
      await expect(stat(merged)).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("a shard whose newest cycle stopped before its events line, or whose state.json is torn", async () => {
      const { dirs, merged } = await threeShards();
      await writeFile(join(dirs[1]!, "runtime-events.jsonl"), "");
      await expect(mergeShards({ stateDir: merged, shardDirs: dirs })).rejects.toEqual(refusal(/no completed cycle/));
      await writeFile(join(dirs[1]!, "runtime-events.jsonl"), '{"timestamp_unix_ms":1,"discovered_cases":1,"queued_cases":1,"applied_cases":1,"duplicate_skips":0,"malformed_cases":0,"retryable_failures":0,"retry_attempts":0,"failed_cases":0,"upserted_requests":1,"backlog_cases":0,"shard":{"index":2,"count":3}}\n');
      await expect(mergeShards({ stateDir: merged, shardDirs: dirs })).rejects.toEqual(refusal(/describe different cycles/));
      const statePath = join(dirs[2]!, "state.json");
      await truncate(statePath, Math.floor((await readFile(statePath)).length / 2));
      await expect(mergeShards({ stateDir: merged, shardDirs: [dirs[0]!, dirs[2]!] })).rejects.toEqual(refusal(/state.json is not usable/));
    });
  });
  it("gives the merged dir a last-cycle.jsonl: the shards' case lines under one header with the merged provenance", async () => {
    const { dirs, merged } = await threeShards();
    await mergeShards({ stateDir: merged, shardDirs: dirs });

    const last = await readLastCycle(join(merged, "last-cycle.jsonl"));
    expect(last?.header).toMatchObject({ kind: "cycle", driver: "merge", aborted: false, provenance: { shard: null, fixture_sha256: sourceOf()[0]!.sha256 } });
    expect(last?.invalidLines).toBe(0);
    expect(last?.cases).toHaveLength(15);
    expect(new Set(last?.cases.map((c) => c.case_id))).toEqual(new Set(cases.map((c) => c.case_id)));
    expect(last?.cases.filter((c) => c.result === "malformed")).toHaveLength(1);
  });

  it("builds the merged last-cycle.jsonl header from the shards' state.json when a shard file's header says otherwise", async () => {
    const { dirs, merged } = await threeShards();
    const path = join(dirs[0]!, "last-cycle.jsonl");
    const [head, ...rest] = (await readFile(path, "utf8")).split("\n");
    const header = JSON.parse(head!) as { provenance: { fixtures: { path: string }[] } };
    header.provenance.fixtures = header.provenance.fixtures.map((f) => ({ ...f, path: "elsewhere.json" }));
    await writeFile(path, [JSON.stringify(header), ...rest].join("\n"));
    await mergeShards({ stateDir: merged, shardDirs: dirs });
    const last = await readLastCycle(join(merged, "last-cycle.jsonl"));
    expect(last?.header.provenance.fixtures.map((f) => f.path)).toEqual(sourceOf().map((f) => f.path));
    expect(last?.header.fixture_name).not.toMatch(/elsewhere/);
    expect(last?.cases).toHaveLength(cases.length);
  });

  it("drops an earlier merge's last-cycle.jsonl with a warning when a shard has none of its cycle", async () => {
    const { dirs, merged } = await threeShards();
    await mergeShards({ stateDir: merged, shardDirs: dirs });
    await rm(join(dirs[1]!, "last-cycle.jsonl"));
    const warnings: string[] = [];
    await mergeShards({ stateDir: merged, shardDirs: dirs, onWarning: (m) => warnings.push(m) });

    expect(warnings.join("\n")).toMatch(/no last-cycle\.jsonl/);
    expect(await readLastCycle(join(merged, "last-cycle.jsonl"))).toBeUndefined();
  });

  it("refuses a symlink in place of the merged state.json, as the runtime does, and writes nothing", async () => {
    const { root, dirs, merged } = await threeShards();
    await mkdir(merged, { recursive: true });
    const elsewhere = join(root, "elsewhere.json");
    await writeFile(elsewhere, "{}\n");
    await symlink(elsewhere, join(merged, "state.json"));

    await expect(mergeShards({ stateDir: merged, shardDirs: dirs })).rejects.toMatchObject({ code: "E_UNSAFE_PATH" });
    expect(await readFile(elsewhere, "utf8")).toBe("{}\n");
    expect((await readdir(merged)).sort()).toEqual(["state.json"]);
  });

  it("refuses a symlink in place of a shard's state.json instead of following it", async () => {
    const { root, dirs, merged } = await threeShards();
    const moved = join(root, "moved-state.json");
    await writeFile(moved, await readFile(join(dirs[0]!, "state.json")));
    await rm(join(dirs[0]!, "state.json"));
    await symlink(moved, join(dirs[0]!, "state.json"));

    await expect(mergeShards({ stateDir: merged, shardDirs: dirs })).rejects.toMatchObject({ code: "E_UNSAFE_PATH" });
  });

  it("checks lockStaleMs like the runtime", async () => {
    const { dirs, merged } = await threeShards();
    await expect(mergeShards({ stateDir: merged, shardDirs: dirs, lockStaleMs: 0 })).rejects.toMatchObject({ code: "E_INVALID_OPTION" });
    await expect(mergeShards({ stateDir: merged, shardDirs: dirs, lockStaleMs: 5000 })).resolves.toMatchObject({ requestCount: 14 });
  });
});
