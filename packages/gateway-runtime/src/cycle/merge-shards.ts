import { rm, rmdir, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { appendJsonl, EventStoreError, RawJsonArray } from "@tau/event-store";
import {
  classifyHealth,
  cycleReasonCodes,
  emptyCycleSummary,
  type CycleSummary,
} from "@tau/gateway-guardrail";
import { GatewayRuntimeError } from "../errors";
import { STATE_SCHEMA_VERSION, type CycleProvenance, type GatewayState } from "../state/gateway-state";
import { cycleEventLine, type CycleReport } from "./cycle-report";
import { cycleVerdict } from "./cycle-verdict";
import { mergeInKeyOrder, type RecordSource } from "./merge-order";
import { openMergedDir, type MergedDir } from "./merged-dir";
import { rawKeyStrings, recordUpdatedAt, type RawKeys, type RawState } from "./raw-state";
import { prepareStateStream } from "../state/state-file";
import { ProcessedKeys } from "./processed-keys";
import { shardOfCaseKey, shardOfHash } from "./shard";
import { readShardCycle, type ShardCycle } from "./shard-cycle";
import { mergedFixtureName, mergedProvenance } from "./merged-last-cycle";
import { mergedLastCycleFile } from "./merged-last-cycle-file";
import { startMergedLastCycle, type MergedLastCycleJob } from "./merged-last-cycle-job";
import { statePaths } from "../state/state-paths";

/** Where to merge, from which shard dirs. */
export interface MergeShardsOptions {
  /** The merged state dir: locked, and given one cycle of its own. */
  stateDir: string;
  /** The state dirs of all shards of one split, in any order; only read, never written or locked. */
  shardDirs: readonly string[];
  /** Wall clock in unix ms; injectable for tests. */
  clock?: () => number;
  /** Lock of the merged dir: a lock from another host or PID namespace is taken over once its heartbeat is this old (ms). */
  lockStaleMs?: number;
  /** Receives non-fatal warnings about the merged dir (e.g. a quarantined state.json). */
  onWarning?: (message: string) => void;
}

/** One shard as the merge read it. */
export interface MergedShard {
  index: number;
  count: number;
  stateDir: string;
  summary: CycleSummary;
}

/** A merged cycle: the report of the cycle recorded in the merged dir, plus the shards it came from. */
export interface MergeReport extends CycleReport {
  /** The shards by index. */
  shards: MergedShard[];
  /** Request records and processed keys of the merged state.json. */
  requestCount: number;
  processedCaseCount: number;
}

const refuse = (message: string) => new GatewayRuntimeError("E_SHARDS_NOT_MERGEABLE", message);

const SETTING_NAMES = [
  "queue_limit",
  "processed_case_cap",
  "retry_max_attempts",
  "guardrail_failure_streak_threshold",
  "guardrail_retryable_failures_threshold",
] as const;

type Settings = NonNullable<CycleProvenance["settings"]>;

/** Refuses shards that are not one complete split of one fixture run with one set of settings. */
function checkShardSet(shards: readonly ShardCycle[]): void {
  const first = shards[0] as ShardCycle;
  const { count } = first.provenance.shard;
  for (const shard of shards) {
    const p = shard.provenance;
    if (p.fixture_sha256 !== first.provenance.fixture_sha256) {
      throw refuse(
        `${shard.stateDir} ran another fixture than ${first.stateDir} (fixture sha256 ${p.fixture_sha256.slice(0, 12)}… vs ${first.provenance.fixture_sha256.slice(0, 12)}…); run every shard on the same fixture content`,
      );
    }
    for (const name of SETTING_NAMES) {
      const mine = (p.settings as Settings)[name];
      const theirs = (first.provenance.settings as Settings)[name];
      if (mine !== theirs) {
        throw refuse(`${shard.stateDir} ran with ${name}=${mine} but ${first.stateDir} with ${name}=${theirs}; run every shard with the same settings`);
      }
    }
    if (p.shard.count !== count) {
      throw refuse(`${shard.stateDir} is shard ${p.shard.index}/${p.shard.count} but ${first.stateDir} is shard ${first.provenance.shard.index}/${count}; merge the shards of one split`);
    }
  }
  const byIndex = new Map<number, string>();
  for (const shard of shards) {
    const { index } = shard.provenance.shard;
    const seen = byIndex.get(index);
    if (seen !== undefined) throw refuse(`shard ${index}/${count} given twice: ${seen} and ${shard.stateDir}`);
    byIndex.set(index, shard.stateDir);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).map((i) => `${i}/${count}`).join(", ");
    throw refuse(`missing shard${missing.length === 1 ? "" : "s"} ${shown}${missing.length > 10 ? `, … (${missing.length} in all)` : ""}: give the state dirs of all ${count} shards`);
  }
}

