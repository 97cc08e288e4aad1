import { classifyLine, openAtomicFile, readJsonl, scanLineBatches, type AtomicFile } from "@tau/event-store";
import { isCanonicalCaseLine } from "./canonical-case-line";
import { lastCycleHeaderSchema, type LastCycleHeader } from "../state/last-cycle";
import type { CycleProvenance } from "../state/gateway-state";

/** One shard as the merged last-cycle.jsonl needs it: where its file is and which cycle it must hold. */
export interface LastCycleShard {
  path: string;
  provenance: CycleProvenance & { shard: { index: number; count: number } };
}

// Lines are handed to the file in pieces of about this size (as writeJsonlAtomic does).
const CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Lines gathered as bytes in a few large buffers, handed to the file as each fills. `add` is
 * synchronous unless the buffer is full (an await per line would cost a promise per line).
 */
class LineWriter {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  constructor(private readonly file: AtomicFile) {}

  /** Adds a line (without its newline); returns a promise to await only when it wrote the buffer. */
  add(line: Uint8Array | string): Promise<void> | undefined {
    const length = typeof line === "string" ? Buffer.byteLength(line) : line.length;
    if (this.used + length + 1 > this.chunk.length) return this.flush(length + 1).then(() => void this.add(line));
    if (typeof line === "string") this.used += this.chunk.write(line, this.used);
    else {
      this.chunk.set(line, this.used);
      this.used += line.length;
    }
    this.chunk[this.used++] = NEWLINE;
    return undefined;
  }

  /** Writes what is gathered; the next buffer holds at least `room` bytes. */
  async flush(room = 0): Promise<void> {
    if (this.used > 0) await this.file.write(this.chunk.subarray(0, this.used));
    // write resolves once the file has the bytes, so the buffer can be filled again.
    if (room > this.chunk.length) this.chunk = Buffer.allocUnsafe(room);
    this.used = 0;
  }
}

const sameShard = (header: LastCycleHeader, shard: LastCycleShard) =>
  header.provenance.shard?.index === shard.provenance.shard.index &&
  header.provenance.shard?.count === shard.provenance.shard.count &&
  header.provenance.fixture_sha256 === shard.provenance.fixture_sha256;

/**
 * Writes the merged dir's last-cycle.jsonl to a temp file, uncommitted: one header with the merged
 * provenance, then every shard's case lines in shard order (each shard's in its queue order), so
 * reports read a merged dir as they read any other. The shards' files are streamed through the
 * bounded JSONL reader, a read's lines at a time. Returns a reason instead of a file when a shard
 * has no last-cycle.jsonl of the cycle being merged (an older runner, or a crash between its two
 * files).
 */
export async function prepareMergedLastCycle(options: {
  path: string;
  /** The merged header but its times, which come from the shards' headers. */
  header: Pick<LastCycleHeader, "kind" | "fixture_name" | "driver" | "aborted" | "provenance">;
  shards: readonly LastCycleShard[];
}): Promise<{ file: AtomicFile } | { skipped: string }> {
  const file = await openAtomicFile(options.path);
  try {
    const out = new LineWriter(file);
    const headers: LastCycleHeader[] = [];
    // The merged header goes first but its times come from every shard's header: a first pass
    // reads only the headers (one line each), the second streams the case lines.
    for (const shard of options.shards) {
      const header = await readHeader(shard.path);
      if (!header || !sameShard(header, shard)) {
        await file.abort();
        return { skipped: `${shard.path} does not hold the cycle of shard ${shard.provenance.shard.index}/${shard.provenance.shard.count} being merged` };
      }
      headers.push(header);
    }
    const merged: LastCycleHeader = {
      ...options.header,
      started_unix_ms: Math.min(...headers.map((h) => h.started_unix_ms)),
      finished_unix_ms: Math.max(...headers.map((h) => h.finished_unix_ms)),
    };
    await out.add(JSON.stringify(merged));
    for (const shard of options.shards) {
      // Lines are copied into the writer's buffers before the next batch: the reads can reuse theirs.
      for await (const lines of scanLineBatches(shard.path, { reuseBuffers: true })) {
        for (const line of lines) {
          // A case line as a runner writes it is copied as it is: the same bytes as parsing and
          // serialising it (isCanonicalCaseLine checks that), without building a value.
          if (!line.oversized && isCanonicalCaseLine(line.bytes)) {
            const full = out.add(line.bytes);
            if (full) await full;
            continue;
          }
          // Anything else as readJsonl gives it: a torn or hand-edited line stays out, as
          // readLastCycle would skip it; a case line is written as JSON.stringify writes it.
          const verdict = classifyLine(line);
          if (verdict.kind !== "ok") continue;
          const value = verdict.value as { kind?: unknown };
          if (value?.kind === "case") await out.add(JSON.stringify(value));
        }
      }
    }
    await out.flush();
    return { file };
  } catch (error) {
    await file.abort();
    throw error;
  }
}

/** The header line of a last-cycle.jsonl; undefined when the file is missing or starts otherwise. */
async function readHeader(path: string): Promise<LastCycleHeader | undefined> {
  try {
    for await (const entry of readJsonl(path)) {
      if (!entry.ok) return undefined;
      const parsed = lastCycleHeaderSchema.safeParse(entry.value);
      return parsed.success ? parsed.data : undefined;
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === "E_NOT_FOUND") return undefined;
    throw error;
  }
  return undefined;
}
