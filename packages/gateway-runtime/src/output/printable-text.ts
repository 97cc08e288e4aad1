/**
 * Characters a terminal or a Markdown line may act on: C0 controls (ESC starts ANSI sequences),
 * DEL, C1 controls (U+009B is a one-character CSI), line and paragraph separators, and the
 * bidirectional overrides that reorder what is shown.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_KEEP_LINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escape(ch: string): string {
  return SHORT[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Text from a fixture or a target made safe to print or to write as one line: control
 * characters become `\n`, `\u001b`, … so they can neither move the cursor, recolour the terminal,
 * nor start a new line. `multiline` keeps `\n` (for messages that are several lines by design).
 */
export function printableText(text: string, options: { multiline?: boolean } = {}): string {
  const pattern = options.multiline ? UNSAFE_KEEP_LINES : UNSAFE;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, escape) : text;
}
