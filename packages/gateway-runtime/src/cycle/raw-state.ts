import { readFile } from "node:fs/promises";
import { GatewayRuntimeError } from "../errors";
import { gatewayStateSchema, type GatewayState } from "../state/gateway-state";

/**
 * A state.json read for merging: everything but the request records parsed and validated, the
 * records kept as the bytes their runner wrote. Parsing and re-serialising every record of eight
 * 100k-case shards would cost seconds and hundreds of MB; copying their bytes costs neither.
 */
export interface RawState {
  /** The state with `requests` empty; the records are in `bytes`. */
  skeleton: GatewayState;
  bytes: Buffer;
  /** Record i is `bytes[starts[i], ends[i])`, its case key `keys[i]`, in file order. */
  starts: number[];
  ends: number[];
  keys: string[];
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

function decodeKey(bytes: Buffer, quoteAt: number, end: number): string {
  // Escapes are rare in case keys; only then does the string need JSON's own decoder.
  let escaped = false;
  for (let i = quoteAt + 1; i < end - 1 && !escaped; i++) escaped = bytes[i] === BACKSLASH;
  if (!escaped) return bytes.toString("utf8", quoteAt + 1, end - 1);
  return JSON.parse(bytes.toString("utf8", quoteAt, end)) as string;
}

/** The case key of the record at [start, end): read in place when the runner wrote it first. */
function recordKey(bytes: Buffer, start: number, end: number): string {
  if (bytes.compare(CASE_KEY_PREFIX, 0, CASE_KEY_PREFIX.length, start, start + CASE_KEY_PREFIX.length) === 0) {
    const quoteAt = start + CASE_KEY_PREFIX.length - 1;
    return decodeKey(bytes, quoteAt, skipString(bytes, quoteAt));
  }
  const record = JSON.parse(bytes.toString("utf8", start, end)) as { case_key?: unknown };
  if (typeof record.case_key !== "string") throw new Corrupt(`the request record at byte ${start} has no case_key`);
  return record.case_key;
}

/** Splits state.json into its request records and everything else; throws Corrupt. */
function scan(bytes: Buffer): RawState {
  let i = skipWhitespace(bytes, 0);
  if (bytes[i] !== OPEN_BRACE) throw new Corrupt("not a JSON object");
  i++;
  let requests: { start: number; end: number } | undefined;
  const starts: number[] = [];
  const ends: number[] = [];
  const keys: string[] = [];
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
          const end = skipValue(bytes, i);
          starts.push(i);
          ends.push(end);
          keys.push(recordKey(bytes, i, end));
          i = skipWhitespace(bytes, end);
          if (bytes[i] === COMMA) i = skipWhitespace(bytes, i + 1);
          else if (bytes[i] === CLOSE_BRACKET) {
            i++;
            break;
          } else throw new Corrupt(`expected "," or "]" at byte ${i}`);
        }
      }
      requests = { start: arrayStart, end: i };
    } else {
      i = skipValue(bytes, i);
    }
    i = skipWhitespace(bytes, i);
    if (bytes[i] === COMMA) i++;
    else if (bytes[i] !== CLOSE_BRACE) throw new Corrupt(`expected "," or "}" at byte ${i}`);
  }
  if (skipWhitespace(bytes, i + 1) !== bytes.length) throw new Corrupt(`unexpected content after the object at byte ${i + 1}`);
  const skeletonText = requests
    ? `${bytes.toString("utf8", 0, requests.start)}[]${bytes.toString("utf8", requests.end)}`
    : bytes.toString("utf8");
  const parsed = gatewayStateSchema.safeParse(JSON.parse(skeletonText));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? first.path.join(".") : "the file";
    throw new Corrupt(`unexpected content at ${where}: ${first?.message ?? "invalid"}`);
  }
  return { skeleton: parsed.data, bytes, starts, ends, keys };
}

/** Reads a state.json for merging without changing anything on disk. */
export async function readRawState(statePath: string): Promise<RawStateResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(statePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    throw new GatewayRuntimeError("E_IO", `cannot read ${statePath}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return { kind: "ok", raw: scan(bytes) };
  } catch (error) {
    if (error instanceof Corrupt || error instanceof SyntaxError) return { kind: "corrupt", reason: error.message };
    throw error;
  }
}
