import { MAX_LINE_BYTES } from "@tau/event-store";
import { caseResultSchema, type CaseResult, type CaseResultKind } from "../state/last-cycle";
import type { NormalisedCase } from "./channel-records";
import type { CaseExecution } from "./execute-case";

/**
 * The case lines of a cycle as objects, exactly as `readLastCycle` reads them back from
 * last-cycle.jsonl: same values, same keys in the same order (the schema's), same lines left
 * out. Kept only when asked (`RunCycleOptions.keepCaseResults`), for reports rendered right
 * after the cycle: reading 100k lines back cost ~0.6 s of JSON.parse and zod, a fifth of the
 * cycle itself.
 *
 * A plain line (a case that did not run, or answered once with flat values) is built as a
 * literal in the schema's key order. Any other line (bodies, drift differences, failed
 * attempts, a transport error, an unexpected value) is parsed back from its own serialised
 * text with the schema, as the reader would: those are rare, and this way the two cannot drift.
 */
export class KeptCaseResults {
  readonly cases: CaseResult[] = [];

  /** A case that did not run: its line has the identity members and no observation. */
  notRun(c: NormalisedCase, result: CaseResultKind): void {
    this.cases.push({
      kind: "case",
      case_key: c.caseKey,
      case_id: c.caseId,
      method: c.method,
      endpoint: c.endpoint,
      actor_id: c.actorId,
      result,
      attempts: 0,
    });
  }

  /** A case that ran; `line` is its serialised last-cycle line (the slow path parses it). */
  executed(c: NormalisedCase, execution: CaseExecution, result: CaseResultKind, line: string): void {
    if (execution.kind === "success" || execution.kind === "malformed") {
      const o = execution.observed;
      // Rounded as the line rounds it.
      const rounded = Math.round(execution.durationMs * 1000) / 1000;
      if (
        execution.transientAttempts.length === 0 &&
        typeof o.outcome === "string" &&
        Number.isSafeInteger(o.status_code) &&
        typeof o.error_code === "string" &&
        Number.isSafeInteger(execution.attempts) &&
        Number.isFinite(rounded) &&
        rounded >= 0
      ) {
        this.cases.push({
          kind: "case",
          case_key: c.caseKey,
          case_id: c.caseId,
          method: c.method,
          endpoint: c.endpoint,
          actor_id: c.actorId,
          result,
          attempts: execution.attempts,
          outcome: o.outcome,
          status_code: o.status_code,
          error_code: o.error_code,
          // `|| 0`: a -0 is written as 0, and read back so.
          duration_ms: rounded || 0,
        });
        return;
      }
    }
    this.parsed(line);
  }

  /** What the reader makes of one line: the schema's output, or nothing for a line it skips. */
  private parsed(line: string): void {
    // The reader skips a line longer than it holds, unread.
    if (line.length > MAX_LINE_BYTES / 3 && Buffer.byteLength(line) > MAX_LINE_BYTES) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return;
    }
    const parsed = caseResultSchema.safeParse(value);
    if (parsed.success) this.cases.push(parsed.data);
  }
}
