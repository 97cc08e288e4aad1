import { isUtf8 } from "node:buffer";

/**
 * Whether a line of last-cycle.jsonl can be copied as it is into a merged one: true only when
 * the bytes are exactly `JSON.stringify(JSON.parse(text))` of their own strict UTF-8 text, and
 * that value is an object whose `kind` is "case". A merge used to parse and re-serialise every
 * case line (8 × 100k of them, most of its time and garbage); a runner writes them canonically,
 * so checking the bytes once gives the same output without building a value.
 *
 * It accepts a subset of what would round-trip (anything else goes to the parse-and-serialise
 * path, which gives the same bytes for it): no whitespace; strings with literal characters and
 * only the escapes JSON.stringify writes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and `\u00xx`
 * in lower case for the other control characters); decimals of at most 15 significant digits as
 * Number prints them, numbers with an exponent only when `String(Number(token))` gives them back;
 * objects of at most 64 keys, none repeated (JSON.parse keeps the last value at the first key's
 * place) and none starting with a digit (V8 moves array-index keys to the front); at most 512
 * levels deep.
 */
export function isCanonicalCaseLine(bytes: Uint8Array): boolean {
  if (!startsWithKindCase(bytes)) return false;
  nonAscii = false;
  keyTop = 0;
  if (objectEnd(bytes, 0, 0) !== bytes.length) return false;
  // Bytes ≥ 0x80 are only accepted inside strings; the strict reader refuses invalid UTF-8.
  return !nonAscii || isUtf8(bytes);
}

const FAIL = -1;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MAX_DEPTH = 512;
const MAX_KEYS = 64;

const PREFIX = Buffer.from('{"kind":"case"');
const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL = Buffer.from("null");

/** Escapes JSON.stringify writes with a letter after the backslash. */
const SHORT_ESCAPE = new Uint8Array(256);
for (const ch of '"\\bfnrt') SHORT_ESCAPE[ch.charCodeAt(0)] = 1;
/** Control characters JSON.stringify writes as `\b`, `\t`, `\n`, `\f`, `\r`, not as `\u00xx`. */
const HAS_SHORT_FORM = new Uint8Array(32);
for (const code of [0x08, 0x09, 0x0a, 0x0c, 0x0d]) HAS_SHORT_FORM[code] = 1;

// State of one check (the module is single-threaded and the check never awaits).
let nonAscii = false;
/** Byte ranges of the keys of the objects being checked, innermost last, for the repeat check. */
const keyStarts = new Int32Array(MAX_KEYS * 8);
const keyEnds = new Int32Array(MAX_KEYS * 8);
let keyTop = 0;

const isDigit = (b: number | undefined): boolean => b !== undefined && b >= ZERO && b <= NINE;

function startsWithKindCase(bytes: Uint8Array): boolean {
  if (bytes.length < PREFIX.length + 1) return false;
  for (let k = 0; k < PREFIX.length; k++) if (bytes[k] !== PREFIX[k]) return false;
  const next = bytes[PREFIX.length];
  return next === COMMA || next === CLOSE_BRACE;
}

function valueEnd(bytes: Uint8Array, at: number, depth: number): number {
  const b = bytes[at];
  if (b === QUOTE) return stringEnd(bytes, at);
  if (b === OPEN_BRACE) return objectEnd(bytes, at, depth + 1);
  if (b === OPEN_BRACKET) return arrayEnd(bytes, at, depth + 1);
  if (b === MINUS || isDigit(b)) return numberEnd(bytes, at);
  if (b === 0x74) return literalEnd(bytes, at, TRUE);
  if (b === 0x66) return literalEnd(bytes, at, FALSE);
  if (b === 0x6e) return literalEnd(bytes, at, NULL);
  return FAIL;
}

function literalEnd(bytes: Uint8Array, at: number, literal: Buffer): number {
  if (at + literal.length > bytes.length) return FAIL;
  for (let k = 1; k < literal.length; k++) if (bytes[at + k] !== literal[k]) return FAIL;
  return at + literal.length;
}

/** Bytes that end a run of plain string bytes: quote, backslash, control characters, non-ASCII. */
const STRING_STOP = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) STRING_STOP[b] = 1;
for (let b = 0x80; b < 0x100; b++) STRING_STOP[b] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

function stringEnd(bytes: Uint8Array, at: number): number {
  let i = at + 1;
  for (;;) {
    // Plain bytes in a tight loop; past the end, bytes[i] is undefined and stops it too.
    let b = bytes[i];
    while (STRING_STOP[b as number] === 0) b = bytes[++i];
    if (b === QUOTE) return i + 1;
    if (b === undefined || b < 0x20) return FAIL;
    if (b >= 0x80) {
      nonAscii = true;
      i++;
      continue;
    }
    // A backslash.
    const e = bytes[i + 1];
    if (e === undefined) return FAIL;
    if (SHORT_ESCAPE[e] === 1) {
      i += 2;
      continue;
    }
    // \u00xx, lower-case hex, for a control character without a short form.
    if (e !== 0x75 || i + 5 >= bytes.length || bytes[i + 2] !== ZERO || bytes[i + 3] !== ZERO) return FAIL;
    const high = bytes[i + 4] as number;
    const low = bytes[i + 5] as number;
    if (high !== ZERO && high !== ZERO + 1) return FAIL;
    const lowValue = isDigit(low) ? low - ZERO : low >= 0x61 && low <= 0x66 ? low - 0x61 + 10 : -1;
    if (lowValue < 0 || HAS_SHORT_FORM[(high - ZERO) * 16 + lowValue] === 1) return FAIL;
    i += 6;
  }
}

