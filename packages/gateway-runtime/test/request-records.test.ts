import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RequestRecords } from "../src/cycle/request-records";
import type { RequestRecord } from "../src/state/gateway-state";

const record = (case_key: string, tag: string): RequestRecord => ({
  case_key,
  case_id: tag,
  method: "GET",
  endpoint: "/",
  actor_id: "a",
  status_code: 200,
  outcome: "success",
  error_code: "",
  response_body: { tag },
  updated_unix_ms: 0,
});

/** What the recorder did before: every record into one map (later ones win), then sorted by key. */
function reference(loaded: readonly RequestRecord[], upserts: readonly RequestRecord[]): RequestRecord[] {
  const map = new Map<string, RequestRecord>();
  for (const r of [...loaded, ...upserts]) map.set(r.case_key, r);
  return [...map.values()].sort((a, b) => (a.case_key < b.case_key ? -1 : a.case_key > b.case_key ? 1 : 0));
}

// Property runs: seconds of CPU on a CI machine running every package at once.
describe("RequestRecords", { timeout: 60_000 }, () => {
  it("gives the records of a map of loaded and upserted records, sorted by key", () => {
    // Short keys from a small alphabet: collisions, prefixes ("a" < "ab") and non-ASCII order.
    const key = fc.string({ unit: fc.constantFrom("a", "b", "B", ":", "é", "😀"), maxLength: 3 });
    fc.assert(
      fc.property(
        fc.array(key, { maxLength: 12 }),
        fc.boolean(),
        fc.array(key, { maxLength: 12 }),
        (loadedKeys, sortLoaded, upsertKeys) => {
          // As state.json keeps them (sorted, unique) or as a hand-edited file may (any order, repeats).
          const keys = sortLoaded ? [...new Set(loadedKeys)].sort() : loadedKeys;
          const loaded = keys.map((k, i) => record(k, `loaded-${i}`));
          const upserts = upsertKeys.map((k, i) => record(k, `new-${i}`));
          const records = new RequestRecords(loaded);
          for (const r of upserts) records.set(r);
          const sorted = records.sorted();
          expect(sorted).toEqual(reference(loaded, upserts));
          // Never the loaded array itself: the next state owns its own.
          expect(sorted).not.toBe(loaded);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