function sumSummaries(shards: readonly ShardCycle[]): CycleSummary {
  const total = emptyCycleSummary();
  for (const shard of shards) {
    for (const key of Object.keys(total) as (keyof CycleSummary)[]) total[key] += shard.summary[key];
  }
  return total;
}

/** A shard's records as a merge source. */
function recordSource(raw: RawState): RecordSource {
  return { keys: raw.keys, updatedAt: (i) => recordUpdatedAt(raw, i) };
}

/**
 * The merged processed keys: each shard's in shard order, each key once, the oldest dropped past
 * the cap — what ProcessedKeys would give. When every shard's keys hash to that shard (any split
 * run as shards), the shards cannot share a key: under the cap the merged array is the shards'
 * arrays as written, copied as bytes. Otherwise the keys are read as strings and united.
 */
function unitedKeys(options: { shards: readonly { index: number; count: number; keys: RawKeys }[]; cap: number }): {
  keys: RawJsonArray | string[];
  count: number;
  /** Whether every shard's keys are its own (else a dir was reused for another shard, or run by another split). */
  disjoint: boolean;
} {
  const { shards, cap } = options;
  const total = shards.reduce((sum, s) => sum + s.keys.count, 0);
  const inShard = (s: (typeof shards)[number]) => {
    const { hashes } = s.keys;
    if (hashes === undefined) return rawKeyStrings(s.keys).every((key) => shardOfCaseKey(key, s.count) === s.index);
    for (let i = 0; i < hashes.length; i++) if (shardOfHash(hashes[i] as number, s.count) !== s.index) return false;
    return true;
  };
  const disjoint = shards.every(inShard);
  if (disjoint && total <= cap) {
    return { keys: new RawJsonArray(shards.filter((s) => s.keys.count > 0).map((s) => s.keys.bytes)), count: total, disjoint };
  }
  if (disjoint) {
    const out = shards.flatMap((s) => rawKeyStrings(s.keys));
    return { keys: out.slice(out.length - cap), count: cap, disjoint };
  }
  const processed = new ProcessedKeys(cap);
  for (const shard of shards) for (const key of rawKeyStrings(shard.keys)) processed.add(key);
  const keys = processed.toArray();
  return { keys, count: keys.length, disjoint };
}

const CHUNK_BYTES = 1 << 20;

/**
 * The merged request records, in key order, as the bytes of the shards' own files in chunks of
 * about 1 MiB (whole records joined by commas): each record is copied, never parsed, so the
 * merged state.json streams through the runtime's writer (prepareStateStream, a RawJsonArray)
 * without holding the records (8 × 100k records is ~280 MB of JSON) and with one await per chunk.
 */
async function* mergedRecordChunks(sources: readonly RawState[], count: { written: number }): AsyncGenerator<Uint8Array> {
  const order = mergeInKeyOrder(sources.map(recordSource));
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let spare = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  for (let i = 0; i < order.length; i++) {
    const raw = sources[order.sources[i] as number] as RawState;
    const record = order.records[i] as number;
    const start = raw.starts[record] as number;
    const end = raw.ends[record] as number;
    if (!raw.records.has(start, end)) await raw.records.fill(start, end);
    const length = end - start + (used > 0 ? 1 : 0);
    if (used > 0 && used + length > chunk.length) {
      yield chunk.subarray(0, used);
      // The writer writes a chunk while it asks for the next, and is done with it when it asks
      // for the one after (RawJsonArray): two buffers in turn, not a fresh 1 MiB per chunk.
      [chunk, spare] = [spare, chunk];
      used = 0;
    }
    if (end - start > chunk.length) yield raw.records.readNow(start, end);
    else {
      if (used > 0) chunk[used++] = 0x2c;
      used += raw.records.copy(chunk, used, start, end);
    }
    count.written++;
  }
  if (used > 0) yield chunk.subarray(0, used);
}

