import fc from "fast-check";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isCanonicalCaseLine } from "../src/cycle/canonical-case-line";
import { writeMergedLastCycle } from "../src/cycle/merged-last-cycle";
import { prepareMergedLastCycle } from "../src/cycle/merged-last-cycle-file";
import { makeTempDir } from "./helpers/temp-dir";

const strict = new TextDecoder("utf-8", { fatal: true });

/** What a merge wrote for a line before the fast path: its parse, serialised again (or nothing). */
function reference(bytes: Uint8Array): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(strict.decode(bytes));
  } catch {
    return undefined;
  }
  return (value as { kind?: unknown } | null)?.kind === "case" ? JSON.stringify(value) : undefined;
}

/** The fast path may only say yes when copying the bytes gives exactly what the reference writes. */
function expectSound(bytes: Uint8Array): void {
  if (isCanonicalCaseLine(bytes)) expect(reference(bytes)).toBe(Buffer.from(bytes).toString("utf8"));
}

const anyText = fc.string({ unit: "binary", maxLength: 12 });
const caseLine = fc.record({
  kind: fc.constant("case"),
  case_key: anyText,
  case_id: fc.string({ unit: fc.constantFrom(..."ab-_é漢😀\"\\\n\u0001\u007f\u2028") }),
  attempts: fc.integer({ min: -1e6, max: 1e6 }),
  status_code: fc.integer({ min: 0, max: 599 }),
  duration_ms: fc.oneof(fc.integer({ min: 0, max: 100_000 }).map((n) => n / 1000), fc.double({ noNaN: true })),
  body: fc.jsonValue({ maxDepth: 3 }),
});
/** Characters that make JSON non-canonical or invalid when dropped into a canonical line. */
const noise = fc.constantFrom(" ", "\t", "\r", "0", "-", ".", "e", "E", "+", "1", ",", ":", "{", "}", "[", "]", '"', "\\", "u", "/", "é", "\u0000", "n", "t");

