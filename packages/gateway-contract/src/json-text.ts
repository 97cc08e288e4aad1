/** Something JSON.parse accepts silently but a fixture must not: the last duplicate key wins, 1e309 becomes Infinity. */
export interface JsonTextIssue {
  kind: "duplicate_key" | "number_out_of_range";
  /** Path of the key or value, e.g. `["cases", 0, "expected"]`. */
  path: (string | number)[];
  /** UTF-16 offset of the key or literal in the text. */
  offset: number;
  /** The duplicate key, or the number exactly as written. */
  literal: string;
}

/**
 * Parses JSON text exactly like JSON.parse, and also reports duplicate keys and numbers too
 * large for a double. The common, clean case stays close to JSON.parse's speed: one native
 * parse, one scan counting object members in the text (each is one `:` outside strings) and
 * one walk counting the parsed keys and spotting ±Infinity. Only when the counts differ (a key
 * was merged) or a number overflowed does a second, slower scan find where.
 */
export function parseJsonText(text: string): { value: unknown; issues: JsonTextIssue[] } {
  const value: unknown = JSON.parse(text);
  const parsed = countParsedKeys(value);
  if (parsed.keys === countMembers(text) && !parsed.nonFinite) return { value, issues: [] };
  return { value, issues: findIssues(text) };
}

/** Members of every object in a valid JSON text: the `:` outside strings. */
function countMembers(text: string): number {
  const n = text.length;
  let colons = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Jump to the closing quote: the first `"` not escaped by an odd run of backslashes.
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        let k = q - 1;
        while (text.charCodeAt(k) === 92) k--;
        if ((q - 1 - k) % 2 === 0) {
          i = q + 1;
          break;
        }
        from = q + 1;
      }
      continue;
    }
    if (c === 58) colons++;
    i++;
  }
  return colons;
}

/** Own keys of every object in a parsed value (iterative: nesting cannot overflow the stack). */
function countParsedKeys(root: unknown): { keys: number; nonFinite: boolean } {
  let keys = 0;
  let nonFinite = false;
  // Only objects and arrays go on the stack; scalars are looked at where they are found.
  const stack: object[] = [];
  const visit = (value: unknown) => {
    if (typeof value === "object") {
      if (value !== null) stack.push(value);
    } else if (typeof value === "number" && !Number.isFinite(value)) nonFinite = true;
  };
  visit(root);
  while (stack.length > 0) {
    const node = stack.pop() as object;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) visit(node[i]);
      continue;
    }
    for (const key in node) {
      keys++;
      visit((node as Record<string, unknown>)[key]);
    }
  }
  return { keys, nonFinite };
}

type Frame = { object: true; keys: Set<string>; expectKey: boolean; hasKey: boolean } | { object: false };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The slow path: walks a text JSON.parse accepted, tracking the path, and lists every issue. */
function findIssues(text: string): JsonTextIssue[] {
  const issues: JsonTextIssue[] = [];
  const stack: Frame[] = [];
  const path: (string | number)[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i] as string;
    const top = stack[stack.length - 1];
    if (c === "{") {
      stack.push({ object: true, keys: new Set(), expectKey: true, hasKey: false });
      i++;
    } else if (c === "[") {
      stack.push({ object: false });
      path.push(0);
      i++;
    } else if (c === "}" || c === "]") {
      const frame = stack.pop();
      if (frame && (!frame.object || frame.hasKey)) path.pop();
      i++;
    } else if (c === ",") {
      if (top?.object) {
        top.expectKey = true;
        path.pop();
      } else {
        path[path.length - 1] = (path[path.length - 1] as number) + 1;
      }
      i++;
    } else if (c === '"') {
      const start = i;
      i++;
      while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      if (top?.object && top.expectKey) {
        const key = JSON.parse(text.slice(start, i)) as string;
        if (top.keys.has(key)) issues.push({ kind: "duplicate_key", path: [...path, key], offset: start, literal: key });
        top.keys.add(key);
        top.expectKey = false;
        top.hasKey = true;
        path.push(key);
      }
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const literal = (NUMBER.exec(text) as RegExpExecArray)[0];
      if (!Number.isFinite(Number(literal))) issues.push({ kind: "number_out_of_range", path: [...path], offset: i, literal });
      i += literal.length;
    } else {
      // Whitespace, ':' and the letters of true/false/null.
      i++;
    }
  }
  return issues;
}
