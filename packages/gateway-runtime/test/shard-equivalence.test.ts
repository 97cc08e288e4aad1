import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GatewayRuntime, type CycleReport } from "../src";
import { fixtureOf, invalidRequestCase, retryableCase, successCase, unsupportedMethodCase, type JsonRecord } from "./helpers/fixtures";
import { manualClock, readJsonLines, readStateJson } from "./helpers/runtime";
import { shardSet, sourceOf } from "./helpers/shards";
import { makeTempDir } from "./helpers/temp-dir";

/** `npm run soak`-style runs: SOAK=1 raises the number of random fixtures. */
const RUNS = process.env.SOAK === "1" || process.env.SOAK === "true" ? 200 : 30;

const KINDS = ["success", "post", "unsupported", "invalid", "retryable", "drift", "drift-retryable"] as const;

/** One case of each kind the simulated gateway distinguishes, drift included. */
function caseOf(kind: (typeof KINDS)[number], id: string, actor: string): JsonRecord {
  switch (kind) {
    case "success":
      return successCase(id, { actor_id: actor });
    case "post":
      return successCase(id, { method: "post", endpoint: ` /v1/tasks/${id}`, actor_id: actor });
    case "unsupported":
      return unsupportedMethodCase(id, { actor_id: actor });
    case "invalid":
      return invalidRequestCase(id, " ");
    case "retryable":
      return retryableCase(id);
    case "drift":
      return successCase(id, { actor_id: actor }, { status_code: 299 });
    case "drift-retryable":
      return retryableCase(id, { status_code: 500 });
  }
}

const fixtureArb = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom(..."abcXYZ019-_é漢😀") }), { minLength: 1, maxLength: 24 })
  .chain((ids) =>
    fc.tuple(
      fc.constant(ids),
      fc.array(fc.tuple(fc.constantFrom(...KINDS), fc.constantFrom("ops-bot", "é-actor", "b")), { minLength: ids.length, maxLength: ids.length }),
    ),
  )
  .map(([ids, kinds]) => fixtureOf(ids.map((id, i) => caseOf(kinds[i]![0], id, kinds[i]![1]))));

/** A report without what legitimately differs between runs: time and provenance. */
function comparable(report: CycleReport) {
  const { updated_unix_ms: _u, cycle_duration_ms: _d, ...health } = report.health;
  return { summary: report.summary, reasonCodes: report.reasonCodes, health, classification: report.classification, gate: report.gate };
}

async function stateOf(stateDir: string) {
  const state = await readStateJson(stateDir);
  const { updated_unix_ms: _u, cycle_duration_ms: _d, ...health } = state.health as Record<string, unknown>;
  const { updated_unix_ms: _g, ...guardrail } = state.guardrail as Record<string, unknown>;
  return {
    requests: (state.requests as Record<string, unknown>[]).map(({ updated_unix_ms: _r, ...rest }) => rest),
    processed: new Set(state.processed_case_keys as string[]),
    health,
    guardrail,
  };
}

async function lastEvent(stateDir: string) {
  const lines = await readJsonLines(`${stateDir}/runtime-events.jsonl`);
  const { timestamp_unix_ms: _t, ...rest } = lines[lines.length - 1] as Record<string, unknown>;
  return rest;
}

describe("n shard runs + merge equal one run over the whole fixture (behavior.md §11)", () => {
  // Generous: a shared CI machine may be slow, and SOAK runs many more fixtures.
  it("gives the same counters, request records, health and gate, cycle after cycle", { timeout: 60_000 + RUNS * 3_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fixtureArb,
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 2, max: 3 }),
        fc.record({
          extraQueue: fc.integer({ min: 0, max: 5 }),
          extraCap: fc.integer({ min: 0, max: 5 }),
          retryMaxAttempts: fc.integer({ min: 1, max: 4 }),
          failureStreak: fc.integer({ min: 1, max: 3 }),
          retryableFailures: fc.integer({ min: 1, max: 4 }),
        }),
        async (fixture, count, cycles, s) => {
          const clock = manualClock();
          const settings = {
            // Equivalence needs every case queued and every processed key remembered: with a
            // smaller cap each shard forgets only its own oldest keys, one runner the global oldest.
            queueLimit: fixture.cases.length + s.extraQueue,
            processedCaseCap: fixture.cases.length + s.extraCap,
            retryMaxAttempts: s.retryMaxAttempts,
            thresholds: { failureStreak: s.failureStreak, retryableFailures: s.retryableFailures },
          };
          const wholeDir = `${await makeTempDir()}/whole`;
          const whole = await GatewayRuntime.open({ stateDir: wholeDir, settings, clock: clock.clock, onWarning: () => undefined });
          const split = await shardSet({ count, settings, clock: clock.clock });
          try {
            for (let cycle = 0; cycle < cycles; cycle++) {
              clock.now += 60_000;
              const one = await whole.runCycle(fixture, { provenance: { fixtures: sourceOf() } });
              const { shards, merged } = await split.cycle(fixture);

              expect(comparable(merged)).toEqual(comparable(one));
              // Each shard judged duplicates against its own processed keys: their sum is the whole run's.
              expect(shards.reduce((sum, r) => sum + r.summary.duplicate_skips, 0)).toBe(one.summary.duplicate_skips);
              expect(await stateOf(split.mergedDir)).toEqual(await stateOf(wholeDir));
              // The events line too, fixture sha included (its shard is null like the whole run's).
              expect(await lastEvent(split.mergedDir)).toEqual(await lastEvent(wholeDir));
            }
          } finally {
            await whole.close();
            await split.close();
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
