import { isUtf8 } from "node:buffer";
import type { FileHandle } from "node:fs/promises";
import { EventStoreError, openRegular } from "@tau/event-store";
import { GatewayRuntimeError } from "../errors";
import { gatewayStateSchema, type GatewayState } from "../state/gateway-state";
import { SpanReader } from "./span-reader";

/**
 * A state.json read for merging: everything but the request records parsed and validated, the
 * records located (byte ranges and case keys) and left in the file, to be copied as the bytes
 * their runner wrote. Parsing and re-serialising every record of eight 100k-case shards would
 * cost seconds and hundreds of MB; copying their bytes costs neither.
 */
export interface RawState {
  /** The state with `requests` and `processed_case_keys` empty: see `records` and `processedKeys`. */
  skeleton: GatewayState;
  processedKeys: RawKeys;
  /** Record i is bytes [starts[i], ends[i]) of the file, its case key `keys[i]`, in file order. */
  starts: number[];
  ends: number[];
  keys: string[];
  /** The file, held open (close it): the records are read from it again while merging. */
  records: SpanReader;
}

/**
 * The processed case keys of a state.json as its bytes: a merge of shards that cannot share a
 * key writes them as they are, so 8 × 100k keys are neither decoded, validated by zod, hashed
 * as strings nor serialised again.
 */
export interface RawKeys {
  /** The array's elements as written (strings joined by commas), without its brackets. */
  bytes: Buffer;
  count: number;
  /** fnv1a32 of each key (shard.ts), from its UTF-8 bytes; undefined when a key has an escape. */
  hashes: Uint32Array | undefined;
}

/** The keys as strings, for merges that must look at them one by one. */
export function rawKeyStrings(keys: RawKeys): string[] {
  return keys.count === 0 ? [] : (JSON.parse(`[${keys.bytes.toString("utf8")}]`) as string[]);
}

