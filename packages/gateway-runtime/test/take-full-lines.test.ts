import { evaluateCase, type GatewayCase } from "@tau/gateway-contract";
import { describe, expect, it } from "vitest";
import { CycleRecorder } from "../src/cycle/cycle-recorder";
import { emptyGatewayState } from "../src/state/gateway-state";

const gatewayCase = (n: number, actor: string): GatewayCase => ({
  schema_version: 1,
  case_id: `case-${n}`,
  method: "PUT",
  endpoint: `/v1/tasks/${n}`,
  actor_id: actor,
  body: null,
  simulate_retryable_failure: false,
  expected: { outcome: "success", status_code: 200, error_code: "", response_body: {} },
});

describe("CycleRecorder.takeFullLines", () => {
  it("hands over each actor's lines in order, first at the minimum, then as much as before up to the maximum", () => {
    const recorder = new CycleRecorder(emptyGatewayState(), 100_000, () => 0);
    const min = 4096;
    const max = 32 * 1024;
    const handed = new Map<string, string[]>();
    const sizes = new Map<string, number[]>();
    const actors = ["a", "b", "c"];
    for (let n = 0; n < 6000; n++) {
      // Actor a gets most cases, c few: their thresholds grow at their own pace.
      const actor = actors[n % 10 < 7 ? 0 : n % 10 < 9 ? 1 : 2] as string;
      const c = gatewayCase(n, actor);
      recorder.record(c, { kind: "success", observed: evaluateCase(c), attempts: 1, retryableFailures: 0, transientAttempts: [], durationMs: 0 });
      for (const lines of recorder.takeFullLines(min, max)) {
        handed.set(lines.actorId, [...(handed.get(lines.actorId) ?? []), ...lines.log.toLines()]);
        sizes.set(lines.actorId, [...(sizes.get(lines.actorId) ?? []), lines.log.byteLength]);
        expect(lines.context.size).toBe(lines.log.size);
      }
    }
    const rest = new Map(recorder.actorWrites([]).map((w) => [w.actorId, w.log.toLines()]));
    for (const actor of actors) {
      // Every line exactly once, in case order.
      const all = [...(handed.get(actor) ?? []), ...(rest.get(actor) ?? [])].map((l) => JSON.parse(l).payload.case_id);
      const expected = Array.from({ length: 6000 }, (_, n) => n).filter((n) => actors[n % 10 < 7 ? 0 : n % 10 < 9 ? 1 : 2] === actor).map((n) => `case-${n}`);
      expect(all).toEqual(expected);
      // Each handed-over batch reached its threshold when taken, and not much more (one line).
      let before = 0;
      for (const size of sizes.get(actor) ?? []) {
        const threshold = Math.min(max, Math.max(min, before));
        expect(size).toBeGreaterThanOrEqual(threshold);
        expect(size).toBeLessThan(threshold + 1024);
        before += size;
      }
    }
    // The busiest actor reached the maximum; thresholds grew, so far fewer appends than min-sized ones.
    const a = sizes.get("a") ?? [];
    expect(a.some((size) => size >= max)).toBe(true);
    expect(a.length).toBeLessThan(a.reduce((x, y) => x + y, 0) / min / 2);
  });
});
