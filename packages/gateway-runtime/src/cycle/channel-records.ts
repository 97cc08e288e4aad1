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

/** One case's log.jsonl and context.jsonl lines, already serialised. */
export interface ChannelEntries {
  log: string;
  context: string;
}

const str = JSON.stringify as (value: string) => string;

/**
 * The log and context lines of a case, written out by hand: byte for byte what JSON.stringify
 * gives for `{ timestamp_unix_ms, direction, event_key, source, payload: { outcome, case_id,
 * method, endpoint, ...rest } }` and `{ timestamp_unix_ms, role, text }`, without building either
 * object. `rest` is the payload's remaining members, serialised (starting with a comma) or "".
 */
function entries(c: NormalisedCase, outcome: string, rest: string, text: string, nowUnixMs: number): ChannelEntries {
  const ts = String(nowUnixMs);
  return {
    log:
      `{"timestamp_unix_ms":${ts},"direction":"system","event_key":${str(c.caseKey)},"source":"${LOG_SOURCE}",` +
      `"payload":{"outcome":${str(outcome)},"case_id":${str(c.caseId)},"method":${str(c.method)},"endpoint":${str(c.endpoint)}${rest}}}`,
    context: `{"timestamp_unix_ms":${ts},"role":"system","text":${str(text)}}`,
  };
}

/** `,"name":value` as JSON.stringify writes an object member; "" when the value has no JSON form. */
function member(name: string, value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? "" : `,"${name}":${json}`;
}

/** log.jsonl and context.jsonl entries for an answered case (success or malformed). */
export function observedEntries(c: NormalisedCase, observed: Observed, nowUnixMs: number): ChannelEntries {
  if (observed.outcome === "success") {
    return entries(
      c,
      observed.outcome,
      member("status_code", observed.status_code) + member("response_body", observed.response_body),
      `gateway case ${c.caseId} applied method=${c.method} endpoint=${c.endpoint} status=${observed.status_code}`,
      nowUnixMs,
    );
  }
  return entries(
    c,
    observed.outcome,
    // The note says why an answer was unusual (a body too large, too deep, not JSON): it must
    // outlive the cycle. member() writes nothing for an absent note.
    member("status_code", observed.status_code) + member("error_code", observed.error_code) + member("note", observed.note),
    `gateway case ${c.caseId} outcome=${observed.outcome} error_code=${observed.error_code} status=${observed.status_code}`,
    nowUnixMs,
  );
}

/** Entries for a case that failed on a transport error (no answer at all). */
export function transportFailureEntries(c: NormalisedCase, failure: TransportFailure, nowUnixMs: number): ChannelEntries {
  return entries(
    c,
    failure.outcome,
    member("status_code", 0) + member("error_code", failure.error_code) + member("message", failure.message),
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
    "contract_drift",
    member("status_code", observed.status_code) +
      member("error_code", observed.error_code) +
      member("expected", gatewayCase.expected) +
      member("observed", observed) +
      member("differences", drift.differences) +
      member("note", drift.note) +
      (drift.pending === true ? member("pending", true) : ""),
    `gateway case ${c.caseId} outcome=contract_drift error_code=${observed.error_code} status=${observed.status_code}`,
    nowUnixMs,
  );
}

/** Records rendered per block: the block's text is checked and encoded, then dropped. */
const MEMORY_BLOCK = 4096;

/**
 * MEMORY.md of an actor: a heading, then one line per request record of that actor. Ids and
 * endpoints come from the fixture: control characters are escaped so none can add a line.
 * Returned as UTF-8 bytes, built a block of lines at a time: an actor of 60k records (1M cases)
 * never needs its lines, their joined text and a flattened copy in memory at once.
 */
export function renderMemoryBytes(actorId: string, records: readonly RequestRecord[]): Buffer {
  let bytes = Buffer.allocUnsafe(1024 + records.length * 96);
  let used = 0;
  const put = (text: string) => {
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so this bound never needs a length scan.
    const need = text.length * 3;
    if (bytes.length - used < need) {
      const grown = Buffer.allocUnsafe(Math.max(bytes.length * 2, used + need));
      bytes.copy(grown, 0, 0, used);
      bytes = grown;
    }
    used += bytes.write(text, used, "utf8");
  };
  put(`# Tau Gateway Snapshot (${printableText(actorId)})\n\n`);
  for (let start = 0; start < records.length; start += MEMORY_BLOCK) {
    const raw = records
      .slice(start, start + MEMORY_BLOCK)
      .map((r) => `- ${r.case_id} ${r.method} ${r.endpoint} status=${r.status_code} outcome=${r.outcome}`);
    const joined = raw.join("\n");
    // Usually nothing needs escaping: one pass over the block shows it (no unsafe character but
    // newlines, and only the newlines that join the lines) instead of one pass per line.
    // Otherwise one escape pass per line: the parts this runner adds hold no control characters.
    const clean = printableText(joined, { multiline: true }) === joined && countNewlines(joined) === raw.length - 1;
    if (start > 0) put("\n");
    put(clean ? joined : raw.map((line) => printableText(line)).join("\n"));
  }
  put("\n");
  return bytes.subarray(0, used);
}

/** MEMORY.md of an actor as text (see {@link renderMemoryBytes}). */
export function renderMemory(actorId: string, records: readonly RequestRecord[]): string {
  return renderMemoryBytes(actorId, records).toString("utf8");
}

function countNewlines(text: string): number {
  let n = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) n++;
  return n;
}
