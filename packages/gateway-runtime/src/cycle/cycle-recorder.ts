import { JsonlBatch } from "@tau/event-store";
import { caseKey, normalizeMethod, type Drift, type GatewayCase } from "@tau/gateway-contract";
import { emptyCycleSummary, type CycleSummary } from "@tau/gateway-guardrail";
import {
  driftEntries,
  observedEntries,
  renderMemoryBytes,
  transportFailureEntries,
  type ChannelEntries,
  type NormalisedCase,
} from "./channel-records";
import type { CaseExecution } from "./execute-case";
import { KeptCaseResults } from "./kept-case-results";
import type { GatewayState, RequestRecord } from "../state/gateway-state";
import type { CaseResultKind } from "../state/last-cycle";
import { ProcessedKeys } from "./processed-keys";
import { RequestRecords } from "./request-records";

/** Lines for one actor's log.jsonl and context.jsonl. */
export interface ActorLines {
  actorId: string;
  log: JsonlBatch;
  context: JsonlBatch;
}

/** Everything one actor's channel gets at the end of a cycle. */
export interface ActorWrites extends ActorLines {
  /**
   * MEMORY.md text when a success changed the actor's records this cycle, rendered on call: the
   * runtime renders each just before writing it, so at 1M records not every actor's text (and
   * its lines) is in memory at once.
   */
  memory?: () => Uint8Array;
}

function normalise(gatewayCase: GatewayCase, key: string = caseKey(gatewayCase)): NormalisedCase {
  return {
    caseKey: key,
    caseId: gatewayCase.case_id.trim(),
    method: normalizeMethod(gatewayCase.method),
    endpoint: gatewayCase.endpoint.trim(),
    actorId: gatewayCase.actor_id.trim(),
  };
}

const str = JSON.stringify as (value: string) => string;

/** `,"name":value` as JSON.stringify writes an object member; "" when the value has no JSON form. */
function member(name: string, value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? "" : `,"${name}":${json}`;
}

/**
 * The members every last-cycle case line starts with (see CaseResult in state/last-cycle.ts),
 * written by hand: a line per case is the hottest serialisation of a cycle. Byte for byte what
 * JSON.stringify gives for the same object; no closing brace.
 */
function caseLineStart(c: NormalisedCase, result: CaseResultKind, attempts: number): string {
  return (
    `{"kind":"case","case_key":${str(c.caseKey)},"case_id":${str(c.caseId)},"method":${str(c.method)},` +
    `"endpoint":${str(c.endpoint)},"actor_id":${str(c.actorId)},"result":"${result}","attempts":${attempts}`
  );
}

/** The last-cycle line of a case that did not run. */
function caseLine(c: NormalisedCase, result: CaseResultKind): string {
  return `${caseLineStart(c, result, 0)}}`;
}

const RESULT_OF: Record<CaseExecution["kind"], CaseResultKind> = {
  success: "applied",
  malformed: "malformed",
  failed: "failed",
  drift: "drift",
};

/** The last-cycle line of a case that ran: bodies only where they differ from the contract. */
function executionLine(c: NormalisedCase, execution: CaseExecution): string {
  const o = execution.observed;
  const transport = o.outcome === "transport_error";
  let line =
    caseLineStart(c, RESULT_OF[execution.kind], execution.attempts) +
    `,"outcome":${str(o.outcome)},"status_code":${transport ? 0 : JSON.stringify(o.status_code)}` +
    member("error_code", o.error_code) +
    `,"duration_ms":${JSON.stringify(Math.round(execution.durationMs * 1000) / 1000)}`;
  if (transport) line += member("message", o.message);
  else if (execution.kind === "failed" || execution.kind === "drift") line += member("response_body", o.response_body);
  if (execution.transientAttempts.length > 0) line += member("failed_attempts", execution.transientAttempts);
  if (execution.kind === "drift") {
    line += member("differences", execution.drift.differences);
    if (execution.drift.pending === true) line += member("pending", true);
    line += member("note", execution.drift.note);
  }
  return `${line}}`;
}

