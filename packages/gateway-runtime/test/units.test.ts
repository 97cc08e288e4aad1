import { setTimeout as sleep } from "node:timers/promises";
import type { GatewayCase } from "@tau/gateway-contract";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelayMs, buildQueue } from "../src";
import { forEachOrdered } from "../src/cycle/for-each-ordered";
import { ProcessedKeys } from "../src/cycle/processed-keys";

function gatewayCase(caseId: string, method = "GET", endpoint = "/v1/tasks"): GatewayCase {
  return {
    schema_version: 1,
    case_id: caseId,
    method,
    endpoint,
    actor_id: "ops-bot",
    body: null,
    simulate_retryable_failure: false,
    expected: { outcome: "success", status_code: 200, response_body: {} },
  };
}

const ids = (cases: readonly GatewayCase[]) => cases.map((c) => `${c.case_id} ${c.method} ${c.endpoint}`);
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe("buildQueue", () => {
  it("orders by case_id in code-unit order: upper case before lower case, not alphabetically", () => {
    const { queued } = buildQueue([gatewayCase("b"), gatewayCase("a"), gatewayCase("B"), gatewayCase("A")], 10);
    expect(queued.map((c) => c.case_id)).toEqual(["A", "B", "a", "b"]);
  });

  it("breaks case_id ties by the raw method, then by the raw endpoint", () => {
    const { queued } = buildQueue(
      [
        gatewayCase("same", "post", "/b"),
        gatewayCase("same", "GET", "/b"),
        gatewayCase("same", "GET", "/a"),
        gatewayCase("same", "POST", "/a"),
      ],
      10,
    );
    // Raw strings: "GET" < "POST" < "post"; no trimming or upper-casing before sorting.
    expect(ids(queued)).toEqual(["same GET /a", "same GET /b", "same POST /a", "same post /b"]);
  });

  it("keeps the first `limit` cases and counts the rest as backlog", () => {
    const cases = [gatewayCase("c"), gatewayCase("a"), gatewayCase("b")];
    expect(buildQueue(cases, 2)).toEqual({ queued: [cases[1], cases[2]], backlog: 1, backlogCases: [cases[0]] });
    expect(buildQueue(cases, 3).backlog).toBe(0);
    expect(buildQueue(cases, 64).queued).toHaveLength(3);
  });

  it("leaves its input untouched", () => {
    const cases = [gatewayCase("z"), gatewayCase("a")];
    buildQueue(cases, 1);
    expect(cases.map((c) => c.case_id)).toEqual(["z", "a"]);
  });

  it("always queues a code-unit-sorted prefix of the cases", () => {
    const text = fc.string({ unit: "grapheme-composite", maxLength: 4 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(text, fc.constantFrom("GET", "get", "POST", " PUT"), text), { maxLength: 20 }),
        fc.integer({ min: 1, max: 25 }),
        (rows, limit) => {
          const cases = rows.map(([id, method, endpoint]) => gatewayCase(id, method, endpoint));
          const sorted = [...cases].sort(
            (a, b) =>
              byCodeUnits(a.case_id, b.case_id) || byCodeUnits(a.method, b.method) || byCodeUnits(a.endpoint, b.endpoint),
          );
          const { queued, backlog } = buildQueue(cases, limit);
          expect(ids(queued)).toEqual(ids(sorted.slice(0, limit)));
          expect(queued.length + backlog).toBe(cases.length);
        },
      ),
    );
  });
});

describe("ProcessedKeys", () => {
  it("keeps keys in insertion order", () => {
    const keys = new ProcessedKeys(10, ["b", "a"]);
    keys.add("c");
    expect(keys.toArray()).toEqual(["b", "a", "c"]);
  });

  it("drops the oldest keys past the cap", () => {
    const keys = new ProcessedKeys(2);
    keys.add("first");
    keys.add("second");
    keys.add("third");
    expect(keys.toArray()).toEqual(["second", "third"]);
    expect(keys.has("first")).toBe(false);
    expect(keys.size).toBe(2);
  });

  it("trims loaded keys to the cap, oldest first", () => {
    expect(new ProcessedKeys(2, ["k1", "k2", "k3", "k4"]).toArray()).toEqual(["k3", "k4"]);
  });

  it("keeps the place of a key added again", () => {
    const keys = new ProcessedKeys(3, ["a", "b"]);
    keys.add("a");
    expect(keys.toArray()).toEqual(["a", "b"]);
  });

  it("behaves like a list that forgets its oldest entries", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.constantFrom("a", "b", "c", "d", "e", "f", "g")), (cap, adds) => {
        const keys = new ProcessedKeys(cap);
        let model: string[] = [];
        for (const key of adds) {
          keys.add(key);
          if (!model.includes(key)) model = [...model, key].slice(-cap);
        }
        expect(keys.toArray()).toEqual(model);
      }),
    );
  });
});

