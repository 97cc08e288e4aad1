import { constants } from "node:buffer";
import { MAX_LINE_BYTES, type ScannedLine } from "./scan-lines.js";

/** What one JSONL line turned out to be. */
export type LineVerdict =
  | { kind: "blank" }
  | { kind: "ok"; value: unknown }
  | { kind: "invalid"; error: string };

// Fatal decoding: Buffer#toString would swap bad bytes for U+FFFD, and `"\xff"` would then
// parse as a valid string, silently changing what was on disk.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const PREVIEW_CHARS = 200;
// UTF-8 needs at most 4 bytes per character, so this many bytes always cover the preview.
const PREVIEW_BYTES = PREVIEW_CHARS * 4;

const CR = 0x0d;

function isJsonWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === CR;
}

/** The line without the "\r" of a CRLF ending. */
function contentOf(bytes: Uint8Array): Uint8Array {
  return bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.subarray(0, -1) : bytes;
}

/** Decides whether a line is blank, a JSON value, or invalid; never throws. */
export function classifyLine(line: ScannedLine): LineVerdict {
  const content = contentOf(line.bytes);
  let first = 0;
  while (first < content.length && isJsonWhitespace(content[first])) first += 1;
  if (first === content.length) return { kind: "blank" };
  const torn = line.terminated ? "" : "last line has no trailing newline (torn write?): ";
  if (line.oversized) {
    return {
      kind: "invalid",
      error: `${torn}line is ${line.length} bytes, longer than the ${MAX_LINE_BYTES} bytes a reader holds; skipped unread`,
    };
  }
  if (content.length > constants.MAX_STRING_LENGTH) {
    return { kind: "invalid", error: `${torn}line is too long to parse (${content.length} bytes)` };
  }
  let text: string;
  try {
    text = strictUtf8.decode(content);
  } catch {
    return { kind: "invalid", error: `${torn}line is not valid UTF-8` };
  }
  try {
    return { kind: "ok", value: JSON.parse(text) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: "invalid", error: `${torn}${reason}` };
  }
}

/** The first 200 characters of a line, so a huge invalid line cannot bloat a report. */
export function previewLine(bytes: Uint8Array): string {
  const content = contentOf(bytes);
  const head = Buffer.from(content.buffer, content.byteOffset, Math.min(content.length, PREVIEW_BYTES));
  let text = head.toString("utf8").slice(0, PREVIEW_CHARS);
  // Do not end on half a surrogate pair.
  const last = text.charCodeAt(text.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) text = text.slice(0, -1);
  return text;
}
