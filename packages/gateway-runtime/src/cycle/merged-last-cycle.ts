import { openAtomicFile, readJsonl, type AtomicFile } from "@tau/event-store";
import { lastCycleHeaderSchema, type LastCycleHeader } from "../state/last-cycle";
import type { CycleProvenance } from "../state/gateway-state";

/** One shard as the merged last-cycle.jsonl needs it: where its file is and which cycle it must hold. */
export interface LastCycleShard {
  path: string;
  provenance: CycleProvenance & { shard: { index: number; count: number } };
}

// Lines are handed to the file in pieces of about this size (as writeJsonlAtomic does).
const CHUNK_CHARS = 4 * 1024 * 1024;

const sameShard = (header: LastCycleHeader, shard: LastCycleShard) =>
  header.provenance.shard?.index === shard.provenance.shard.index &&
  header.provenance.shard?.count === shard.provenance.shard.count &&
  header.provenance.fixture_sha256 === shard.provenance.fixture_sha256;

/**
 * Writes the merged dir's last-cycle.jsonl to a temp file, uncommitted: one header with the merged
 * provenance, then every shard's case lines in shard order (each shard's in its queue order), so
 * reports read a merged dir as they read any other. The shards' files are streamed line by line
 * through the bounded JSONL reader. Returns a reason instead of a file when a shard has no
 * last-cycle.jsonl of the cycle being merged (an older runner, or a crash between its two files).
 */
export async function prepareMergedLastCycle(options: {
  path: string;
  /** The merged header but its times, which come from the shards' headers. */
  header: Pick<LastCycleHeader, "kind" | "fixture_name" | "driver" | "aborted" | "provenance">;
  shards: readonly LastCycleShard[];
}): Promise<{ file: AtomicFile } | { skipped: string }> {
  const file = await openAtomicFile(options.path);
  try {
    let text = "";
    const put = async (line: string) => {
      text += `${line}\n`;
      if (text.length >= CHUNK_CHARS) {
        await file.write(text);
        text = "";
      }
    };
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
    await put(JSON.stringify(merged));
    for (const shard of options.shards) {
      for await (const entry of readJsonl(shard.path)) {
        // A torn or hand-edited line stays out, as readLastCycle would skip it.
        if (!entry.ok) continue;
        const value = entry.value as { kind?: unknown };
        if (value?.kind === "case") await put(JSON.stringify(value));
      }
    }
    if (text.length > 0) await file.write(text);
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