// Property runs: seconds of CPU on a CI machine running every package at once.
describe("isCanonicalCaseLine", { timeout: 60_000 }, () => {
  it("accepts case lines as a runner writes them", () => {
    const line = '{"kind":"case","case_key":"GET:/v1/tasks/100002:case-100002","case_id":"case-100002","method":"GET","endpoint":"/v1/tasks/100002","actor_id":"actor-4","result":"applied","attempts":1,"outcome":"success","status_code":200,"error_code":"","duration_ms":0.43}';
    expect(isCanonicalCaseLine(Buffer.from(line))).toBe(true);
    expect(isCanonicalCaseLine(Buffer.from('{"kind":"case","body":{"a":[1,-2,0.5,1e-7,true,false,null,"x\\"\\\\\\n\\u001b"]},"text":"é漢😀"}'))).toBe(true);
  });

  it("says yes only when copying the bytes gives what parsing and serialising them gives (random canonical lines)", () => {
    fc.assert(
      fc.property(caseLine, (record) => {
        const text = JSON.stringify(record);
        expectSound(Buffer.from(text));
        // Lines as a runner writes them take the fast path: no lone surrogate (escaped or not),
        // a duration of at most 15 significant digits without an exponent, and a body that is
        // neither a container (array-index keys) nor a number (any double). The common case
        // must not fall back.
        const plainDuration = /^-?\d{1,9}(\.\d{1,3})?$/.test(String(record.duration_ms));
        const loneSurrogate = /[\ud800-\udfff]|\\ud[89a-f]/i.test(text);
        if (!loneSurrogate && plainDuration && typeof record.body !== "object" && typeof record.body !== "number") {
          expect(isCanonicalCaseLine(Buffer.from(text))).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("says no to every changed line whose copy would differ (random edits of canonical lines)", () => {
    fc.assert(
      fc.property(caseLine, fc.array(fc.tuple(fc.nat(), noise, fc.boolean()), { minLength: 1, maxLength: 3 }), (record, edits) => {
        let text = JSON.stringify(record);
        for (const [at, ch, replace] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + ch + text.slice(replace ? i + 1 : i);
        }
        expectSound(Buffer.from(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("takes a number as written only when Number prints it back that way (random number tokens)", () => {
    const digits = (max: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: max });
    const token = fc
      .tuple(fc.constantFrom("", "-"), digits(18), fc.option(digits(18)), fc.option(fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), digits(3))))
      .map(([sign, int, frac, exp]) => `${sign}${int}${frac === null ? "" : `.${frac}`}${exp === null ? "" : exp.join("")}`);
    let accepted = 0;
    fc.assert(
      fc.property(token, (t) => {
        const bytes = Buffer.from(`{"kind":"case","n":${t}}`);
        expectSound(bytes);
        if (isCanonicalCaseLine(bytes)) accepted++;
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it("says no to the lines JSON.parse and JSON.stringify would change", () => {
    const changed = [
      '{"kind":"case", "a":1}',
      '{"kind":"case","a":1.50}',
      '{"kind":"case","a":1e2}',
      '{"kind":"case","a":0.0000001}',
      '{"kind":"case","a":0.10}',
      '{"kind":"case","a":1234567890123456.5}',
      '{"kind":"case","a":-0}',
      '{"kind":"case","a":12345678901234567890}',
      '{"kind":"case","a":1e999}',
      '{"kind":"case","a":"\\u0041"}',
      '{"kind":"case","a":"\\/"}',
      '{"kind":"case","a":"\\u000a"}',
      '{"kind":"case","a":"\\u001B"}',
      '{"kind":"case","a":"\\ud83d\\ude00"}',
      '{"kind":"case","a":1,"a":2}',
      '{"kind":"case","kind":"case"}',
      '{"kind":"case","b":1,"2":0}',
      '{"kind":"case","a":{"x":1,"x":1}}',
      '{"kind":"case","a":1}\r',
      '{"kind":"case","a":1} ',
      '{"kind":"case","a":[1,]}',
      '{"kind":"case","a":01}',
      '{"kind":"case","a":"tab\there"}',
      '{"kind":"cycle","a":1}',
      '{"kind":"case","a":1',
      '{"kind":"case"}}',
    ];
    for (const line of changed) {
      expect(isCanonicalCaseLine(Buffer.from(line)), line).toBe(false);
      expectSound(Buffer.from(line));
    }
    expect(isCanonicalCaseLine(Buffer.from([...Buffer.from('{"kind":"case","a":"'), 0xc3, 0x28, ...Buffer.from('"}')]))).toBe(false);
    expect(isCanonicalCaseLine(Buffer.from(`{"kind":"case","a":${"[".repeat(600)}${"]".repeat(600)}}`))).toBe(false);
  });
});

describe("merged last-cycle.jsonl", () => {
  it("is, line for line, what parsing and serialising the shards' case lines gives", async () => {
    const dir = await makeTempDir();
    const provenance = (index: number) => ({ fixture_sha256: "f".repeat(64), fixtures: [], shard: { index, count: 2 }, settings: null });
    const header = (index: number) => JSON.stringify({ kind: "cycle", fixture_name: "x", driver: "simulated", started_unix_ms: index, finished_unix_ms: 10 + index, aborted: false, provenance: provenance(index) });
    const lines = [
      '{"kind":"case","case_key":"a","case_id":"a","duration_ms":0.25}',
      '{"kind":"case", "case_key":"b","case_id":"b","duration_ms":1.50}',
      '{"kind":"case","case_key":"c","case_id":"\\u0063","n":1e2}',
      '{"kind":"case","case_key":"d","case_id":"d","case_id":"d2"}',
      '{"kind":"case","case_key":"e","body":{"b":1,"0":2}}\r',
      "",
      "not json",
      '{"kind":"other"}',
      '{"kind":"case","case_key":"f","text":"é😀\\n"}',
    ];
    const shardFiles = [];
    for (const index of [1, 2]) {
      const path = join(dir, `shard-${index}.jsonl`);
      const bytes = Buffer.concat([
        Buffer.from(`${header(index)}\n${lines.join("\n")}\n`),
        Buffer.from([...Buffer.from('{"kind":"case","bad":"'), 0xff, ...Buffer.from('"}\n')]),
        Buffer.from('{"kind":"case","torn":tr'),
      ]);
      await writeFile(path, bytes);
      shardFiles.push({ path, provenance: provenance(index), bytes });
    }
    const out = join(dir, "merged.jsonl");
    const result = await prepareMergedLastCycle({ path: out, provenance: provenance(1), shards: shardFiles });
    if (!("file" in result)) throw new Error(result.skipped);
    await result.file.commit();

    const mergedHeader = { kind: "cycle", fixture_name: "", driver: "merge", aborted: false, provenance: { ...provenance(1), shard: null } };
    const expected = [JSON.stringify({ ...mergedHeader, started_unix_ms: 1, finished_unix_ms: 12 })];
    for (const { bytes } of shardFiles) {
      let start = 0;
      for (let end = bytes.indexOf(0x0a); start < bytes.length; end = bytes.indexOf(0x0a, start)) {
        const line = bytes.subarray(start, end === -1 ? bytes.length : end);
        const content = line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line;
        const serialised = reference(content);
        if (serialised !== undefined) expected.push(serialised);
        start = end === -1 ? bytes.length : end + 1;
      }
    }
    expect((await readFile(out, "utf8")).split("\n")).toEqual([...expected, ""]);
    expect(expected).toHaveLength(1 + 2 * 6);

    // Written before the shards' state.json is read (the merge's worker): shards in header
    // order whatever order they come in, the header built from theirs, the same bytes.
    const draft = await writeMergedLastCycle({ path: out, shardPaths: [shardFiles[1]!.path, shardFiles[0]!.path] });
    if (!("draft" in draft)) throw new Error(draft.skipped);
    expect(draft.draft.shardHeaders.map((h) => (h as { provenance: { shard: { index: number } } }).provenance.shard.index)).toEqual([2, 1]);
    expect(await readFile(draft.draft.tempPath, "utf8")).toBe(await readFile(out, "utf8"));
    await rm(draft.draft.tempPath);
    await writeFile(shardFiles[1]!.path, `{"kind":"cycle"}\n`);
    expect(await writeMergedLastCycle({ path: out, shardPaths: shardFiles.map((f) => f.path) })).toEqual({ skipped: `${shardFiles[1]!.path} holds no shard cycle` });
  });
});
