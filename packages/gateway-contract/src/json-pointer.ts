/** RFC 6901 reference token of one key: `~` → `~0`, `/` → `~1`. */
export function escapePointerToken(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The reference tokens of a JSON Pointer; undefined when it is not one ("" is the root). */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return undefined;
  const tokens = pointer.slice(1).split("/");
  if (tokens.some((t) => /~(?![01])/.test(t))) return undefined;
  return tokens.map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The pointer of `tokens`. */
export function formatPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${escapePointerToken(String(t))}`).join("");
}

/** True when `pointer` is `prefix` or lies under it (`/a/b` is under `/a`, `/ab` is not). */
export function isUnderPointer(pointer: string, prefix: string): boolean {
  return prefix === "" || pointer === prefix || pointer.startsWith(`${prefix}/`);
}
