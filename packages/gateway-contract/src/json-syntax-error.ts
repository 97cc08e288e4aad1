/** Where a JSON text stops being valid, as 1-based line and column. */
export interface JsonSyntaxError {
  offset: number;
  line: number;
  column: number;
  reason: string;
}

const WS = new Set([" ", "\t", "\n", "\r"]);

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Finds the first syntax error of a JSON text. V8's JSON.parse messages do not always carry a
 * position ("Unexpected token '}', ... is not valid JSON"), so this scanner recomputes it.
 * Returns null for valid JSON.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0;
  const peek = () => text[i];
  const skipWs = () => {
    while (i < text.length && WS.has(text[i] as string)) i++;
  };
  const found = () => (i >= text.length ? "end of input" : JSON.stringify(text[i]));
  const expect = (what: string): never => {
    throw new Stop(i, `expected ${what}, found ${found()}`);
  };

  const literal = (word: string) => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return;
    }
    const end = text.slice(i).search(/[\s,\]}]|$/);
    throw new Stop(i, `expected ${word}, found ${JSON.stringify(text.slice(i, i + Math.min(end, 20)))}`);
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      const ch = text[i];
      if (ch === undefined) throw new Stop(i, "unterminated string, found end of input");
      if (ch === '"') {
        i++;
        return;
      }
      if (ch === "\\") {
        const esc = text[i + 1];
        if (esc === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Stop(i, "invalid \\u escape in string");
          i += 6;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) {
          i += 2;
        } else {
          throw new Stop(i, "invalid escape in string");
        }
        continue;
      }
      if (ch < " ") throw new Stop(i, "control character in string (escape it)");
      i++;
    }
  };
  const number = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "-" || m[0].length === 0) expect("a value");
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    skipWs();
    const ch = peek();
    if (ch === "{") return object();
    if (ch === "[") return array();
    if (ch === '"') return string();
    if (ch === "t") return literal("true");
    if (ch === "f") return literal("false");
    if (ch === "n") return literal("null");
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) return number();
    expect("a value");
  };
  const object = () => {
    i++;
    skipWs();
    if (peek() === "}") {
      i++;
      return;
    }
    for (;;) {
      skipWs();
      if (peek() !== '"') expect("a double-quoted property name");
      string();
      skipWs();
      if (peek() !== ":") expect("':' after property name");
      i++;
      value();
      skipWs();
      if (peek() === ",") {
        i++;
        continue;
      }
      if (peek() === "}") {
        i++;
        return;
      }
      expect("',' or '}' after property value");
    }
  };
  const array = () => {
    i++;
    skipWs();
    if (peek() === "]") {
      i++;
      return;
    }
    for (;;) {
      value();
      skipWs();
      if (peek() === ",") {
        i++;
        continue;
      }
      if (peek() === "]") {
        i++;
        return;
      }
      expect("',' or ']' after array element");
    }
  };

  try {
    value();
    skipWs();
    if (i < text.length) expect("end of input after the JSON value");
    return null;
  } catch (error) {
    // A hostile file can nest deeper than the stack; report where the scan gave up.
    const stop = error instanceof RangeError ? new Stop(i, "nesting too deep") : error;
    if (!(stop instanceof Stop)) throw error;
    return { ...lineAndColumn(text, stop.offset), offset: stop.offset, reason: stop.reason };
  }
}

/** 1-based line and column of a UTF-16 offset in a text. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
