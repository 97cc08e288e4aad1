import { EventStoreError, readJsonl } from "@tau/event-store";
import { z } from "zod";
import { cycleProvenanceSchema } from "./gateway-state";

/**
 * What the last cycle did with each case of the fixture, persisted as `last-cycle.jsonl` (one
 * header line, then one line per case) so reports and drift review can be rendered later from
 * the state directory alone.
 *
 * `result`: `applied` and `malformed` honoured the contract; `failed` ran out of attempts or got
 * no answer; `drift` broke the contract; `duplicate` was processed in an earlier cycle; `backlog`
 * was left out by the queue limit; `not_run` was not reached before an interrupt.
 */
export const CASE_RESULTS = ["applied", "malformed", "failed", "drift", "duplicate", "backlog", "not_run"] as const;
export type CaseResultKind = (typeof CASE_RESULTS)[number];

const transientAttemptSchema = z.object({
  attempt: z.number().int(),
  outcome: z.enum(["retryable_failure", "transport_error"]),
  status_code: z.number().int(),
  error_code: z.string(),
  message: z.string().optional(),
});

const differenceSchema = z.object({
  field: z.enum(["outcome", "status_code", "error_code", "response_body"]),
  pointer: z.string(),
  expected: z.unknown().optional(),
  observed: z.unknown().optional(),
});

/** One case of the last cycle. Observation fields are absent for cases that did not run. */
export const caseResultSchema = z.looseObject({
  kind: z.literal("case"),
  case_key: z.string(),
  case_id: z.string(),
  method: z.string(),
  endpoint: z.string(),
  actor_id: z.string(),
  result: z.enum(CASE_RESULTS),
  attempts: z.number().int().default(0),
  /** Observed outcome: success, malformed_input, retryable_failure or transport_error. */
  outcome: z.string().optional(),
  status_code: z.number().int().optional(),
  error_code: z.string().optional(),
  /** A transport error's message. */
  message: z.string().optional(),
  /** The observed body, kept for `drift` and `failed` cases only (passing cases match the fixture). */
  response_body: z.unknown().optional(),
  duration_ms: z.number().nonnegative().optional(),
  /** Transient failures before the final attempt (the first ten): a passing case with any is flaky. */
  failed_attempts: z.array(transientAttemptSchema).optional(),
  differences: z.array(differenceSchema).optional(),
  /** A `drift` line of a pending case (fixture v2): reported, but it did not hold the gate. */
  pending: z.boolean().optional(),
  note: z.string().optional(),
});

/** The first line: which cycle the case lines belong to. */
export const lastCycleHeaderSchema = z.looseObject({
  kind: z.literal("cycle"),
  fixture_name: z.string(),
  driver: z.string(),
  started_unix_ms: z.number(),
  finished_unix_ms: z.number(),
  aborted: z.boolean(),
  provenance: cycleProvenanceSchema,
});

export type CaseResult = z.output<typeof caseResultSchema>;
export type LastCycleHeader = z.output<typeof lastCycleHeaderSchema>;

/** The last cycle as read back: its header and its case lines, in queue order then backlog. */
export interface LastCycle {
  header: LastCycleHeader;
  cases: CaseResult[];
  /** Lines that did not parse or did not fit the schema (a hand-edited or torn file). */
  invalidLines: number;
}

/**
 * Reads `last-cycle.jsonl`; undefined when no cycle of this version has run there. Holds every
 * case in memory: reports of 100k cases need them all anyway.
 */
export async function readLastCycle(path: string): Promise<LastCycle | undefined> {
  let header: LastCycleHeader | undefined;
  const cases: CaseResult[] = [];
  let invalidLines = 0;
  try {
    for await (const entry of readJsonl(path)) {
      if (!entry.ok) {
        invalidLines++;
        continue;
      }
      const value = entry.value as { kind?: unknown };
      const parsed = value?.kind === "cycle" ? lastCycleHeaderSchema.safeParse(value) : caseResultSchema.safeParse(value);
      if (!parsed.success) invalidLines++;
      else if (parsed.data.kind === "cycle") header ??= parsed.data;
      else cases.push(parsed.data);
    }
  } catch (error) {
    if (EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND") return undefined;
    throw error;
  }
  return header ? { header, cases, invalidLines } : undefined;
}