describe("backoffDelayMs", () => {
  const base = { baseDelayMs: 10, maxDelayMs: 1_000_000, jitter: false };

  it("doubles from the base delay: base × 2^(attempt−1)", () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs({ ...base, attempt }))).toEqual([10, 20, 40, 80]);
  });

  it("stops doubling at an exponent of 10", () => {
    expect(backoffDelayMs({ ...base, attempt: 11 })).toBe(10 * 1024);
    expect(backoffDelayMs({ ...base, attempt: 12 })).toBe(10 * 1024);
    expect(backoffDelayMs({ ...base, attempt: 50 })).toBe(10 * 1024);
  });

  it("never waits longer than the max delay", () => {
    expect(backoffDelayMs({ ...base, maxDelayMs: 35, attempt: 3 })).toBe(35);
    expect(backoffDelayMs({ ...base, maxDelayMs: 0, attempt: 1 })).toBe(0);
  });

  it("waits nothing with a base delay of 0 (the default)", () => {
    expect(backoffDelayMs({ ...base, baseDelayMs: 0, attempt: 4 })).toBe(0);
  });

  it("spreads a jittered wait over [0, delay]", () => {
    const jittered = (random: number) => backoffDelayMs({ ...base, attempt: 3, jitter: true, random: () => random });
    expect(jittered(0)).toBe(0);
    expect(jittered(0.999_999)).toBe(40);
    expect(jittered(0.5)).toBe(20);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseDelayMs, random) => {
          const delay = backoffDelayMs({ attempt, baseDelayMs, maxDelayMs: 60_000, jitter: false });
          const wait = backoffDelayMs({ attempt, baseDelayMs, maxDelayMs: 60_000, jitter: true, random: () => random });
          expect(Number.isInteger(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(wait).toBeLessThanOrEqual(delay);
        },
      ),
    );
  });

  it("lets the server's Retry-After win, within the max delay and without jitter", () => {
    expect(backoffDelayMs({ ...base, attempt: 1, retryAfterMs: 5_000 })).toBe(5_000);
    expect(backoffDelayMs({ ...base, attempt: 8, retryAfterMs: 0 })).toBe(0);
    expect(backoffDelayMs({ ...base, maxDelayMs: 2_000, attempt: 1, retryAfterMs: 5_000 })).toBe(2_000);
    expect(backoffDelayMs({ ...base, attempt: 1, retryAfterMs: -5 })).toBe(0);
    expect(backoffDelayMs({ ...base, attempt: 1, jitter: true, random: () => 0, retryAfterMs: 700 })).toBe(700);
  });
});

describe("forEachOrdered", () => {
  it("records results in item order under random delays, never exceeding the concurrency", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 16 }),
        fc.integer({ min: 1, max: 6 }),
        async (delays, concurrency) => {
          let inFlight = 0;
          let maxInFlight = 0;
          const recorded: number[] = [];
          await forEachOrdered({
            items: delays,
            concurrency,
            work: async (delay, index) => {
              inFlight++;
              maxInFlight = Math.max(maxInFlight, inFlight);
              await sleep(delay);
              inFlight--;
              return index * 10;
            },
            record: (result, _item, index) => {
              expect(result).toBe(index * 10);
              recorded.push(index);
            },
          });
          expect(recorded).toEqual(delays.map((_, i) => i));
          expect(maxInFlight).toBeLessThanOrEqual(concurrency);
          expect(maxInFlight).toBe(Math.min(concurrency, delays.length));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("records an item as soon as every earlier item is recorded", async () => {
    const recorded: number[] = [];
    let releaseFirst: () => void = () => undefined;
    const firstDone = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const run = forEachOrdered({
      items: [0, 1, 2],
      concurrency: 3,
      work: async (item) => {
        if (item === 0) await firstDone;
        return item;
      },
      record: (result) => recorded.push(result),
    });
    await sleep(5);
    // Items 1 and 2 are done but wait for item 0.
    expect(recorded).toEqual([]);
    releaseFirst();
    await run;
    expect(recorded).toEqual([0, 1, 2]);
  });

  it("stops launching work after the first error and rethrows it", async () => {
    const started: number[] = [];
    const recorded: number[] = [];
    const boom = new Error("case 3 blew up");
    await expect(
      forEachOrdered({
        items: [0, 1, 2, 3, 4, 5, 6, 7],
        concurrency: 1,
        work: async (item) => {
          started.push(item);
          if (item === 3) throw boom;
          return item;
        },
        record: (result) => recorded.push(result),
      }),
    ).rejects.toBe(boom);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(recorded).toEqual([0, 1, 2]);
  });

  it("with several lanes, records only the items before the failed one and starts nothing new", async () => {
    const started: number[] = [];
    const recorded: number[] = [];
    await expect(
      forEachOrdered({
        items: Array.from({ length: 20 }, (_, i) => i),
        concurrency: 4,
        work: async (item) => {
          started.push(item);
          await sleep(item === 2 ? 1 : 5);
          if (item === 2) throw new Error("item 2 failed");
          return item;
        },
        record: (result) => recorded.push(result),
      }),
    ).rejects.toThrow("item 2 failed");
    // Items 0–3 were in flight together; the failure stops the lanes from taking item 4 and on.
    expect(started).toEqual([0, 1, 2, 3]);
    expect(recorded).toEqual([0, 1]);
  });

  it("does nothing for no items", async () => {
    const recorded: unknown[] = [];
    await forEachOrdered({ items: [], concurrency: 4, work: async () => 1, record: (r) => recorded.push(r) });
    expect(recorded).toEqual([]);
  });
});
