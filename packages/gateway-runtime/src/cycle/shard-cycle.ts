import { stat } from "node:fs/promises";
import { z } from "zod";
import type { CycleSummary } from "@tau/gateway-guardrail";
import { GatewayRuntimeError } from "../errors";
import type { CycleProvenance } from "../state/gateway-state";
import { statePaths } from "../state/state-paths";
import { readLastJsonlLine } from "./last-jsonl-line";
import { readRawState, type RawState, type ScratchBuffer } from "./raw-state";

const count = z.number().int().nonnegative();

/** The fields of a runtime-events.jsonl line that a merge reads (behavior.md §5). */
const cycleEventSchema = z.object({
  timestamp_unix_ms: count,
  discovered_cases: count,
  queued_cases: count,
  applied_cases: count,
  duplicate_skips: count,
  malformed_cases: count,
  retryable_failures: count,
  retry_attempts: count,
  failed_cases: count,
  upserted_requests: count,
  backlog_cases: count,
  contract_drift_cases: count.default(0),
  recovered_after_retry: count.default(0),
  pending_drift_cases: count.default(0),
  fixture_sha256: z.string().nullable().default(null),
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).nullable().default(null),
});

/** The newest completed cycle of one shard's state dir, read without writing or locking it; close `raw.records`. */
export interface ShardCycle {
  stateDir: string;
  provenance: CycleProvenance & { shard: { index: number; count: number }; fixture_sha256: string };
  summary: CycleSummary;
  raw: RawState;
}

const refuse = (message: string) => new GatewayRuntimeError("E_SHARDS_NOT_MERGEABLE", message);

/** Reads a shard dir's state.json and last events line; refuses a dir without a completed shard cycle. */
export async function readShardCycle(stateDir: string, scratch?: ScratchBuffer): Promise<ShardCycle> {
  const paths = statePaths(stateDir);
  const rerun = `run the shard again (tau-gateway run --gateway-shard I/N --gateway-state-dir ${stateDir})`;
  const info = await stat(stateDir).catch(() => undefined);
  if (info !== undefined && !info.isDirectory()) throw refuse(`${stateDir} is not a directory: give the state dir of each shard`);
  const read = await readRawState(paths.statePath, scratch);
  if (read.kind === "missing") throw refuse(`${stateDir} has no state.json: it has not completed a cycle; ${rerun}`);
  if (read.kind === "corrupt") throw refuse(`${paths.statePath} is not usable (${read.reason}); ${rerun}`);
  const { raw } = read;
  try {
    return await checkShardCycle(stateDir, raw, rerun);
  } catch (error) {
    await raw.records.close();
    throw error;
  }
}

async function checkShardCycle(stateDir: string, raw: RawState, rerun: string): Promise<ShardCycle> {
  const paths = statePaths(stateDir);
  const provenance = raw.skeleton.last_cycle;
  if (!provenance) throw refuse(`${paths.statePath} records no cycle provenance (written by an older runner); ${rerun}`);
  if (!provenance.shard) throw refuse(`${stateDir} was not run as a shard (its last cycle has no --gateway-shard); ${rerun}`);
  if (provenance.fixture_sha256 === null) throw refuse(`${stateDir}: its last cycle records no fixture sha256, so its fixture cannot be compared; ${rerun}`);
  if (provenance.settings === null) throw refuse(`${stateDir}: its last cycle records no settings; ${rerun}`);

  const last = await readLastJsonlLine(paths.eventsPath);
  if (last.kind === "missing" || last.kind === "empty") {
    throw refuse(`${stateDir} has no completed cycle in ${paths.eventsPath} (the cycle was interrupted?); ${rerun}`);
  }
  if (last.kind === "invalid") {
    throw refuse(`the last line of ${paths.eventsPath} is not valid JSON (${last.error}): its newest cycle did not complete; ${rerun}`);
  }
  const event = cycleEventSchema.safeParse(last.value);
  if (!event.success) {
    const first = event.error.issues[0];
    throw refuse(`the last line of ${paths.eventsPath} is not a cycle line (${first?.path.join(".") ?? ""}: ${first?.message ?? "invalid"}); ${rerun}`);
  }
  const e = event.data;
  // state.json is written before the events line: if they disagree, the newest cycle stopped
  // between the two (or was interrupted), and its counters were never recorded.
  const sameShard = e.shard !== null && e.shard.index === provenance.shard.index && e.shard.count === provenance.shard.count;
  if (e.timestamp_unix_ms !== raw.skeleton.health.updated_unix_ms || !sameShard || e.fixture_sha256 !== provenance.fixture_sha256) {
    throw refuse(`${stateDir}: state.json and the last line of runtime-events.jsonl describe different cycles, so its newest cycle did not complete; ${rerun}`);
  }
  const { timestamp_unix_ms: _t, fixture_sha256: _f, shard: _s, ...summary } = e;
  return {
    stateDir,
    provenance: provenance as ShardCycle["provenance"],
    summary,
    raw,
  };
}