/**
 * Merges the newest cycle of every shard of one split into one cycle of `stateDir`
 * (behavior.md §11): counters summed, processed keys and request records united, health and the
 * gate evaluated on the summed counters with the merged dir's own failure-streak history, one
 * events line. Refuses (E_SHARDS_NOT_MERGEABLE) shards of different fixture content, settings or
 * shard count, a missing or repeated shard, and a shard dir without a completed cycle.
 * Channel stores stay in the shard dirs: the merged dir gets state.json and the events line.
 */
export async function mergeShards(options: MergeShardsOptions): Promise<MergeReport> {
  const clock = options.clock ?? Date.now;
  if (options.shardDirs.length === 0) throw refuse("give the state dirs of the shards to merge");
  const mergedDir = resolve(options.stateDir);
  const seenDirs = new Set<string>();
  for (const dir of options.shardDirs) {
    const full = resolve(dir);
    if (full === mergedDir) throw refuse(`${dir} is the merged state dir itself; merge into a dir of its own`);
    if (seenDirs.has(full)) throw refuse(`${dir} is given twice`);
    seenDirs.add(full);
  }

  // The lock first: the merged last-cycle.jsonl is written into the merged dir while the
  // shards' state.json files are read, and a refusal then leaves no dir behind that was not there.
  const existed = await stat(mergedDir).then(
    () => true,
    () => false,
  );
  const warn = options.onWarning ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const merged = await openMergedDir({
    stateDir: options.stateDir,
    nowUnixMs: clock(),
    ...(options.lockStaleMs === undefined ? {} : { lockStaleMs: options.lockStaleMs }),
    onWarning: warn,
  });
  const lastCyclePaths = options.shardDirs.map((dir) => statePaths(dir).lastCyclePath);
  const lastCycle = startMergedLastCycle({ path: merged.paths.lastCyclePath, shardPaths: lastCyclePaths });
  const shards: ShardCycle[] = [];
  try {
    shards.push(...(await readShardCycles(options.shardDirs)));
    checkShardSet(shards);
    shards.sort((a, b) => a.provenance.shard.index - b.provenance.shard.index);
    return await recordMergedCycle({ shards, merged, lastCycle: { job: lastCycle, paths: lastCyclePaths }, warn, clock });
  } finally {
    await Promise.all(shards.map((s) => s.raw.records.close()));
    await lastCycle.cancel();
    await merged.release();
    // Only an empty dir goes (rmdir refuses any other): the one the lock made for a refused merge.
    if (!existed) await rmdir(mergedDir).catch(() => undefined);
  }
}

/**
 * Every shard's newest cycle, read in two lanes: one reads a state.json (in the thread pool)
 * while the other scans the one it has read. Throws the error of the first dir, in the order
 * given, that could not be read, once the others are read and closed.
 */