export type RawStateResult = { kind: "ok"; raw: RawState } | { kind: "missing" } | { kind: "corrupt"; reason: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Bytes that may appear outside strings and brackets in JSON: whitespace, punctuation, numbers, literals. */
const BARE = new Uint8Array(256);
for (const ch of " \t\n\r,:0123456789+-.eEtrufalsn") BARE[ch.charCodeAt(0)] = 1;
const WHITESPACE = new Uint8Array(256);
for (const ch of " \t\n\r") WHITESPACE[ch.charCodeAt(0)] = 1;

const CASE_KEY_PREFIX = Buffer.from('{"case_key":"');

/** Internal to this file: every Corrupt becomes a `{ kind: "corrupt", reason }` result. */
class Corrupt extends Error {}

/**
 * Index just past the string that opens at `at` (a quote). A plain loop: the strings of a record
 * are short, and a native indexOf call per string costs more than it saves.
 */
function skipString(bytes: Buffer, at: number): number {
  const length = bytes.length;
  let i = at + 1;
  while (i < length) {
    const b = bytes[i] as number;
    if (b === QUOTE) return i + 1;
    i += b === BACKSLASH ? 2 : 1;
  }
  throw new Corrupt(`unterminated string at byte ${at}`);
}

function skipWhitespace(bytes: Buffer, at: number): number {
  let i = at;
  while (i < bytes.length && WHITESPACE[bytes[i] as number] === 1) i++;
  return i;
}

/**
 * Index just past the JSON value at `at`, checking brackets pair up and that nothing but JSON's
 * own bytes appears outside strings: a torn or hand-broken file fails here, not in the merged dir.
 */
function skipValue(bytes: Buffer, at: number): number {
  const closers: number[] = [];
  let i = at;
  for (;;) {
    if (i >= bytes.length) throw new Corrupt(`unexpected end of file in the value at byte ${at}`);
    const b = bytes[i] as number;
    if (b === QUOTE) {
      i = skipString(bytes, i);
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      closers.push(b === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET);
      i++;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      if (closers.pop() !== b) throw new Corrupt(`unbalanced brackets at byte ${i}`);
      i++;
    } else if (BARE[b] === 1) {
      i++;
    } else {
      throw new Corrupt(`unexpected byte 0x${b.toString(16)} at byte ${i}`);
    }
    if (closers.length === 0) {
      // A scalar ends at the first byte that cannot continue it.
      if (b !== QUOTE && b !== CLOSE_BRACE && b !== CLOSE_BRACKET) {
        while (i < bytes.length && BARE[bytes[i] as number] === 1 && bytes[i] !== COMMA && bytes[i] !== COLON && WHITESPACE[bytes[i] as number] !== 1) i++;
      }
      return i;
    }
  }
}

/** Byte classes for the record loop: what each byte may do outside strings. */
const INVALID = 0;
const PLAIN = 1;
const STRING = 2;
const OPENS = 3;
const CLOSES = 4;
const CLASS = new Uint8Array(256);
for (let b = 0; b < 256; b++) CLASS[b] = BARE[b] === 1 ? PLAIN : INVALID;
CLASS[QUOTE] = STRING;
CLASS[OPEN_BRACE] = OPENS;
CLASS[OPEN_BRACKET] = OPENS;
CLASS[CLOSE_BRACE] = CLOSES;
CLASS[CLOSE_BRACKET] = CLOSES;

/** Byte classes inside a string: JSON.parse refuses a raw control character there, and so does the merge. */
const STRING_PLAIN = 0;
const STRING_QUOTE = 1;
const STRING_ESCAPE = 2;
const STRING_CONTROL = 3;
const STRING_BYTE = new Uint8Array(256);
STRING_BYTE[QUOTE] = STRING_QUOTE;
STRING_BYTE[BACKSLASH] = STRING_ESCAPE;
for (let b = 0; b < 0x20; b++) STRING_BYTE[b] = STRING_CONTROL;

/** Deeper response bodies than this are refused rather than given an unbounded stack. */
const MAX_DEPTH = 4096;
/** Expected closers of the open brackets; `{` + 2 is `}` and `[` + 2 is `]`. */
const closers = new Uint8Array(MAX_DEPTH);

/**
 * Index just past the record (a JSON object) that opens at `start`, checking that brackets pair
 * up and that nothing but JSON's own bytes appears outside strings. One loop for the bytes of
 * every record of every shard: this is where a merge spends its time.
 */
function skipRecord(bytes: Buffer, start: number): number {
  const length = bytes.length;
  let depth = 0;
  let i = start;
  while (i < length) {
    const b = bytes[i] as number;
    const kind = CLASS[b] as number;
    if (kind === STRING) {
      i++;
      for (;;) {
        // Past the end, bytes[i] is undefined: STRING_BYTE gives undefined, neither plain nor quote.
        const c = STRING_BYTE[bytes[i] as number];
        if (c === STRING_PLAIN) i++;
        else if (c === STRING_QUOTE) break;
        else if (c === STRING_ESCAPE) i += 2;
        else if (c === STRING_CONTROL) throw new Corrupt(`control character in a string at byte ${i}`);
        else throw new Corrupt(`unterminated string in the request record at byte ${start}`);
      }
    } else if (kind === OPENS) {
      if (depth === MAX_DEPTH) throw new Corrupt(`the request record at byte ${start} is nested deeper than ${MAX_DEPTH}`);
      closers[depth++] = b + 2;
    } else if (kind === CLOSES) {
      if (depth === 0 || closers[--depth] !== b) throw new Corrupt(`unbalanced brackets at byte ${i}`);
      if (depth === 0) return i + 1;
    } else if (kind === INVALID) {
      throw new Corrupt(`unexpected byte 0x${b.toString(16)} at byte ${i}`);
    }
    i++;
  }
  throw new Corrupt(`unexpected end of file in the request record at byte ${start}`);
}

/** The case key of the record at [start, end): read in place when the runner wrote it first. */
function recordKey(bytes: Buffer, start: number, end: number): string {
  let prefixed = start + CASE_KEY_PREFIX.length <= end;
  for (let k = 0; prefixed && k < CASE_KEY_PREFIX.length; k++) prefixed = bytes[start + k] === CASE_KEY_PREFIX[k];
  if (prefixed) {
    const from = start + CASE_KEY_PREFIX.length;
    let i = from;
    let escaped = false;
    while (i < end && bytes[i] !== QUOTE) {
      if (bytes[i] === BACKSLASH) {
        escaped = true;
        i++;
      }
      i++;
    }
    // Escapes are rare in case keys; only then does the string need JSON's own decoder.
    return escaped ? (JSON.parse(bytes.toString("utf8", from - 1, i + 1)) as string) : bytes.toString("utf8", from, i);
  }
  const record = JSON.parse(bytes.toString("utf8", start, end)) as { case_key?: unknown };
  if (typeof record.case_key !== "string") throw new Corrupt(`the request record at byte ${start} has no case_key`);
  return record.case_key;
}

const UPDATED_FIELD = Buffer.from('"updated_unix_ms":');

/** `updated_unix_ms` read from the record's tail (`…,"updated_unix_ms":123}`), NaN when not there. */
function recordUpdated(bytes: Buffer, start: number, end: number): number {
  let i = end - 2;
  let value = 0;
  let scale = 1;
  while (i > start && (bytes[i] as number) >= 0x30 && (bytes[i] as number) <= 0x39) {
    value += ((bytes[i] as number) - 0x30) * scale;
    scale *= 10;
    i--;
  }
  if (i === end - 2 || scale > 1e15) return Number.NaN;
  const from = i + 1 - UPDATED_FIELD.length;
  if (from <= start) return Number.NaN;
  for (let k = 0; k < UPDATED_FIELD.length; k++) if (bytes[from + k] !== UPDATED_FIELD[k]) return Number.NaN;
  return value;
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** What may follow a backslash in a JSON string (`u` takes four hex digits). */
const ESCAPE = new Uint8Array(256);
for (const ch of '"\\/bfnrtu') ESCAPE[ch.charCodeAt(0)] = 1;
/** Bytes that end the plain run of a key: the closing quote, a backslash, a control character. */
const KEY_STOP = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) KEY_STOP[b] = 1;
KEY_STOP[QUOTE] = 1;
KEY_STOP[BACKSLASH] = 1;
const HEX = new Uint8Array(256);
for (const ch of "0123456789abcdefABCDEF") HEX[ch.charCodeAt(0)] = 1;

function grow(array: Uint32Array): Uint32Array {
  const grown = new Uint32Array(array.length * 2);
  grown.set(array);
  return grown;
}

/**
 * The array of strings that opens at `at` (processed_case_keys), checked as JSON.parse would
 * (control characters, escapes; UTF-8 is checked for the whole file) and each key hashed from
 * its bytes. Returns the index past the array.
 */
function scanKeys(bytes: Buffer, at: number, out: { keys?: RawKeys }): number {
  let hashes: Uint32Array | undefined = new Uint32Array(1024);
  let count = 0;
  let i = skipWhitespace(bytes, at + 1);
  const first = i;
  let last = i;
  if (bytes[i] !== CLOSE_BRACKET) {
    for (;;) {
      if (bytes[i] !== QUOTE) throw new Corrupt(`expected a case key at byte ${i}`);
      let hash = FNV_OFFSET_BASIS;
      let j = i + 1;
      for (;;) {
        // Plain bytes in a tight loop; past the end, bytes[j] is undefined and stops it too.
        let b = bytes[j];
        while (KEY_STOP[b as number] === 0) {
          hash = Math.imul(hash ^ (b as number), FNV_PRIME);
          b = bytes[++j];
        }
        if (b === undefined) throw new Corrupt(`unterminated string at byte ${i}`);
        if (b === QUOTE) break;
        if (b < 0x20) throw new Corrupt(`control character in a string at byte ${j}`);
        const e = bytes[j + 1] as number;
        if (ESCAPE[e] !== 1) throw new Corrupt(`invalid escape at byte ${j}`);
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) if (HEX[bytes[j + k] as number] !== 1) throw new Corrupt(`invalid escape at byte ${j}`);
        }
        // A key with an escape is hashed from its string (rare: keys are METHOD:endpoint:id).
        hashes = undefined;
        j += e === 0x75 ? 6 : 2;
      }
      if (hashes !== undefined) {
        if (count === hashes.length) hashes = grow(hashes);
        (hashes as Uint32Array)[count] = hash >>> 0;
      }
      count++;
      last = j + 1;
      i = skipWhitespace(bytes, last);
      if (bytes[i] === COMMA) i = skipWhitespace(bytes, i + 1);
      else if (bytes[i] === CLOSE_BRACKET) break;
      else throw new Corrupt(`expected "," or "]" at byte ${i}`);
    }
  }
  // A copy: `bytes` is the scratch buffer the next shard's file is read into.
  out.keys = { bytes: Buffer.from(bytes.subarray(first, last)), count, hashes: hashes?.subarray(0, count) };
  return i + 1;
}

