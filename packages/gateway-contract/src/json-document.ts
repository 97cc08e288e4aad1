/**
 * JSON text as an editable tree that keeps what JSON.parse loses: the order of every object's
 * keys (integer-like keys included) and numbers as written. Used to edit fixture files without
 * reordering them; the text must already be valid JSON.
 */
export type JsonNode =
  | { kind: "object"; entries: [string, JsonNode][] }
  | { kind: "array"; items: JsonNode[] }
  /** A string, boolean or null as its JSON text, or a number as written. */
  | { kind: "scalar"; text: string };

/** Parses valid JSON text (a leading BOM is skipped) into a JsonNode. */
export function parseJsonDocument(text: string): JsonNode {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const skip = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const value = (): JsonNode => {
    skip();
    const c = text[i];
    if (c === "{") {
      i++;
      const entries: [string, JsonNode][] = [];
      skip();
      if (text[i] === "}") {
        i++;
        return { kind: "object", entries };
      }
      for (;;) {
        skip();
        const key = JSON.parse(scalarText()) as string;
        skip();
        i++; // ':'
        entries.push([key, value()]);
        skip();
        if (text[i++] === "}") return { kind: "object", entries };
      }
    }
    if (c === "[") {
      i++;
      const items: JsonNode[] = [];
      skip();
      if (text[i] === "]") {
        i++;
        return { kind: "array", items };
      }
      for (;;) {
        items.push(value());
        skip();
        if (text[i++] === "]") return { kind: "array", items };
      }
    }
    return { kind: "scalar", text: scalarText() };
  };
  const scalarText = (): string => {
    const start = i;
    if (text[i] === '"') {
      i++;
      while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
    } else {
      while (i < text.length && !",}] \t\n\r".includes(text[i] as string)) i++;
    }
    return text.slice(start, i);
  };
  return value();
}

/** The node of a plain JSON value (keys in the object's own order). */
export function toJsonNode(value: unknown): JsonNode {
  if (Array.isArray(value)) return { kind: "array", items: value.map(toJsonNode) };
  if (typeof value === "object" && value !== null) {
    return { kind: "object", entries: Object.keys(value).map((k) => [k, toJsonNode((value as Record<string, unknown>)[k])]) };
  }
  return { kind: "scalar", text: JSON.stringify(value) ?? "null" };
}

/** The plain value of a node ("__proto__" stays an own key). */
export function fromJsonNode(node: JsonNode): unknown {
  if (node.kind === "scalar") return JSON.parse(node.text);
  if (node.kind === "array") return node.items.map(fromJsonNode);
  const out: Record<string, unknown> = {};
  for (const [k, v] of node.entries) Object.defineProperty(out, k, { value: fromJsonNode(v), enumerable: true, writable: true, configurable: true });
  return out;
}

/** JSON text with 2-space indentation, laid out as JSON.stringify(value, null, 2) does. */
export function stringifyJsonDocument(node: JsonNode, indent = ""): string {
  const inner = `${indent}  `;
  if (node.kind === "scalar") return node.text;
  if (node.kind === "array") {
    if (node.items.length === 0) return "[]";
    return `[\n${node.items.map((item) => inner + stringifyJsonDocument(item, inner)).join(",\n")}\n${indent}]`;
  }
  if (node.entries.length === 0) return "{}";
  return `{\n${node.entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringifyJsonDocument(v, inner)}`).join(",\n")}\n${indent}}`;
}
