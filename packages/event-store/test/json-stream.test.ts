import { symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openAtomicFile } from "../src/atomic-file.js";
import { readJsonStream } from "../src/read-json-stream.js";
import { JsonTooLargeError, RawJsonArray, writeJsonStream } from "../src/write-json-stream.js";
import { tempDir } from "./helpers.js";

async function fileWith(content: string | Uint8Array): Promise<string> {
  const path = join(await tempDir(), "state.json");
  await writeFile(path, content);
  return path;
}

async function written(value: Record<string, unknown>): Promise<string> {
  const path = join(await tempDir(), "state.json");
  const file = await openAtomicFile(path);
  await writeJsonStream(file, value);
  await file.commit();
  const { readFile } = await import("node:fs/promises");
  return readFile(path, "utf8");
}

/** Elements with every character that matters to a scanner: quotes, escapes, brackets, unicode. */
function trickyElements(count: number): unknown[] {
  return Array.from({ length: count }, (_, n) => ({
    case_key: `GET:/a"b\\\\c:${n}`,
    body: { text: `]}[{,:"\\u0000 é 😀 \\" ${"x".repeat(n % 700)}`, list: [n, -n / 3, true, false, null, [[]], {}] },
  }));
}

describe("writeJsonStream", () => {
  it("writes exactly JSON.stringify(value) + newline, arrays and all", async () => {
    const value = { schema_version: 1, processed_case_keys: ["a", "b"], requests: trickyElements(50), empty: [], health: { x: 1 }, gone: undefined };
    expect(await written(value)).toBe(`${JSON.stringify(value)}\n`);
  });

  it("writes exactly JSON.stringify(value) + newline across many batches, with elements larger than one", async () => {
    const big = { text: "é😀\"".repeat(400_000) };
    const value = { requests: [...trickyElements(3000), big, ...trickyElements(5)], keys: Array.from({ length: 30000 }, (_, i) => `k${i}é`), tail: big, end: 1 };
    expect(await written(value)).toBe(`${JSON.stringify(value)}\n`);
  });

  it("names the element that is too large for one string", async () => {
    const file = { write: async () => {} };
    // What V8 throws past its longest string, without spending seconds building one.
    const tooLong = { toJSON: () => { throw new RangeError("Invalid string length"); } };
    const error = await writeJsonStream(file, { requests: [{ ok: 1 }, tooLong] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonTooLargeError);
    expect((error as Error).message).toMatch(/^requests\[1\] is too large to serialise as JSON/);
  });

  it("writes a RawJsonArray's elements as given, byte-identical to the array they were serialised from", async () => {
    const requests = trickyElements(40);
    // Chunks of one or more elements, as text and as bytes, and an empty one.
    async function* chunks() {
      for (let n = 0; n < requests.length; n += 7) {
        const text = requests.slice(n, n + 7).map((r) => JSON.stringify(r)).join(",");
        yield n % 2 === 0 ? text : Buffer.from(text, "utf8");
        if (n === 14) yield "";
      }
    }
    const raw = await written({ schema_version: 1, requests: new RawJsonArray(chunks()), none: new RawJsonArray([]), health: { x: 1 } });
    expect(raw).toBe(`${JSON.stringify({ schema_version: 1, requests, none: [], health: { x: 1 } })}\n`);
  });
});

describe("readJsonStream", () => {
  it("parses what JSON.parse parses, for any object", async () => {
    const dir = await tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string(), fc.jsonValue()), async (value) => {
        const path = join(dir, `v${n++}.json`);
        const text = JSON.stringify(value, null, n % 2 === 0 ? 0 : 2);
        await writeFile(path, text);
        const expected = { ok: true, value: JSON.parse(text) };
        // Both paths: read whole (the default for a small file) and streamed member by member.
        const whole = await readJsonStream(path);
        const streamed = await readJsonStream(path, { wholeFileBytes: 0 });
        expect(whole).toEqual(expected);
        expect(streamed).toEqual(expected);
        if (whole.ok && streamed.ok) expect(Object.keys(whole.value)).toEqual(Object.keys(streamed.value));
      }),
      { numRuns: 200 },
    );
  });

  it("gives the streaming reader's reason, byte offset included, for a small file read whole", async () => {
    const dir = await tempDir();
    const texts = ['{"a":[1,]}', '{"a":1}x', "[]", "null", '{"a":nul}', "\ufeff{}", '{"a":1', ""];
    for (const [n, text] of texts.entries()) {
      const path = join(dir, `r${n}.json`);
      await writeFile(path, text);
      expect(await readJsonStream(path)).toEqual(await readJsonStream(path, { wholeFileBytes: 0 }));
    }
    const bad = join(dir, "bad-utf8.json");
    await writeFile(bad, Buffer.concat([Buffer.from('{"a":"x'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
    const read = await readJsonStream(bad);
    expect(read).toEqual(await readJsonStream(bad, { wholeFileBytes: 0 }));
    expect(read.ok).toBe(false);
  });

  it("reads a file of many megabytes across chunk boundaries element by element", async () => {
    const value = { requests: trickyElements(6000), processed_case_keys: Array.from({ length: 20000 }, (_, i) => `k${i}`), tail: { "]": "}" } };
    const path = await fileWith(JSON.stringify(value));
    const expected = { ok: true, value: JSON.parse(JSON.stringify(value)) };
    expect(await readJsonStream(path, { wholeFileBytes: 0 })).toEqual(expected);
    expect(await readJsonStream(path)).toEqual(expected);
  });

  it("gets escaped quotes and backslashes right where they straddle a 1 MiB read", async () => {
    const dir = await tempDir();
    const chunk = 1024 * 1024;
    for (let shift = -4; shift <= 4; shift++) {
      for (const tail of ['\\"', "\\\\", '\\\\\\"', "\\n"]) {
        // The escape sequence starts `shift` bytes around the end of the first read.
        const head = '{"a":"';
        const text = `${head}${"x".repeat(chunk - head.length - 1 + shift)}${tail}y","b":[1,"\\\\"]}`;
        const path = join(dir, `s${shift}.json`);
        await writeFile(path, text);
        expect(await readJsonStream(path, { wholeFileBytes: 0 })).toEqual({ ok: true, value: JSON.parse(text) });
      }
    }
  });

  it("keeps a __proto__ key as data, and the last of duplicate keys, as JSON.parse does", async () => {
    const text = '{"__proto__":{"polluted":1},"a":1,"a":[2]}';
    const path = await fileWith(text);
    for (const read of [await readJsonStream(path), await readJsonStream(path, { wholeFileBytes: 0 })]) {
      expect(read.ok && Object.getPrototypeOf(read.value)).toBe(Object.prototype);
      expect(read.ok && read.value.a).toEqual([2]);
      expect(read.ok && Object.keys(read.value)).toEqual(Object.keys(JSON.parse(text)));
    }
  });

  it("calls every prefix of a document corrupt, as JSON.parse does", async () => {
    const text = JSON.stringify({ a: [1, "two", { three: [3] }], b: -1.5e3, c: 'x"y\\z', d: [] });
    const dir = await tempDir();
    for (let cut = 0; cut < text.length; cut++) {
      const path = join(dir, `p${cut}.json`);
      await writeFile(path, text.slice(0, cut));
      const read = await readJsonStream(path);
      expect(read.ok, `prefix of ${cut} bytes: ${text.slice(0, cut)}`).toBe(false);
    }
  });

  it.each([
    ["a JSON array", "[]", /not a JSON object \(starts with "\[" at byte 0\)/],
    ["JSON null", "null", /not a JSON object/],
    ["trailing garbage", '{"a":1}x', /unexpected "x" after the end of the object, at byte 7/],
    ["a trailing comma in an array", '{"a":[1,]}', /unexpected "\]" at byte 8/],
    ["a bad literal", '{"a":nul}', /not valid JSON \(in the value at byte 5/],
    ["a missing colon", '{"a" 1}', /unexpected "1" at byte 5/],
    ["a byte-order mark", "\ufeff{}", /not a JSON object \(starts with byte 0xef at byte 0\)/],
  ])("reports %s with its byte offset", async (_, text, reason) => {
    const read = await readJsonStream(await fileWith(text));
    expect(read.ok).toBe(false);
    expect(read.ok ? "" : read.reason).toMatch(reason);
  });

  it("calls invalid UTF-8 corrupt instead of replacing it with U+FFFD", async () => {
    for (const bytes of [
      Buffer.concat([Buffer.from('{"requests":[{"actor_id":"bob'), Buffer.from([0xff]), Buffer.from('"}]}')]),
      Buffer.concat([Buffer.from('{"a'), Buffer.from([0xc3]), Buffer.from('":1}')]),
      Buffer.concat([Buffer.from('{"a":1,'), Buffer.from([0xfe]), Buffer.from("}")]),
    ]) {
      const read = await readJsonStream(await fileWith(bytes));
      expect(read.ok).toBe(false);
      expect(read.ok ? "" : read.reason).toMatch(/not valid UTF-8|unexpected byte 0xfe/);
    }
  });

  it("calls a value larger than the bound corrupt, naming its offset", async () => {
    const read = await readJsonStream(await fileWith(`{"a":[1,"${"x".repeat(100)}"]}`), { maxValueBytes: 50 });
    expect(read).toEqual({ ok: false, reason: "a single value (at byte 8) is larger than 50 bytes, more than one string can hold" });
  });

  it("refuses a symlink and reports a missing file as E_NOT_FOUND", async () => {
    const dir = await tempDir();
    await symlink("/dev/zero", join(dir, "state.json"));
    await expect(readJsonStream(join(dir, "state.json"))).rejects.toMatchObject({ code: "E_UNSAFE_PATH" });
    await expect(readJsonStream(join(dir, "missing.json"))).rejects.toMatchObject({ code: "E_NOT_FOUND" });
  });
});