function numberEnd(bytes: Uint8Array, at: number): number {
  const end = bytes.length;
  let i = at;
  if (bytes[i] === MINUS) i++;
  const intStart = i;
  if (bytes[i] === ZERO) i++;
  else if (isDigit(bytes[i])) while (i < end && isDigit(bytes[i])) i++;
  else return FAIL;
  const intDigits = i - intStart;
  const zeroInt = intDigits === 1 && bytes[intStart] === ZERO;
  let fracDigits = 0;
  let fracLeadingZeros = 0;
  if (bytes[i] === DOT) {
    const from = ++i;
    while (i < end && isDigit(bytes[i])) i++;
    fracDigits = i - from;
    if (fracDigits === 0) return FAIL;
    while (fracLeadingZeros < fracDigits && bytes[from + fracLeadingZeros] === ZERO) fracLeadingZeros++;
  }
  if (bytes[i] === 0x65 || bytes[i] === 0x45) {
    i++;
    if (bytes[i] === PLUS || bytes[i] === MINUS) i++;
    const from = i;
    while (i < end && isDigit(bytes[i])) i++;
    if (i === from) return FAIL;
    // Rare in a case line: ask Number's own printer.
    const token = Buffer.from(bytes.buffer, bytes.byteOffset + at, i - at).toString("latin1");
    return String(Number(token)) === token ? i : FAIL;
  }
  // Up to 15 significant digits a decimal is the shortest one that reads back as its double, so
  // Number prints these digits; it prints them as written unless the number is -0, ends in a
  // fractional zero, or is below 1e-6 (printed with an exponent).
  const significant = zeroInt ? fracDigits - fracLeadingZeros : intDigits + fracDigits;
  if (significant > 15) return FAIL;
  if (fracDigits > 0 && bytes[i - 1] === ZERO) return FAIL;
  if (zeroInt && fracDigits > 0 && fracLeadingZeros > 5) return FAIL;
  if (zeroInt && fracDigits === 0 && bytes[at] === MINUS) return FAIL;
  return i;
}

function arrayEnd(bytes: Uint8Array, at: number, depth: number): number {
  if (depth > MAX_DEPTH) return FAIL;
  let i = at + 1;
  if (bytes[i] === CLOSE_BRACKET) return i + 1;
  for (;;) {
    i = valueEnd(bytes, i, depth);
    if (i === FAIL) return FAIL;
    const b = bytes[i];
    if (b === CLOSE_BRACKET) return i + 1;
    if (b !== COMMA) return FAIL;
    i++;
  }
}

function sameBytes(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (bytes[a + k] !== bytes[b + k]) return false;
  return true;
}

function objectEnd(bytes: Uint8Array, at: number, depth: number): number {
  if (depth > MAX_DEPTH) return FAIL;
  let i = at + 1;
  if (bytes[i] === CLOSE_BRACE) return i + 1;
  const base = keyTop;
  let seenLow = 0;
  let seenHigh = 0;
  try {
    for (;;) {
      if (bytes[i] !== QUOTE || isDigit(bytes[i + 1])) return FAIL;
      const keyEnd = stringEnd(bytes, i);
      if (keyEnd === FAIL) return FAIL;
      // Keys are written one way each (see above), so equal strings are equal bytes.
      const length = keyEnd - i;
      // A 64-bit filter of the keys seen (length, first and last character): only a key whose
      // bit is already set is compared with the earlier ones.
      const bit = (length + 7 * (bytes[i + 1] as number) + 13 * (bytes[keyEnd - 2] as number)) & 63;
      const seen = bit < 32 ? seenLow & (1 << bit) : seenHigh & (1 << (bit - 32));
      if (seen !== 0) {
        for (let k = base; k < keyTop; k++) {
          const start = keyStarts[k] as number;
          if ((keyEnds[k] as number) - start === length && sameBytes(bytes, start, i, length)) return FAIL;
        }
      } else if (bit < 32) seenLow |= 1 << bit;
      else seenHigh |= 1 << (bit - 32);
      if (keyTop - base === MAX_KEYS || keyTop === keyStarts.length) return FAIL;
      keyStarts[keyTop] = i;
      keyEnds[keyTop] = keyEnd;
      keyTop++;
      if (bytes[keyEnd] !== COLON) return FAIL;
      i = valueEnd(bytes, keyEnd + 1, depth);
      if (i === FAIL) return FAIL;
      const b = bytes[i];
      if (b === CLOSE_BRACE) return i + 1;
      if (b !== COMMA) return FAIL;
      i++;
    }
  } finally {
    keyTop = base;
  }
}
