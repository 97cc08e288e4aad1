import type { RenderOptions } from "./report-input";

// XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF. With
// the `u` flag a lone surrogate is one code point, so it is matched (and dropped) too.
const XML_INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// Fast paths: most strings (ids, endpoints, codes) need no work at all, and a 100k-case report
// must not pay a replace per string. Anything outside these sets takes the slow, exact path.
const XML_TEXT_WORK = /[^\t\n\r\u0020-\u0025\u0027-\u003B\u003D\u003F-\uD7FF\uE000-\uFFFD]/;
const XML_ATTR_WORK = /[^\u0020-\u0021\u0023-\u0025\u0027-\u003B\u003D\u003F-\uD7FF\uE000-\uFFFD]/;
const NEEDS_XML_TEXT = /[&<>]/;
const NEEDS_XML_ATTR = /[&<>"\t\n\r]/;
// Terminal and layout control characters; tab and LF are kept in free text.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const HAS_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** A function applied to every string a report takes from its input: redaction, then control characters dropped. */
export type Clean = (text: string) => string;

/** The redactor of the options (if any) followed by the removal of control characters. */
export function cleaner(options: RenderOptions = {}): Clean {
  const { redact } = options;
  const strip = (text: string) => (HAS_CONTROL.test(text) ? text.replace(CONTROL, "") : text);
  return redact ? (text) => strip(redact(text)) : strip;
}

/** Text content of an XML element: invalid characters removed, markup escaped. */
export function xmlText(text: string): string {
  if (!XML_TEXT_WORK.test(text)) return text;
  const valid = text.replace(XML_INVALID, "");
  return NEEDS_XML_TEXT.test(valid) ? valid.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") : valid;
}

/** An XML attribute value (double-quoted): also quotes and line breaks, which attributes would normalise away. */
export function xmlAttr(text: string): string {
  if (!XML_ATTR_WORK.test(text)) return text;
  const valid = text.replace(XML_INVALID, "");
  if (!NEEDS_XML_ATTR.test(valid)) return valid;
  return valid
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}

/** HTML text or attribute value. */
export function htmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Cuts a long value so one case cannot blow up a report; says how much was cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A JSON value as one line of text (undefined reads as `(absent)`). */
export function showValue(value: unknown): string {
  if (value === undefined) return "(absent)";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A value as an inline `<code>` for Markdown, safe in a table cell: HTML escaped, and every
 * character Markdown or a table would interpret written as an entity, so it shows literally.
 */
export function mdCode(text: string): string {
  return `<code>${mdText(text)}</code>`;
}

/** Plain text for Markdown that renders literally (no emphasis, links, HTML or table breaks). */
export function mdText(text: string): string {
  // `_` between two letters or digits cannot start or end emphasis: left as is, for readable codes.
  return text
    .replace(/[&<>"'`*[\]\\|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/\r?\n|\r/g, " ⏎ ");
}

/** Deep copy of a JSON value with every string (keys included) passed through `clean`. */
export function cleanDeep(value: unknown, clean: Clean): unknown {
  if (typeof value === "string") return clean(value);
  if (Array.isArray(value)) return value.map((v) => cleanDeep(v, clean));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    // defineProperty: a `__proto__` key from a target stays a plain key.
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, clean(k), { value: cleanDeep(v, clean), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
