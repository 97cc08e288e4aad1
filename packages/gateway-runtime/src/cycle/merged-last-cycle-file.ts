import { openAtomicFile, sealedAtomicFile, type AtomicFile } from "@tau/event-store";
import { lastCycleHeaderSchema, type LastCycleHeader } from "../state/last-cycle";
import type { CycleProvenance } from "../state/gateway-state";
import { statePaths } from "../state/state-paths";
import { firstLine, headerOfShard, mergedLastCycleHeader, writeLines, type LastCycleShard } from "./merged-last-cycle";
import type { MergedLastCycleJob } from "./merged-last-cycle-job";
import type { ShardCycle } from "./shard-cycle";

/**
 * The merged last-cycle.jsonl, uncommitted: the job's draft when the shards' headers are those of
 * the cycles their state.json records, else written again from the shards as they are now.
 */
export async function mergedLastCycleFile(context: {
  job: MergedLastCycleJob;
  /** The shards' last-cycle.jsonl paths, in the order the job was given them. */
  paths: readonly string[];
  shards: readonly ShardCycle[];
  path: string;
}): Promise<{ file: AtomicFile } | { skipped: string }> {
  const { job, paths, shards, path } = context;
  const first = shards[0] as ShardCycle;
  // A job that failed (a worker that could not start, a header it could not use) is written again here.
  const outcome = await job.result.catch(() => undefined);
  if (outcome !== undefined && "draft" in outcome) {
    const { draft } = outcome;
    const headers = new Map(paths.map((p, i) => [p, lastCycleHeaderSchema.safeParse(draft.shardHeaders[i])]));
    const parsed = shards.map((s) => {
      const header = headers.get(statePaths(s.stateDir).lastCyclePath);
      return header?.success && headerOfShard(header.data, { path, provenance: s.provenance }) ? header.data : undefined;
    });
    const checked = parsed.filter((h) => h !== undefined);
    if (checked.length === shards.length && JSON.stringify(draft.header) === JSON.stringify(mergedLastCycleHeader(first.provenance, checked))) {
      return { file: sealedAtomicFile(path, draft.tempPath) };
    }
  }
  await job.cancel();
  return prepareMergedLastCycle({
    path,
    provenance: first.provenance,
    shards: shards.map((s) => ({ path: statePaths(s.stateDir).lastCyclePath, provenance: s.provenance })),
  });
}

/**
 * Writes the merged dir's last-cycle.jsonl to a temp file, uncommitted: one header with the merged
 * provenance, then every shard's case lines in shard order (each shard's in its queue order), so
 * reports read a merged dir as they read any other. Returns a reason instead of a file when a shard
 * has no last-cycle.jsonl of the cycle being merged (an older runner, or a crash between its two
 * files). The shards' state.json is read first; `writeMergedLastCycle` is the one that need not.
 */
export async function prepareMergedLastCycle(options: {
  path: string;
  /** The provenance of the shard that comes first. */
  provenance: CycleProvenance;
  shards: readonly LastCycleShard[];
}): Promise<{ file: AtomicFile } | { skipped: string }> {
  const headers: LastCycleHeader[] = [];
  for (const shard of options.shards) {
    const header = await readHeader(shard.path);
    if (!header || !headerOfShard(header, shard)) {
      return { skipped: `${shard.path} does not hold the cycle of shard ${shard.provenance.shard.index}/${shard.provenance.shard.count} being merged` };
    }
    headers.push(header);
  }
  const file = await openAtomicFile(options.path);
  try {
    await writeLines(file, mergedLastCycleHeader(options.provenance, headers), options.shards.map((s) => s.path));
    return { file };
  } catch (error) {
    await file.abort();
    throw error;
  }
}

/** The header line of a last-cycle.jsonl; undefined when the file is missing or starts otherwise. */
async function readHeader(path: string): Promise<LastCycleHeader | undefined> {
  const parsed = lastCycleHeaderSchema.safeParse(await firstLine(path));
  return parsed.success ? parsed.data : undefined;
}
