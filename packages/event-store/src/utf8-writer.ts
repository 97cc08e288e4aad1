import type { AtomicFile } from "./atomic-file.js";

/**
 * Text to a file in writes of about `size` bytes, encoded straight into one reused buffer: no
 * string of a batch is ever built, no fresh buffer per piece (off-heap growth that makes V8
 * collect early), and appending is synchronous until the buffer is full. For writers that emit
 * many small pieces (state.json members, a 100k-case JUnit report).
 */
export class Utf8Writer {
  private readonly batch: Buffer;
  private used = 0;

  constructor(
    private readonly file: Pick<AtomicFile, "write">,
    size = 1024 * 1024,
  ) {
    this.batch = Buffer.allocUnsafe(size);
  }

  /** Appends text; returns a promise only when the buffer had to be written out first (await it). */
  write(text: string): Promise<void> | undefined {
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so this bound never needs a length scan.
    if (text.length * 3 <= this.batch.length - this.used) {
      this.used += this.batch.write(text, this.used, "utf8");
      return undefined;
    }
    return this.writeSlow(text);
  }

  /** Writes bytes as they are, after what is buffered. */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    await this.flush();
    await this.file.write(bytes);
  }

  /** Hands what is buffered to the file; awaited before the next append, so the buffer is free again. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    await this.file.write(this.batch.subarray(0, n));
  }

  private async writeSlow(text: string): Promise<void> {
    await this.flush();
    if (text.length * 3 <= this.batch.length) this.used += this.batch.write(text, this.used, "utf8");
    else await this.file.write(text);
  }
}
