import type { Drift, GatewayCase, Observed } from "@tau/gateway-contract";
import type { TransportFailure } from "../drivers/driver";
import { printableText } from "../output/printable-text";
import type { RequestRecord } from "../state/gateway-state";

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

function entries(c: NormalisedCase, payload: Record<string, unknown>, text: string, nowUnixMs: number): ChannelEntries {
  return {
    log: {
      timestamp_unix_ms: nowUnixMs,
      direction: "system",
      event_key: c.caseKey,
      source: LOG_SOURCE,
      payload: { outcome: payload.outcome, case_id: c.caseId, method: c.method, endpoint: c.endpoint, ...payload },
    },
    context: { timestamp_unix_ms: nowUnixMs, role: "system", text },
  };
}

/** log.jsonl and context.jsonl entries for an answered case (success or malformed). */
export function observedEntries(c: NormalisedCase, observed: Observed, nowUnixMs: number): ChannelEntries {
  if (observed.outcome === "success") {
    return entries(
      c,
      { outcome: observed.outcome, status_code: observed.status_code, response_body: observed.response_body },
      `gateway case ${c.caseId} applied method=${c.method} endpoint=${c.endpoint} status=${observed.status_code}`,
      nowUnixMs,
    );
  }
  return entries(
    c,
    {
      outcome: observed.outcome,
      status_code: observed.status_code,
      error_code: observed.error_code,
      // Why the answer was unusual (a body too large, too deep, not JSON) must outlive the cycle.
      ...(observed.note !== undefined ? { note: observed.note } : {}),
    },
    `gateway case ${c.caseId} outcome=${observed.outcome} error_code=${observed.error_code} status=${observed.status_code}`,
    nowUnixMs,
  );
}

/** Entries for a case that failed on a transport error (no answer at all). */
export function transportFailureEntries(c: NormalisedCase, failure: TransportFailure, nowUnixMs: number): ChannelEntries {
  return entries(
    c,
    { outcome: failure.outcome, status_code: 0, error_code: failure.error_code, message: failure.message },
    `gateway case ${c.caseId} outcome=${failure.outcome} error_code=${failure.error_code} status=0`,
    nowUnixMs,
  );
}

/** Entries for contract drift: the observation, what was expected, and every difference. */
export function driftEntries(
  c: NormalisedCase,
  gatewayCase: GatewayCase,
  observed: Observed,
  drift: Drift,
  nowUnixMs: number,
): ChannelEntries {
  return entries(
    c,
    {
      outcome: "contract_drift",
      status_code: observed.status_code,
      error_code: observed.error_code,
      expected: gatewayCase.expected,
      observed,
      differences: drift.differences,
      ...(drift.note !== undefined ? { note: drift.note } : {}),
      ...(drift.pending === true ? { pending: true } : {}),
    },
    `gateway case ${c.caseId} outcome=contract_drift error_code=${observed.error_code} status=${observed.status_code}`,
    nowUnixMs,
  );
}

/**
 * MEMORY.md of an actor: a heading, then one line per request record of that actor. Ids and
 * endpoints come from the fixture: control characters are escaped so none can add a line.
 */
export function renderMemory(actorId: string, records: readonly RequestRecord[]): string {
  // One escape pass per line: the parts this runner adds hold no control characters.
  const lines = records.map((r) => printableText(`- ${r.case_id} ${r.method} ${r.endpoint} status=${r.status_code} outcome=${r.outcome}`));
  return `# Tau Gateway Snapshot (${printableText(actorId)})\n\n${lines.join("\n")}\n`;
}
