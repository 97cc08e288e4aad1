import { constants, isUtf8 } from "node:buffer";
import type { FileHandle } from "node:fs/promises";
import { toIoError } from "./io-error.js";
import { openRegular } from "./safe-open.js";

/** What {@link readJsonStream} found: the object, or why the file is not one. */
export type JsonFileRead = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

/** Options of {@link readJsonStream}. */
export interface ReadJsonStreamOptions {
  /** Largest single member or array element, in bytes; defaults to V8's longest string. */
  maxValueBytes?: number;
  /**
   * Files up to this size are read whole and parsed with one JSON.parse (falling back to the
   * member-by-member reader for anything that is not a valid object, so every reason stays the
   * same); larger ones are streamed. Default {@link WHOLE_FILE_BYTES}; 0 always streams.
   */
  wholeFileBytes?: number;
}

/**
 * Files up to this size are parsed whole: one native JSON.parse is several times faster than a
 * parse per member and element, and the file plus its text (at most twice this, briefly) is a
 * bounded cost next to the parsed objects. Larger files keep the streaming reader's bounded
 * memory and its independence from V8's longest string.
 */
export const WHOLE_FILE_BYTES = 128 * 1024 * 1024;

const CHUNK_BYTES = 1024 * 1024;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isWhitespace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** Where the grammar of the top-level object is. */
const enum At {
  ObjectOpen,
  KeyOrClose,
  Key,
  Colon,
  MemberValue,
  ElementOrClose,
  Element,
  ElementCommaOrClose,
  MemberCommaOrClose,
  End,
}

/** What the value being captured will become. */
const enum Role {
  Key,
  Member,
  Element,
}

class Corrupt extends Error {}

/** One JSON value being collected byte by byte: its pieces (views into read chunks) and scan state. */
class Capture {
  pieces: Buffer[] = [];
  bytes = 0;
  depth = 0;
  inString = false;
  escaped = false;
  constructor(
    readonly role: Role,
    readonly kind: "container" | "string" | "scalar",
    readonly offset: number,
  ) {}
}

/** A printable form of one byte for messages. */
function shown(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? JSON.stringify(String.fromCharCode(byte)) : `byte 0x${byte.toString(16).padStart(2, "0")}`;
}

/**
 * Reads a JSON file whose top level is an object. A file larger than `wholeFileBytes` is never
 * held as one string: each member is parsed on its own, and a member that is an array one
 * element at a time. So the file may be far larger than V8's longest string (~512 MiB); only one
 * member or element must fit. A smaller file is parsed whole when it is valid, with the same
 * result; when it is not, it is streamed too, so the reason is always the streaming reader's.
 * Every byte is checked: invalid UTF-8 anywhere, any JSON syntax error, or a value larger than
 * `maxValueBytes` gives `{ ok: false, reason }` with the byte offset, never a silently "repaired"
 * value (Buffer#toString would turn bad bytes into U+FFFD). Duplicate keys: the last wins, as in
 * JSON.parse. Throws `E_NOT_FOUND` for a missing file and `E_UNSAFE_PATH` for a symlink, FIFO or
 * device (never followed or read), `E_IO` for read errors.
 */