/**
 * `updated_unix_ms` of record i, read from the file: only records two shards both hold need it
 * (the newer one is kept), so it is not indexed for all of them.
 */
export function recordUpdatedAt(raw: RawState, i: number): number {
  const bytes = raw.records.readNow(raw.starts[i] as number, raw.ends[i] as number);
  const tail = recordUpdated(bytes, 0, bytes.length);
  if (!Number.isNaN(tail)) return tail;
  const record = JSON.parse(bytes.toString("utf8")) as { updated_unix_ms?: unknown };
  return typeof record.updated_unix_ms === "number" ? record.updated_unix_ms : 0;
}

/** Splits state.json into its request records and everything else; throws Corrupt. */
function scan(bytes: Buffer): Omit<RawState, "records"> {
  let i = skipWhitespace(bytes, 0);
  if (bytes[i] !== OPEN_BRACE) throw new Corrupt("not a JSON object");
  i++;
  let requests: { start: number; end: number } | undefined;
  const starts: number[] = [];
  const ends: number[] = [];
  const recordKeys: string[] = [];
  const keys: { keys?: RawKeys } = {};
  let keysRange: { start: number; end: number } | undefined;
  for (;;) {
    i = skipWhitespace(bytes, i);
    if (bytes[i] === CLOSE_BRACE) break;
    if (bytes[i] !== QUOTE) throw new Corrupt(`expected a field name at byte ${i}`);
    const nameEnd = skipString(bytes, i);
    const name = bytes.toString("utf8", i + 1, nameEnd - 1);
    i = skipWhitespace(bytes, nameEnd);
    if (bytes[i] !== COLON) throw new Corrupt(`expected ":" at byte ${i}`);
    i = skipWhitespace(bytes, i + 1);
    if (name === "requests" && bytes[i] === OPEN_BRACKET && requests === undefined) {
      const arrayStart = i;
      i = skipWhitespace(bytes, i + 1);
      if (bytes[i] === CLOSE_BRACKET) i++;
      else {
        for (;;) {
          if (bytes[i] !== OPEN_BRACE) throw new Corrupt(`expected a request record at byte ${i}`);
          const end = skipRecord(bytes, i);
          starts.push(i);
          ends.push(end);
          recordKeys.push(recordKey(bytes, i, end));
          i = skipWhitespace(bytes, end);
          if (bytes[i] === COMMA) i = skipWhitespace(bytes, i + 1);
          else if (bytes[i] === CLOSE_BRACKET) {
            i++;
            break;
          } else throw new Corrupt(`expected "," or "]" at byte ${i}`);
        }
      }
      requests = { start: arrayStart, end: i };
    } else if (name === "processed_case_keys" && bytes[i] === OPEN_BRACKET && keysRange === undefined) {
      const start = i;
      i = scanKeys(bytes, i, keys);
      keysRange = { start, end: i };
    } else {
      i = skipValue(bytes, i);
    }
    i = skipWhitespace(bytes, i);
    if (bytes[i] === COMMA) i++;
    else if (bytes[i] !== CLOSE_BRACE) throw new Corrupt(`expected "," or "}" at byte ${i}`);
  }
  if (skipWhitespace(bytes, i + 1) !== bytes.length) throw new Corrupt(`unexpected content after the object at byte ${i + 1}`);
  // The skeleton is the file with both arrays emptied (processed_case_keys comes first as written).
  const cuts = [keysRange, requests].filter((r) => r !== undefined).sort((a, b) => a.start - b.start);
  let skeletonText = "";
  let from = 0;
  for (const cut of cuts) {
    skeletonText += `${bytes.toString("utf8", from, cut.start)}[]`;
    from = cut.end;
  }
  skeletonText += bytes.toString("utf8", from);
  const parsed = gatewayStateSchema.safeParse(JSON.parse(skeletonText));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? first.path.join(".") : "the file";
    throw new Corrupt(`unexpected content at ${where}: ${first?.message ?? "invalid"}`);
  }
  // JSON.parse would keep a repeated field's last value; the arrays cut out were the first ones.
  if ((requests && parsed.data.requests.length > 0) || (keysRange && parsed.data.processed_case_keys.length > 0)) {
    throw new Corrupt("a field appears twice");
  }
  const processedKeys = keys.keys ?? { bytes: Buffer.alloc(0), count: 0, hashes: new Uint32Array(0) };
  return { skeleton: parsed.data, processedKeys, starts, ends, keys: recordKeys };
}

