import { createHash } from "node:crypto";
import { EventStoreError } from "./errors.js";

// Names are cut below this many bytes (all output is ASCII, so chars = bytes): well under the
// 255-byte limit of every common file system, with room for the files inside and temp suffixes.
const MAX_NAME_BYTES = 150;
// Readable prefix kept in front of the hash when a name is cut (80 + "~h" + 64 hex = 146).
const KEPT_PREFIX_CHARS = 80;
// Windows refuses these as file names, with or without an extension, in any letter case.
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

function isPlain(codePoint: number): boolean {
  return (
    (codePoint >= 0x61 && codePoint <= 0x7a) || // a-z
    (codePoint >= 0x30 && codePoint <= 0x39) || // 0-9
    codePoint === 0x5f || // _
    codePoint === 0x2d // -
  );
}

function escapeByte(byte: number): string {
  return `~${byte.toString(16).padStart(2, "0")}`;
}

function encode(id: string): string {
  let out = "";
  // for..of walks code points; a lone surrogate comes out on its own and has no UTF-8 form.
  for (const char of id) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
      out += `~s${codePoint.toString(16).padStart(4, "0")}`;
    } else if (isPlain(codePoint) || (codePoint === 0x2e && out.length > 0)) {
      out += char;
    } else {
      for (const byte of Buffer.from(char, "utf8")) out += escapeByte(byte);
    }
  }
  // Windows silently drops a trailing dot, which would make "a." and "a" one directory.
  if (out.endsWith(".")) out = `${out.slice(0, -1)}${escapeByte(0x2e)}`;
  if (WINDOWS_DEVICE_NAME.test(out.split(".")[0] ?? "")) out = `${escapeByte(out.charCodeAt(0))}${out.slice(1)}`;
  return out;
}

function shorten(encoded: string): string {
  let cut = KEPT_PREFIX_CHARS;
  // Cut before an escape rather than through it; purely cosmetic, the hash keeps names distinct.
  const tilde = encoded.lastIndexOf("~", cut - 1);
  if (tilde !== -1) {
    const escapeLength = encoded[tilde + 1] === "s" ? 6 : 3;
    if (tilde + escapeLength > cut) cut = tilde;
  }
  const digest = createHash("sha256").update(encoded).digest("hex");
  return `${encoded.slice(0, cut)}~h${digest}`;
}

/**
 * Maps a channel id (e.g. an actor id) to a directory name that is always one safe path segment
 * and never shared by two different ids, even on case-insensitive or normalising file systems.
 *
 * Encoding: `a-z`, `0-9`, `_` and `-` stay as they are, and so does `.` except in first place, so
 * readable ids such as `ops-team`, `actor_1` or `alice` map to themselves. Every other character
 * is written as its UTF-8 bytes, each as `~` plus two lowercase hex digits: uppercase letters
 * (`Ops` → `~4fps`, so case-folding cannot merge it with `ops`), `/`, `\`, NUL, control
 * characters, spaces, a leading or trailing dot (`..` → `~2e~2e`), `~` itself (`~7e`) and all
 * non-ASCII text (composed `é` → `~c3~a9`, decomposed `é` → `e~cc~81`). A lone UTF-16 surrogate,
 * which has no UTF-8 form, becomes `~s` plus four hex digits, and Windows device names (`con`,
 * `nul`, ...) get their first letter escaped. The output is lowercase ASCII and decodes back to
 * exactly one id. Names over 150 bytes keep an 80-character prefix followed by `~h` and the
 * sha256 hex of the full encoded name; `~h` never occurs in an uncut name, so cut and uncut
 * names cannot collide either. Throws `E_INVALID_CHANNEL_ID` for an empty id.
 */
export function channelDirName(id: string): string {
  if (id.length === 0) {
    throw new EventStoreError("E_INVALID_CHANNEL_ID", "channel id must not be empty");
  }
  const encoded = encode(id);
  return encoded.length > MAX_NAME_BYTES ? shorten(encoded) : encoded;
}
