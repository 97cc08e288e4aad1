import { isUtf8 } from "node:buffer";
import { FixtureError } from "./errors";

function encodingError(source: string, message: string): FixtureError {
  return new FixtureError({ code: "E_FIXTURE_ENCODING", source, issues: [{ path: "", message: `${source}: ${message}` }] });
}

/** "UTF-16 (little-endian, …)" when the bytes look like UTF-16 or UTF-32 rather than UTF-8. */
function wideEncoding(b: Uint8Array): string | undefined {
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return "UTF-32 (little-endian, byte order mark FF FE 00 00)";
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return "UTF-32 (big-endian, byte order mark 00 00 FE FF)";
  if (b[0] === 0xff && b[1] === 0xfe) return "UTF-16 (little-endian, byte order mark FF FE)";
  if (b[0] === 0xfe && b[1] === 0xff) return "UTF-16 (big-endian, byte order mark FE FF)";
  // JSON starts with ASCII, so UTF-16 without a mark shows as NUL bytes on one side.
  if (b.length >= 4 && b[0] !== 0 && b[1] === 0 && b[2] !== 0 && b[3] === 0) return "UTF-16 (little-endian, no byte order mark: every other byte is NUL)";
  if (b.length >= 4 && b[0] === 0 && b[1] !== 0 && b[2] === 0 && b[3] !== 0) return "UTF-16 (big-endian, no byte order mark: every other byte is NUL)";
  return undefined;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [need, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [need, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = c & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      const next = b[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * A fixture file's bytes as text. Only UTF-8 is accepted: invalid bytes would silently become
 * U+FFFD (two ids differing in one bad byte would then be one id), so they are an invalid
 * fixture naming the byte offset; UTF-16 and UTF-32 files are named as such.
 */
export function decodeFixtureBytes(bytes: Uint8Array, source: string): string {
  const wide = wideEncoding(bytes);
  if (wide !== undefined) return fail(encodingError(source, `not UTF-8: the file looks like ${wide}; save it as UTF-8`));
  if (!isUtf8(bytes)) {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    for (let k = 0; k < offset; k++) if (bytes[k] === 10) line++;
    const byte = (bytes[offset] as number).toString(16).toUpperCase().padStart(2, "0");
    return fail(encodingError(source, `not valid UTF-8 at byte offset ${offset} (line ${line}, byte 0x${byte}); fixtures must be UTF-8 text`));
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

function fail(error: FixtureError): never {
  throw error;
}
