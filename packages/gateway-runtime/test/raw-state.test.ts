import fc from "fast-check";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rawKeyStrings, readRawState } from "../src/cycle/raw-state";
import { fnv1a32 } from "../src/cycle/shard";
import { makeTempDir } from "./helpers/temp-dir";

/** Characters that JSON.stringify writes as they are, as an escape, or as a multi-byte sequence. */
const keyText = fc.string({ unit: fc.constantFrom(..."GET:/v1ab-_é漢😀\"\\\n\u0001\u007f\u2028 "), maxLength: 16 });

describe("readRawState: processed keys kept as bytes", { timeout: 60_000 }, () => {
  it("reads back the keys JSON.parse reads, hashing each from its bytes as fnv1a32 does (random keys)", async () => {
    const dir = await makeTempDir();
    const statePath = join(dir, "state.json");
    await fc.assert(
      fc.asyncProperty(fc.array(keyText, { maxLength: 40 }), fc.boolean(), async (keys, spaced) => {
        const array = spaced ? `[ ${keys.map((k) => JSON.stringify(k)).join(" , ")} ]` : JSON.stringify(keys);
        await writeFile(statePath, `{"schema_version":1,"processed_case_keys":${array},"requests":[]}`);
        const read = await readRawState(statePath);
        if (read.kind !== "ok") throw new Error(`not read: ${JSON.stringify(read)}`);
        try {
          const { processedKeys } = read.raw;
          expect(processedKeys.count).toBe(keys.length);
          expect(rawKeyStrings(processedKeys)).toEqual(keys);
          // Hashed from bytes exactly when no key needed an escape.
          const escaped = keys.some((k) => JSON.stringify(k) !== `"${k}"`);
          if (escaped) expect(processedKeys.hashes).toBeUndefined();
          else expect([...(processedKeys.hashes ?? [])]).toEqual(keys.map(fnv1a32));
          expect(read.raw.skeleton.processed_case_keys).toEqual([]);
        } finally {
          await read.raw.records.close();
        }
      }),
      { numRuns: 300 },
    );
  });
});
