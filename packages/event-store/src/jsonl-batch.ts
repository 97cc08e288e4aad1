// Chunks start small (a cycle has a batch per actor, most of them short) and double up to this,
// so a 100k-line batch is ~100 buffers, not 100k strings.
const FIRST_CHUNK_BYTES = 16 * 1024;
const MAX_CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Records serialised to JSON lines as they are added, for one later `appendJsonl` or
 * `writeJsonlAtomic`. Serialising early lets a long producer (a cycle of 100k cases) drop each
 * record at once, and reports an unserialisable record where it is added. The lines are kept as
 * UTF-8 bytes in a few large buffers outside the JS heap: a cycle's lines live until the end of
 * the cycle, and as 100k small strings the garbage collector would copy them again and again.
 */
export class JsonlBatch {
  private readonly full: Buffer[] = [];
  private chunk: Buffer = Buffer.alloc(0);
  private used = 0;
  private count = 0;

  /** Adds one record; throws a TypeError (and adds nothing) if it has no JSON form. */
  add(record: unknown): void {
    this.addSerialised(serialiseRecord(record, this.count, "JsonlBatch"));
  }

  /**
   * Adds a line the caller already serialised: one JSON value as produced by `JSON.stringify`
   * (so without a raw newline). For hot paths that build a fixed-shape line by hand.
   */
  addSerialised(line: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so this bound never needs a length scan.
    const worst = line.length * 3 + 1;
    if (this.chunk.length - this.used < worst) this.nextChunk(worst);
    this.used += this.chunk.write(line, this.used, "utf8");
    this.chunk[this.used++] = NEWLINE;
    this.count++;
  }

  private nextChunk(atLeast: number): void {
    if (this.used > 0) this.full.push(this.chunk.subarray(0, this.used));
    const grown = Math.min(MAX_CHUNK_BYTES, Math.max(FIRST_CHUNK_BYTES, this.chunk.length * 2));
    this.chunk = Buffer.allocUnsafe(Math.max(grown, atLeast));
    this.used = 0;
  }

  /** Number of records added. */
  get size(): number {
    return this.count;
  }

  /** Total bytes of the lines, newlines included. */
  get byteLength(): number {
    let total = this.used;
    for (const b of this.full) total += b.length;
    return total;
  }

  /** The lines as UTF-8 bytes, each line ending in "\n", in order; a line never spans two buffers. */
  chunks(): readonly Buffer[] {
    return this.used > 0 ? [...this.full, this.chunk.subarray(0, this.used)] : [...this.full];
  }

  /** The serialised lines, in order, without newlines. Decodes the bytes: for tests and small batches. */
  toLines(): readonly string[] {
    const lines: string[] = [];
    for (const b of this.chunks()) {
      const text = b.toString("utf8");
      lines.push(...text.slice(0, -1).split("\n"));
    }
    return lines;
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
