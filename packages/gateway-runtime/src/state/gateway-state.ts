import { z } from "zod";

/** Version of state.json this build reads and writes. */
export const STATE_SCHEMA_VERSION = 1;

const count = z.number().int().nonnegative().default(0);

// The top level and the request records are loose: fields this build does not know (written by a
// newer runner, or by an operator's tooling) are kept and written back on the next cycle, never
// dropped; known fields are still checked. A request record replaced by a new observation is a
// new record. health, guardrail and last_cycle are recomputed from scratch by every cycle, so
// they keep only the fields this build computes: a newer runner's extra field there would
// describe a cycle that is no longer the last one.

/** The last observation of a successfully applied case, keyed by case key. */
export const requestRecordSchema = z.looseObject({
  case_key: z.string(),
  case_id: z.string(),
  method: z.string(),
  endpoint: z.string(),
  actor_id: z.string(),
  status_code: z.number().int(),
  outcome: z.string(),
  error_code: z.string().default(""),
  response_body: z.unknown(),
  updated_unix_ms: count,
});

export const healthSnapshotSchema = z.object({
  updated_unix_ms: count,
  cycle_duration_ms: count,
  queue_depth: count,
  active_runs: count,
  failure_streak: count,
  last_cycle_discovered: count,
  last_cycle_processed: count,
  last_cycle_completed: count,
  last_cycle_failed: count,
  last_cycle_duplicates: count,
});

/** The guardrail decision of the last cycle, with the thresholds it used. */
export const guardrailStateSchema = z.object({
  // Without a recorded decision the gate must not read as green.
  gate: z.enum(["pass", "hold"]).default("hold"),
  reason_code: z.string().default("guardrail_state_missing"),
  failure_streak_threshold: z.number().int().positive().default(2),
  retryable_failures_threshold: z.number().int().positive().default(2),
  failure_streak: count,
  last_failed_cases: count,
  last_retryable_failures: count,
  updated_unix_ms: count,
});

/** What a cycle ran: which fixture content (and files), which shard, with which settings. */
export const cycleProvenanceSchema = z.object({
  /** combinedFixtureSha256 of `fixtures`; null when the embedder gave no fixture sources. */
  fixture_sha256: z.string().nullable().default(null),
  fixtures: z.array(z.object({ path: z.string(), sha256: z.string() })).default([]),
  /** 1-based shard index and shard count; null for a run over the whole fixture. */
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).nullable().default(null),
  settings: z
    .object({
      queue_limit: z.number().int().positive(),
      processed_case_cap: z.number().int().positive(),
      retry_max_attempts: z.number().int().positive(),
      guardrail_failure_streak_threshold: z.number().int().positive(),
      guardrail_retryable_failures_threshold: z.number().int().positive(),
    })
    .nullable()
    .default(null),
});

/** state.json. Fields missing in an older file take their defaults; wrong types do not parse. */
export const gatewayStateSchema = z.looseObject({
  schema_version: z.literal(STATE_SCHEMA_VERSION).default(STATE_SCHEMA_VERSION),
  processed_case_keys: z.array(z.string()).default([]),
  requests: z.array(requestRecordSchema).default([]),
  health: healthSnapshotSchema.default(() => healthSnapshotSchema.parse({})),
  guardrail: guardrailStateSchema.default(() => guardrailStateSchema.parse({})),
  /** Absent until a cycle of this version has run. */
  last_cycle: cycleProvenanceSchema.optional(),
});

export type RequestRecord = z.output<typeof requestRecordSchema>;
export type GuardrailState = z.output<typeof guardrailStateSchema>;
export type GatewayState = z.output<typeof gatewayStateSchema>;
export type CycleProvenance = z.output<typeof cycleProvenanceSchema>;

/** The state of a directory that has never run a cycle. */
export function emptyGatewayState(): GatewayState {
  return gatewayStateSchema.parse({});
}