export async function readJsonStream(path: string, options: ReadJsonStreamOptions = {}): Promise<JsonFileRead> {
  const maxValueBytes = options.maxValueBytes ?? constants.MAX_STRING_LENGTH;
  const handle = await openRegular(path, "read", "read");
  let whole: Record<string, unknown> | undefined;
  try {
    // A file no larger than the largest value allowed cannot hold a value over the bound.
    whole = await readWhole(handle, path, Math.min(options.wholeFileBytes ?? WHOLE_FILE_BYTES, maxValueBytes, constants.MAX_STRING_LENGTH));
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (whole !== undefined) {
    await handle.close();
    return { ok: true, value: whole };
  }
  const result: Record<string, unknown> = {};
  let at: At = At.ObjectOpen;
  let capture: Capture | undefined;
  let key = "";
  let array: unknown[] = [];
  let position = 0;

  const finish = (done: Capture) => {
    let text: string;
    const bytes = done.pieces.length === 1 ? (done.pieces[0] as Buffer) : Buffer.concat(done.pieces, done.bytes);
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      throw new Corrupt(`not valid UTF-8 (in the value at byte ${done.offset})`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Corrupt(`not valid JSON (in the value at byte ${done.offset}: ${(error as Error).message})`);
    }
    if (done.role === Role.Key) {
      key = value as string;
      at = At.Colon;
    } else if (done.role === Role.Member) {
      // defineProperty: a "__proto__" key is data, as JSON.parse makes it, not a prototype.
      Object.defineProperty(result, key, { value, writable: true, enumerable: true, configurable: true });
      at = At.MemberCommaOrClose;
    } else {
      array.push(value);
      at = At.ElementCommaOrClose;
    }
  };

  const start = (role: Role, byte: number, offset: number): Capture => {
    const kind = byte === 0x7b || byte === 0x5b ? "container" : byte === QUOTE ? "string" : "scalar";
    if (kind === "scalar" && !(byte === 0x2d || (byte >= 0x30 && byte <= 0x39) || byte === 0x74 || byte === 0x66 || byte === 0x6e)) {
      throw new Corrupt(`not valid JSON (unexpected ${shown(byte)} at byte ${offset})`);
    }
    return new Capture(role, kind, offset);
  };

  /** Feeds chunk bytes from `i` into the capture; returns the index after its end, or -1 if it needs more. */
  const feed = (c: Capture, chunk: Buffer, i: number): number => {
    let j = i;
    let done = false;
    if (c.kind === "scalar") {
      while (j < chunk.length) {
        const b = chunk[j] as number;
        if (b === 0x2c || b === 0x5d || b === 0x7d || isWhitespace(b)) {
          done = true;
          break;
        }
        j += 1;
      }
    } else {
      while (j < chunk.length) {
        if (c.inString) {
          // Bodies are mostly long strings: jump to the next quote instead of walking every byte.
          const quote = chunk.indexOf(QUOTE, j);
          const end = quote === -1 ? chunk.length : quote;
          // Backslashes right before `end` decide whether that quote is escaped (an odd run is).
          let run = 0;
          while (end - run - 1 >= j && chunk[end - run - 1] === BACKSLASH) run += 1;
          const odd = (run + (end - run === j && c.escaped ? 1 : 0)) % 2 === 1;
          if (quote === -1) {
            c.escaped = odd;
            j = chunk.length;
            break;
          }
          c.escaped = false;
          j = quote + 1;
          if (odd) continue;
          c.inString = false;
          if (c.kind === "string") {
            done = true;
            break;
          }
          continue;
        }
        const b = chunk[j] as number;
        j += 1;
        if (b === QUOTE) c.inString = true;
        else if (b === 0x7b || b === 0x5b) c.depth += 1;
        else if (b === 0x7d || b === 0x5d) {
          c.depth -= 1;
          if (c.depth === 0) {
            done = true;
            break;
          }
        }
      }
    }
    c.bytes += j - i;
    if (c.bytes > maxValueBytes) {
      throw new Corrupt(`a single value (at byte ${c.offset}) is larger than ${maxValueBytes} bytes, more than one string can hold`);
    }
    if (j > i) c.pieces.push(chunk.subarray(i, j));
    return done ? j : -1;
  };

  try {
    for (;;) {
      // A fresh buffer per read: captured pieces are views into it.
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, position));
      } catch (error) {
        throw toIoError(error, "read", path);
      }
      if (bytesRead === 0) break;
      const data = chunk.subarray(0, bytesRead);
      let i = 0;
      while (i < data.length) {
        if (capture !== undefined) {
          const end = feed(capture, data, i);
          if (end === -1) break;
          const done = capture;
          capture = undefined;
          finish(done);
          i = end;
          continue;
        }
        const b = data[i] as number;
        if (isWhitespace(b)) {
          i += 1;
          continue;
        }
        const offset = position + i;
        const unexpected = () => new Corrupt(`not valid JSON (unexpected ${shown(b)} at byte ${offset})`);
        switch (at as At) {
          case At.ObjectOpen:
            if (b !== 0x7b) throw new Corrupt(`not a JSON object (starts with ${shown(b)} at byte ${offset})`);
            at = At.KeyOrClose;
            break;
          case At.KeyOrClose:
          case At.Key:
            if (b === 0x7d && at === At.KeyOrClose) at = At.End;
            else if (b === QUOTE) {
              capture = start(Role.Key, b, offset);
              continue;
            } else throw unexpected();
            break;
          case At.Colon:
            if (b !== 0x3a) throw unexpected();
            at = At.MemberValue;
            break;
          case At.MemberValue:
            if (b === 0x5b) {
              array = [];
              at = At.ElementOrClose;
              break;
            }
            capture = start(Role.Member, b, offset);
            continue;
          case At.ElementOrClose:
          case At.Element:
            if (b === 0x5d && at === At.ElementOrClose) {
              finishArray();
              break;
            }
            capture = start(Role.Element, b, offset);
            continue;
          case At.ElementCommaOrClose:
            if (b === 0x2c) at = At.Element;
            else if (b === 0x5d) finishArray();
            else throw unexpected();
            break;
          case At.MemberCommaOrClose:
            if (b === 0x2c) at = At.Key;
            else if (b === 0x7d) at = At.End;
            else throw unexpected();
            break;
          case At.End:
            throw new Corrupt(`not valid JSON (unexpected ${shown(b)} after the end of the object, at byte ${offset})`);
        }
        i += 1;
      }
      position += bytesRead;
    }
    // A number at the very end of the file has no delimiter after it; anything else is cut short.
    if (capture !== undefined && capture.kind === "scalar" && capture.bytes > 0) {
      const done = capture;
      capture = undefined;
      finish(done);
    }
    if (at !== At.End || capture !== undefined) throw new Corrupt(`not valid JSON (the file ends before the object does, at byte ${position})`);
    return { ok: true, value: result };
  } catch (error) {
    if (error instanceof Corrupt) return { ok: false, reason: error.message };
    throw error;
  } finally {
    await handle.close();
  }

  function finishArray(): void {
    Object.defineProperty(result, key, { value: array, writable: true, enumerable: true, configurable: true });
    array = [];
    at = At.MemberCommaOrClose;
  }
}

/**
 * The fast path of {@link readJsonStream}: the object of a file of at most `limit` bytes that is
 * valid UTF-8 and valid JSON with an object at the top, parsed with one JSON.parse (which gives
 * exactly what the member-by-member parse gives: same values, key order, last duplicate wins,
 * `"__proto__"` as data). `undefined` for anything else (too large, grown while read, invalid
 * UTF-8 or JSON, not an object): the caller then streams the file from its start, which finds
 * the same problem and names it with its byte offset.
 */
async function readWhole(handle: FileHandle, path: string, limit: number): Promise<Record<string, unknown> | undefined> {
  let size: number;
  try {
    size = (await handle.stat()).size;
  } catch (error) {
    throw toIoError(error, "read", path);
  }
  if (size > limit) return undefined;
  // One byte more than stat said, to notice a file that grew since.
  let bytes: Buffer | undefined = Buffer.allocUnsafe(size + 1);
  let filled = 0;
  try {
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } catch (error) {
    throw toIoError(error, "read", path);
  }
  if (filled > size || !isUtf8(bytes.subarray(0, filled))) return undefined;
  const text = bytes.toString("utf8", 0, filled);
  // The bytes are not needed past this point: let them go before the parse allocates.
  bytes = undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
