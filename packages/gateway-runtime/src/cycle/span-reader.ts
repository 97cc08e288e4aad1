import { readSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { GatewayRuntimeError } from "../errors";

const WINDOW_BYTES = 1 << 20;

/**
 * Reads byte ranges of an open file through a sliding window. Merge reads each shard's records
 * in file order, so one window per shard keeps memory at a few MB however large the shards are;
 * the open handle also pins the file a shard runner may replace (by rename) meanwhile.
 */
export class SpanReader {
  private window: Buffer = Buffer.allocUnsafe(WINDOW_BYTES);
  private from = 0;
  private to = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
  ) {}

  /** True when [start, end) is in the window: `copy` may be called without `fill`. */
  has(start: number, end: number): boolean {
    return start >= this.from && end <= this.to;
  }

  /** Moves the window to start at `start`, large enough for [start, end). */
  async fill(start: number, end: number): Promise<void> {
    if (this.window.length < end - start) this.window = Buffer.allocUnsafe(end - start);
    let got = 0;
    try {
      while (got < this.window.length) {
        const { bytesRead } = await this.handle.read(this.window, got, this.window.length - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } catch (error) {
      throw new GatewayRuntimeError("E_IO", `cannot read ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    this.from = start;
    this.to = start + got;
    if (this.to < end) throw new GatewayRuntimeError("E_IO", `${this.path} became shorter while it was merged`);
  }

  /** Copies [start, end) into `target` at `at`; the range must be in the window. */
  copy(target: Buffer, at: number, start: number, end: number): number {
    return this.window.copy(target, at, start - this.from, end - this.from);
  }

  /** [start, end) as a fresh buffer, read at once: for the rare record read out of order. */
  readNow(start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(end - start);
    let got = 0;
    while (got < out.length) {
      const n = readSync(this.handle.fd, out, got, out.length - got, start + got);
      if (n === 0) throw new GatewayRuntimeError("E_IO", `${this.path} became shorter while it was merged`);
      got += n;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
