import type { Drift, GatewayCase, Observed } from "@tau/gateway-contract";
import type { TransportFailure } from "./driver";
import type { RequestRecord } from "./gateway-state";

/** Source of every log entry this runner writes. */
export const LOG_SOURCE = "tau-gateway-runner";

/** A case as the channel store names it: normalised method, endpoint, ids. */
export interface NormalisedCase {
  caseKey: string;
  caseId: string;
  method: string;
  endpoint: string;
  actorId: string;
}

export interface ChannelEntries {
  log: Record<string, unknown>;
  context: Record<string, unknown>;
}

/** log.jsonl and context.jsonl entries for an answered case (success or malformed). */
export function observedEntries(c: NormalisedCase, observed: Observed, nowUnixMs: number): ChannelEntries {
  const success = observed.outcome === "success";
  return {
    log: {
      timestamp_unix_ms: nowUnixMs,
      direction: "system",
      event_key: c.caseKey,
      source: LOG_SOURCE,
      payload: {
        outcome: observed.outcome,
        case_id: c.caseId,
        method: c.method,
        endpoint: c.endpoint,
        status_code: observed.status_code,
        ...(success ? { response_body: observed.response_body } : { error_code: observed.error_code }),
      },
    },
    context: {
      timestamp_unix_ms: nowUnixMs,
      role: "system",
      text: success
        ? `gateway case ${c.caseId} applied method=${c.method} endpoint=${c.endpoint} status=${observed.status_code}`
        : `gateway case ${c.caseId} outcome=${observed.outcome} error_code=${observed.error_code} status=${observed.status_code}`,
    },
  };
}

/** Entries for a case that failed on a transport error (no answer at all). */
export function transportFailureEntries(
  c: NormalisedCase,
  failure: TransportFailure,
  nowUnixMs: number,
): ChannelEntries {
  return {
    log: {
      timestamp_unix_ms: nowUnixMs,
      direction: "system",
      event_key: c.caseKey,
      source: LOG_SOURCE,
      payload: {
        outcome: failure.outcome,
        case_id: c.caseId,
        method: c.method,
        endpoint: c.endpoint,
        status_code: 0,
        error_code: failure.error_code,
        message: failure.message,
      },
    },
    context: {
      timestamp_unix_ms: nowUnixMs,
      role: "system",
      text: `gateway case ${c.caseId} outcome=${failure.outcome} error_code=${failure.error_code} status=0`,
    },
  };
}

/** Entries for contract drift: the observation, what was expected, and every difference. */
export function driftEntries(
  c: NormalisedCase,
  gatewayCase: GatewayCase,
  observed: Observed,
  drift: Drift,
  nowUnixMs: number,
): ChannelEntries {
  return {
    log: {
      timestamp_unix_ms: nowUnixMs,
      direction: "system",
      event_key: c.caseKey,
      source: LOG_SOURCE,
      payload: {
        outcome: "contract_drift",
        case_id: c.caseId,
        method: c.method,
        endpoint: c.endpoint,
        status_code: observed.status_code,
        error_code: observed.error_code,
        expected: gatewayCase.expected,
        observed,
        differences: drift.differences,
        ...(drift.note !== undefined ? { note: drift.note } : {}),
      },
    },
    context: {
      timestamp_unix_ms: nowUnixMs,
      role: "system",
      text: `gateway case ${c.caseId} outcome=contract_drift error_code=${observed.error_code} status=${observed.status_code}`,
    },
  };
}

/** MEMORY.md of an actor: a heading, then one line per request record of that actor. */
export function renderMemory(actorId: string, records: readonly RequestRecord[]): string {
  const lines = records.map(
    (r) => `- ${r.case_id} ${r.method} ${r.endpoint} status=${r.status_code} outcome=${r.outcome}`,
  );
  return `# Tau Gateway Snapshot (${actorId})\n\n${lines.join("\n")}\n`;
}
