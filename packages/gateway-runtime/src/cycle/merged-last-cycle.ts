import { classifyLine, openAtomicFile, readJsonl, scanLineBatches, type AtomicFile } from "@tau/event-store";
import { isCanonicalCaseLine } from "./canonical-case-line";
import type { LastCycleHeader } from "../state/last-cycle";
import type { CycleProvenance } from "../state/gateway-state";

// No zod here: this module is the body of the merge's worker, and loading zod there would cost
// more than the worker saves. Headers are checked by the thread that commits (merged-last-cycle-file.ts).

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

/** The provenance of a merged cycle: the shards' fixture and settings, no shard of its own. */
export function mergedProvenance(shard: CycleProvenance): CycleProvenance {
  return { fixture_sha256: shard.fixture_sha256, fixtures: shard.fixtures, shard: null, settings: shard.settings };
}

/** The fixture name a merged cycle reports: the fixture paths its shards ran. */
export function mergedFixtureName(provenance: CycleProvenance): string {
  return provenance.fixtures.map((f) => f.path).join(", ");
}

/** The header of a merged last-cycle.jsonl: the provenance of the shards, their earliest start and latest end. */
export function mergedLastCycleHeader(provenance: CycleProvenance, shardHeaders: readonly LastCycleHeader[]): LastCycleHeader {
  return {
    kind: "cycle",
    fixture_name: mergedFixtureName(provenance),
    driver: "merge",
    aborted: false,
    provenance: mergedProvenance(provenance),
    started_unix_ms: Math.min(...shardHeaders.map((h) => h.started_unix_ms)),
    finished_unix_ms: Math.max(...shardHeaders.map((h) => h.finished_unix_ms)),
  };
}

/** Whether a last-cycle.jsonl header is of the cycle a shard's state.json records. */
export const headerOfShard = (header: LastCycleHeader, shard: LastCycleShard) =>
  header.provenance.shard?.index === shard.provenance.shard.index &&
  header.provenance.shard?.count === shard.provenance.shard.count &&
  header.provenance.fixture_sha256 === shard.provenance.fixture_sha256;

/** A merged last-cycle.jsonl written and sealed aside, not yet in place (see sealedAtomicFile). */
export interface MergedLastCycleDraft {
  tempPath: string;
  /** The header line it starts with. */
  header: LastCycleHeader;
  /** The first line of each shard file, in the order the files were given, as JSON.parse read it. */
  shardHeaders: unknown[];
}

export type MergedLastCycleResult = { draft: MergedLastCycleDraft } | { skipped: string };

/**
 * Writes the merged last-cycle.jsonl of shard files given in any order, before the shards'
 * state.json files are read: the shards come in the order of their headers' shard indexes, and
 * the merged header is built from the headers alone. The caller checks both against the
 * shards' state.json (`headerOfShard`, `mergedLastCycleHeader`) before committing the draft.
 * `onOpened` gets the temp path as soon as there is one, to remove it if the caller gives up.
 */
export async function writeMergedLastCycle(options: { path: string; shardPaths: readonly string[] }, onOpened?: (tempPath: string) => void): Promise<MergedLastCycleResult> {
  const shardHeaders: unknown[] = [];
  const shards: { path: string; header: LastCycleHeader }[] = [];
  for (const path of options.shardPaths) {
    const line = await firstLine(path);
    // Only what ordering and the merged header need is looked at; the committing thread checks the rest.
    const header = line as LastCycleHeader | undefined;
    const index = header?.provenance?.shard?.index;
    if (header?.kind !== "cycle" || typeof index !== "number") return { skipped: `${path} holds no shard cycle` };
    shardHeaders.push(line);
    shards.push({ path, header });
  }
  shards.sort((a, b) => (a.header.provenance.shard?.index ?? 0) - (b.header.provenance.shard?.index ?? 0));
  const first = shards[0];
  if (first === undefined) return { skipped: "no shard files" };
  const header = mergedLastCycleHeader(first.header.provenance, shards.map((s) => s.header));
  const file = await openAtomicFile(options.path);
  onOpened?.(file.tempPath);
  try {
    await writeLines(file, header, shards.map((s) => s.path));
    await file.seal();
  } catch (error) {
    await file.abort();
    throw error;
  }
  return { draft: { tempPath: file.tempPath, header, shardHeaders } };
}

/**
 * The header, then the case lines of each file in turn. The files are streamed through the
 * bounded JSONL reader, a read's lines at a time.
 */
export async function writeLines(file: AtomicFile, header: LastCycleHeader, paths: readonly string[]): Promise<void> {
  const out = new LineWriter(file);
  await out.add(JSON.stringify(header));
  for (const path of paths) {
    // Lines are copied into the writer's buffers before the next batch: the reads can reuse theirs.
    for await (const lines of scanLineBatches(path, { reuseBuffers: true })) {
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
}

/** The first line of a file as JSON.parse reads it; undefined when the file is missing or the line is not JSON. */
export async function firstLine(path: string): Promise<unknown> {
  try {
    for await (const entry of readJsonl(path)) return entry.ok ? entry.value : undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === "E_NOT_FOUND") return undefined;
    throw error;
  }
  return undefined;
}
