/** A short human description of a JSON value, for "found …" in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing: the field is missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === "object") return "an object";
  return String(value);
}
