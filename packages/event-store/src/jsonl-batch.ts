/**
 * Records serialised to JSON lines as they are added, for one later `appendJsonl`. Serialising
 * early lets a long producer (a cycle of 100k cases) drop each record at once instead of keeping
 * every object alive until the write, and reports an unserialisable record where it is added.
 */
export class JsonlBatch {
  private readonly lines: string[] = [];

  /** Adds one record; throws a TypeError (and adds nothing) if it has no JSON form. */
  add(record: unknown): void {
    this.lines.push(serialiseRecord(record, this.lines.length, "JsonlBatch"));
  }

  /** Number of records added. */
  get size(): number {
    return this.lines.length;
  }

  /** The serialised lines, in order, without newlines. */
  toLines(): readonly string[] {
    return this.lines;
  }
}

/** One record as one JSON line; a TypeError names where it came from when it has no JSON form. */
export function serialiseRecord(record: unknown, index: number, where: string): string {
  let line: string | undefined;
  try {
    line = JSON.stringify(record);
  } catch (error) {
    throw new TypeError(`${where}: records[${index}] cannot be serialised to JSON`, { cause: error });
  }
  // JSON.stringify returns undefined for undefined, functions and symbols: writing "undefined"
  // would plant an invalid line that readers then report as corruption.
  if (line === undefined) throw new TypeError(`${where}: records[${index}] is ${typeof record}, not a JSON value`);
  return line;
}
