import { caseKey } from "@tau/gateway-contract";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertShard, fnv1a32, GatewayRuntimeError, selectShard, shardOfCaseKey, shardOfHash } from "../src";
import { fixtureOf, successCase, unsupportedMethodCase } from "./helpers/fixtures";
import { makeStateDir } from "./helpers/temp-dir";
import { openRuntime, readJsonLines, readStateJson } from "./helpers/runtime";
import { sourceOf } from "./helpers/shards";

/** FNV-1a 32 over TextEncoder's bytes: the definition the fast version must match. */
function referenceFnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash >>> 0;
}

describe("fnv1a32", () => {
  it("matches the published FNV-1a 32 test vectors", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("hashes the UTF-8 bytes of any string, lone surrogates as U+FFFD", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => fnv1a32(text) === referenceFnv1a32(text)));
    expect(fnv1a32("\ud800")).toBe(referenceFnv1a32("\ufffd"));
    expect(fnv1a32("é漢😀")).toBe(referenceFnv1a32("é漢😀"));
  });
});

describe("selectShard", () => {
  const caseArb = fc.record({
    case_id: fc.string({ minLength: 1, maxLength: 12, unit: "grapheme" }),
    method: fc.constantFrom("GET", "post", " PUT "),
    endpoint: fc.string({ maxLength: 12 }).map((s) => `/${s}`),
  });

  it("splits any case list into disjoint shards that together cover it", () => {
    fc.assert(
      fc.property(fc.array(caseArb, { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), (cases, count) => {
        const seen = new Map<object, number>();
        for (let index = 1; index <= count; index++) {
          for (const c of selectShard(cases, { index, count })) {
            expect(seen.has(c)).toBe(false);
            seen.set(c, index);
          }
        }
        expect(seen.size).toBe(cases.length);
        for (const c of cases) expect(seen.get(c)).toBe(shardOfCaseKey(caseKey(c), count));
      }),
    );
  });

  it("puts a case in the shard of its case key, whatever else is in the fixture", () => {
    const c = { case_id: "create-task", method: "post", endpoint: " /v1/tasks" };
    const shard = shardOfHash(fnv1a32("POST:/v1/tasks:create-task"), 4);
    expect(selectShard([c], { index: shard, count: 4 })).toEqual([c]);
    expect(selectShard([{ case_id: "x", method: "GET", endpoint: "/x" }, c], { index: shard, count: 4 })).toContain(c);
  });

  it("mixes the hash: known values, and suites numbered case-1…case-N split evenly over any count", () => {
    // MurmurHash3's fmix32 of fnv1a32("a") = 0xe40c292c is 0x1a80b1b3 (worked out apart from this
    // code), mod each count, plus 1: pinned so that a
    // change of the split (which would break merges of shards run by two versions) is seen.
    expect([2, 3, 4, 8, 1000].map((count) => shardOfHash(0xe40c292c, count))).toEqual([2, 1, 4, 4, 716]);
    const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    const keys = Array.from({ length: 20_000 }, (_, i) => `${methods[i % 5]}:/v1/tasks/${i}:case-${i}`);
    for (const count of [2, 4, 8, 16, 10]) {
      const sizes = new Array<number>(count).fill(0);
      for (const key of keys) sizes[shardOfCaseKey(key, count) - 1]! += 1;
      // The keys are fixed, so this is exact, not chance: at most 1.2x (FNV-1a alone gave up to 3x).
      expect(Math.max(...sizes) / Math.min(...sizes), `count ${count}: ${sizes.join(", ")}`).toBeLessThan(1.2);
    }
  });

  it("refuses an index outside 1..count and a count below 1", () => {
    for (const shard of [
      { index: 0, count: 3 },
      { index: 4, count: 3 },
      { index: 1, count: 0 },
      { index: 1.5, count: 3 },
    ]) {
      expect(() => assertShard(shard)).toThrow(GatewayRuntimeError);
      try {
        selectShard([], shard);
      } catch (error) {
        expect(GatewayRuntimeError.isInstance(error) && error.code).toBe("E_INVALID_OPTION");
      }
    }
  });
});

describe("a cycle of one shard", { timeout: 30_000 }, () => {
  const cases = Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? unsupportedMethodCase(`case-${i}`) : successCase(`case-${i}`)));

  it("runs only the shard's cases, selected before the queue, and records the shard", async () => {
    const stateDir = await makeStateDir();
    const fixture = fixtureOf(cases);
    const mine = selectShard(fixture.cases, { index: 2, count: 3 });
    const runtime = await openRuntime({ stateDir, settings: { queueLimit: 3 } });
    const report = await runtime.runCycle(fixture, { provenance: { fixtures: sourceOf(), shard: { index: 2, count: 3 } } });

    expect(mine.length).toBeGreaterThan(3);
    expect(report.summary.discovered_cases).toBe(mine.length);
    expect(report.summary.queued_cases).toBe(3);
    expect(report.summary.backlog_cases).toBe(mine.length - 3);
    const state = await readStateJson(stateDir);
    const mineKeys = new Set(mine.map(caseKey));
    for (const key of state.processed_case_keys as string[]) expect(mineKeys.has(key)).toBe(true);
    expect((state.last_cycle as { shard: unknown }).shard).toEqual({ index: 2, count: 3 });
    const [event] = await readJsonLines(`${stateDir}/runtime-events.jsonl`);
    expect(event).toMatchObject({ shard: { index: 2, count: 3 }, discovered_cases: mine.length, fixture_sha256: "a".repeat(64) });
  });

  it("refuses a shard outside 1..count before running anything", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    await expect(runtime.runCycle(fixtureOf(cases), { provenance: { shard: { index: 4, count: 3 } } })).rejects.toMatchObject({ code: "E_INVALID_OPTION" });
  });
});