/**
 * Applies case results to the in-memory state of one cycle: counters, request records,
 * processed keys, and the channel-store entries to append. No I/O: the runtime persists
 * what this collects, once per file per cycle.
 */
export class CycleRecorder {
  readonly summary: CycleSummary = emptyCycleSummary();
  readonly drifts: Drift[] = [];
  private readonly requests: RequestRecords;
  private readonly processed: ProcessedKeys;
  /** last-cycle.jsonl case lines, serialised as they come (see state/last-cycle.ts). */
  readonly caseResults = new JsonlBatch();
  /** The same case lines as objects, when the cycle keeps them for reports (kept-case-results.ts). */
  readonly kept: KeptCaseResults | undefined;
  private readonly actors = new Map<
    string,
    { log: JsonlBatch; context: JsonlBatch; memoryDirty: boolean; handedOver: number; flushAt: number }
  >();
  /** Log bytes added since takeFullLines last scanned the actors, and how many make a scan worth it. */
  private bytesSinceScan = 0;
  private scanAfterBytes = 0;

  constructor(
    state: GatewayState,
    processedCaseCap: number,
    private readonly clock: () => number,
    options: { keepCaseResults?: boolean } = {},
  ) {
    this.kept = options.keepCaseResults === true ? new KeptCaseResults() : undefined;
    this.requests = new RequestRecords(state.requests);
    this.processed = new ProcessedKeys(processedCaseCap, state.processed_case_keys);
  }

  isProcessed(gatewayCase: GatewayCase): boolean {
    return this.processed.has(caseKey(gatewayCase));
  }

  /** Skips (and counts) the case if its key was processed in an earlier cycle; one key computation. */
  skipIfProcessed(gatewayCase: GatewayCase): boolean {
    const key = caseKey(gatewayCase);
    if (!this.processed.has(key)) return false;
    this.summary.duplicate_skips++;
    const c = normalise(gatewayCase, key);
    this.caseResults.addSerialised(caseLine(c, "duplicate"));
    this.kept?.notRun(c, "duplicate");
    return true;
  }

  /** Counts a queued case skipped because its key was processed in an earlier cycle. */
  skipDuplicate(gatewayCase: GatewayCase): void {
    this.summary.duplicate_skips++;
    const c = normalise(gatewayCase);
    this.caseResults.addSerialised(caseLine(c, "duplicate"));
    this.kept?.notRun(c, "duplicate");
  }

  /** Notes cases that did not run: left in the backlog, or not reached before an interrupt. */
  notRun(cases: readonly GatewayCase[], result: "backlog" | "not_run"): void {
    for (const gatewayCase of cases) {
      const c = normalise(gatewayCase);
      this.caseResults.addSerialised(caseLine(c, result));
      this.kept?.notRun(c, result);
    }
  }

  /** Applies the result of one case, in queue order. */
  record(gatewayCase: GatewayCase, execution: CaseExecution): void {
    const c = normalise(gatewayCase);
    const now = this.clock();
    const s = this.summary;
    s.retryable_failures += execution.retryableFailures;
    s.retry_attempts += execution.attempts - 1;
    const line = executionLine(c, execution);
    this.caseResults.addSerialised(line);
    this.kept?.executed(c, execution, RESULT_OF[execution.kind], line);

    switch (execution.kind) {
      case "success": {
        const o = execution.observed;
        this.requests.set({
          case_key: c.caseKey,
          case_id: c.caseId,
          method: c.method,
          endpoint: c.endpoint,
          actor_id: c.actorId,
          status_code: o.status_code,
          outcome: o.outcome,
          error_code: o.error_code,
          response_body: o.response_body,
          updated_unix_ms: now,
        });
        this.processed.add(c.caseKey);
        s.applied_cases++;
        s.upserted_requests++;
        if (execution.attempts > 1) s.recovered_after_retry++;
        this.addEntries(c.actorId, observedEntries(c, o, now), true);
        return;
      }
      case "malformed":
        this.processed.add(c.caseKey);
        s.malformed_cases++;
        this.addEntries(c.actorId, observedEntries(c, execution.observed, now), false);
        return;
      case "failed": {
        s.failed_cases++;
        const o = execution.observed;
        const entries = o.outcome === "transport_error" ? transportFailureEntries(c, o, now) : observedEntries(c, o, now);
        this.addEntries(c.actorId, entries, false);
        return;
      }
      case "drift":
        // A pending case's drift is reported like any drift, but is not a failure: it neither
        // counts as failed nor holds the gate. Like drift it is not marked processed, so it is
        // checked again every cycle until the fixture is accepted or the gateway is fixed.
        if (execution.drift.pending === true) s.pending_drift_cases++;
        else {
          s.failed_cases++;
          s.contract_drift_cases++;
        }
        this.drifts.push(execution.drift);
        this.addEntries(c.actorId, driftEntries(c, gatewayCase, execution.observed, execution.drift, now), false);
        return;
    }
  }