/** A buffer reused for reading one state file after another: 8 × 35 MB of fresh buffers make GC work. */
export interface ScratchBuffer {
  bytes: Buffer;
}

async function readWhole(handle: FileHandle, scratch: ScratchBuffer): Promise<Buffer> {
  const { size } = await handle.stat();
  if (scratch.bytes.length < size) scratch.bytes = Buffer.allocUnsafe(size);
  const bytes = scratch.bytes;
  let got = 0;
  while (got < size) {
    const { bytesRead } = await handle.read(bytes, got, size - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return bytes.subarray(0, got);
}

/**
 * Reads a state.json for merging without changing anything on disk. The whole file is scanned
 * once (in `scratch`, which the next read reuses); only the record index stays in memory, and
 * the open handle for copying.
 */
export async function readRawState(statePath: string, scratch: ScratchBuffer = { bytes: Buffer.alloc(0) }): Promise<RawStateResult> {
  let handle: FileHandle;
  try {
    // As the runtime reads state.json: a symlink or FIFO in its place is refused, never followed.
    handle = await openRegular(statePath, "read", "read");
  } catch (error) {
    if (EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND") return { kind: "missing" };
    if (EventStoreError.isInstance(error) && error.code === "E_UNSAFE_PATH") throw error;
    throw new GatewayRuntimeError("E_IO", `cannot read ${statePath}: ${(error as Error).message}`, { cause: error });
  }
  try {
    let bytes: Buffer;
    try {
      bytes = await readWhole(handle, scratch);
    } catch (error) {
      throw new GatewayRuntimeError("E_IO", `cannot read ${statePath}: ${(error as Error).message}`, { cause: error });
    }
    // As the runtime reads state.json (behavior.md §10): invalid UTF-8 is a corrupt state, and
    // copied as it is it would make the merged state.json corrupt too.
    if (!isUtf8(bytes)) throw new Corrupt("not valid UTF-8");
    return { kind: "ok", raw: { ...scan(bytes), records: new SpanReader(handle, statePath) } };
  } catch (error) {
    await handle.close();
    if (error instanceof Corrupt || error instanceof SyntaxError) return { kind: "corrupt", reason: error.message };
    throw error;
  }
}