async function readShardCycles(dirs: readonly string[]): Promise<ShardCycle[]> {
  const results: PromiseSettledResult<ShardCycle>[] = [];
  // Each lane reads into its own buffer, reused from one file to the next and made as large as
  // the largest file at once: growing it file by file touched twice the memory (page faults).
  const sizes = await Promise.all(dirs.map((dir) => stat(statePaths(dir).statePath).then((s) => (s.isFile() ? s.size : 0), () => 0)));
  // Up to a bound: a file larger than that (a hostile one) gets its own buffer, with readRawState's errors.
  const largest = Math.min(Math.max(0, ...sizes), 1 << 29);
  let next = 0;
  const lane = async () => {
    const scratch = { bytes: Buffer.allocUnsafe(largest) };
    while (next < dirs.length) {
      const at = next++;
      try {
        results[at] = { status: "fulfilled", value: await readShardCycle(dirs[at] as string, scratch) };
      } catch (reason) {
        results[at] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all([lane(), lane()]);
  const failed = results.find((r) => r.status === "rejected");
  if (failed === undefined) return results.map((r) => (r as PromiseFulfilledResult<ShardCycle>).value);
  await Promise.all(results.map((r) => (r.status === "fulfilled" ? r.value.raw.records.close() : undefined)));
  throw failed.reason;
}

/** The merged cycle of a checked, complete set of shards, recorded under the merged dir's lock. */
async function recordMergedCycle(context: {
  shards: readonly ShardCycle[];
  merged: MergedDir;
  lastCycle: { job: MergedLastCycleJob; paths: readonly string[] };
  warn: (message: string) => void;
  clock: () => number;
}): Promise<MergeReport> {
  const { shards, merged, warn, clock } = context;
  const first = shards[0] as ShardCycle;
  const settings = first.provenance.settings as Settings;
  const thresholds = {
    failureStreak: settings.guardrail_failure_streak_threshold,
    retryableFailures: settings.guardrail_retryable_failures_threshold,
  };
  {
    const { paths } = merged;
    const summary = sumSummaries(shards);
    // The shards ran side by side: the split cycle took as long as its slowest shard.
    const duration = Math.max(...shards.map((s) => s.raw.skeleton.health.cycle_duration_ms));
    const { health, guardrail } = cycleVerdict({
      summary,
      previousFailureStreak: await merged.previousFailureStreak(),
      cycleDurationMs: duration,
      nowUnixMs: clock(),
      thresholds,
    });
    const gate = { gate: guardrail.gate, reason_code: guardrail.reason_code };

    const processedKeys = unitedKeys({
      shards: shards.map((s) => ({ index: s.provenance.shard.index, count: s.provenance.shard.count, keys: s.raw.processedKeys })),
      cap: settings.processed_case_cap,
    });
    if (!processedKeys.disjoint) {
      warn(
        "a shard dir holds processed cases of another shard (a dir reused for another shard, or shards run by tau-gateway versions that split differently); each key is counted once",
      );
    }

    const provenance = mergedProvenance(first.provenance);
    const skeleton: GatewayState = {
      schema_version: STATE_SCHEMA_VERSION,
      processed_case_keys: [],
      requests: [],
      health,
      guardrail,
      last_cycle: provenance,
    };
    const report: MergeReport = {
      fixtureName: mergedFixtureName(first.provenance),
      driver: "merge",
      summary,
      reasonCodes: cycleReasonCodes(summary),
      health,
      classification: classifyHealth(health),
      gate,
      thresholds,
      // Drift details live in the shards' channel-store logs; the count is in the summary.
      drifts: [],
      provenance,
      aborted: false,
      statePath: paths.statePath,
      eventsPath: paths.eventsPath,
      lastCyclePath: paths.lastCyclePath,
      shards: shards.map((s) => ({ ...s.provenance.shard, stateDir: s.stateDir, summary: s.summary })),
      requestCount: 0,
      processedCaseCount: processedKeys.count,
    };

    try {
      // As the runtime: a merge frozen past the stale time must not write over the new holder's data.
      await merged.assertHeld();
      const count = { written: 0 };
      const file = await prepareStateStream(paths.statePath, {
        ...skeleton,
        processed_case_keys: processedKeys.keys,
        requests: new RawJsonArray(mergedRecordChunks(shards.map((s) => s.raw), count)),
      });
      try {
        report.requestCount = count.written;
        // As a run: last-cycle.jsonl before state.json (a crash between leaves it one cycle ahead,
        // which only a report reads).
        const lastCycle = await mergedLastCycleFile({ ...context.lastCycle, shards, path: paths.lastCyclePath });
        if ("file" in lastCycle) await lastCycle.file.commit();
        else {
          // A report must not show an earlier merge's cases as this one's.
          await rm(paths.lastCyclePath, { force: true });
          warn(`${lastCycle.skipped}; the merged dir gets no last-cycle.jsonl (re-run that shard for per-case reports)`);
        }
        await file.commit();
      } catch (error) {
        await file.abort();
        throw error;
      }
      await appendJsonl(paths.eventsPath, [cycleEventLine(report)]);
    } catch (error) {
      if (GatewayRuntimeError.isInstance(error)) throw error;
      if (EventStoreError.isInstance(error) && error.code === "E_UNSAFE_PATH") throw error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new GatewayRuntimeError("E_IO", `could not persist the merged cycle in ${paths.stateDir}: ${detail}`, { cause: error });
    }
    return report;
  }
}