  /**
   * Hands over the lines of every actor whose log has reached its threshold, leaving it empty:
   * the runtime appends them while the cycle goes on. The threshold starts at `minBytes` and
   * grows to what the actor has handed over so far, up to `maxBytes`: each append ends in an
   * fdatasync, so a long cycle makes a few dozen appends per actor instead of thousands, and a
   * short one still gets its first lines out early. Checked after each case, so cheap: the
   * actors are only scanned once enough bytes came in for one of them to have reached it.
   */
  takeFullLines(minBytes: number, maxBytes: number = minBytes): ActorLines[] {
    if (this.bytesSinceScan < this.scanAfterBytes) return [];
    const out: ActorLines[] = [];
    // An actor that appears later starts empty, `minBytes` from its threshold.
    let gap = minBytes;
    for (const [actorId, actor] of this.actors) {
      const bytes = actor.log.byteLength;
      const threshold = Math.max(minBytes, actor.flushAt);
      if (bytes >= threshold) {
        out.push({ actorId, log: actor.log, context: actor.context });
        actor.log = new JsonlBatch();
        actor.context = new JsonlBatch();
        actor.handedOver += bytes;
        actor.flushAt = Math.min(maxBytes, Math.max(minBytes, actor.handedOver));
        gap = Math.min(gap, actor.flushAt);
      } else gap = Math.min(gap, threshold - bytes);
    }
    this.bytesSinceScan = 0;
    this.scanAfterBytes = gap;
    return out;
  }

  private addEntries(actorId: string, entries: ChannelEntries, memoryDirty: boolean): void {
    if (actorId.length === 0) return;
    let actor = this.actors.get(actorId);
    if (!actor) {
      // Batches serialise at once: a long cycle keeps lines, not 2 objects per case.
      actor = { log: new JsonlBatch(), context: new JsonlBatch(), memoryDirty: false, handedOver: 0, flushAt: 0 };
      this.actors.set(actorId, actor);
    }
    actor.log.addSerialised(entries.log);
    actor.context.addSerialised(entries.context);
    // Grows by every log line of any actor, so it bounds how far any actor's log grew since the
    // last scan (give or take multi-byte text): takeFullLines scans only once one could be full.
    this.bytesSinceScan += entries.log.length + 1;
    actor.memoryDirty ||= memoryDirty;
  }

  /** Request records sorted by case key, as state.json stores them. */
  sortedRequests(): RequestRecord[] {
    return this.requests.sorted();
  }

  processedKeys(): string[] {
    return this.processed.toArray();
  }

  /** The channel-store writes of this cycle, MEMORY.md rendered once per changed actor. */
  actorWrites(sortedRequests: readonly RequestRecord[]): ActorWrites[] {
    const recordsByActor = new Map<string, RequestRecord[]>();
    for (const [actorId, actor] of this.actors) if (actor.memoryDirty) recordsByActor.set(actorId, []);
    for (const record of sortedRequests) recordsByActor.get(record.actor_id)?.push(record);
    return [...this.actors].map(([actorId, actor]) => {
      const records = recordsByActor.get(actorId);
      return {
        actorId,
        log: actor.log,
        context: actor.context,
        ...(records ? { memory: () => renderMemoryBytes(actorId, records) } : {}),
      };
    });
  }
}
