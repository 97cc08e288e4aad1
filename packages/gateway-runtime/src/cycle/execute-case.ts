import { performance } from "node:perf_hooks";
import { checkContract, type Drift, type GatewayCase, type Observed } from "@tau/gateway-contract";
import { waitBeforeRetry } from "./backoff";
import type { DriverResult, GatewayDriver, TransportFailure } from "../drivers/driver";
import type { RunnerSettings } from "./runner-options";

/** One attempt that failed transiently (kept for reports: a flaky case's failed attempts). */
export interface TransientAttempt {
  attempt: number;
  outcome: "retryable_failure" | "transport_error";
  status_code: number;
  error_code: string;
  message?: string;
}

/** Transient attempts kept per case; a case retried a million times keeps only the first ones. */
export const MAX_KEPT_ATTEMPTS = 10;

interface ExecutionCommon {
  attempts: number;
  retryableFailures: number;
  /** The first MAX_KEPT_ATTEMPTS transient failures, in order. */
  transientAttempts: TransientAttempt[];
  /** Wall time over all attempts and waits. */
  durationMs: number;
}

/** What happened to one case over all its attempts, before anything is recorded. */
export type CaseExecution = ExecutionCommon &
  (
    | { kind: "success" | "malformed"; observed: Observed }
    | { kind: "failed"; observed: Observed | TransportFailure }
    | { kind: "drift"; observed: Observed; drift: Drift }
  );

function transientAttempt(attempt: number, result: Observed | TransportFailure): TransientAttempt {
  return result.outcome === "transport_error"
    ? { attempt, outcome: "transport_error", status_code: 0, error_code: result.error_code, message: result.message }
    : { attempt, outcome: "retryable_failure", status_code: result.status_code, error_code: result.error_code };
}

const isTransient = (result: DriverResult): boolean =>
  result.outcome === "retryable_failure" || result.outcome === "transport_error";

/**
 * Runs the attempts of one case (behavior.md §4): a success or malformed answer is checked
 * against the contract at once; a transient failure is retried with backoff whatever the case
 * expects, and only a case that expects `retryable_failure` has its last such answer checked.
 */
export async function executeCase(options: {
  gatewayCase: GatewayCase;
  driver: GatewayDriver;
  settings: RunnerSettings;
  signal?: AbortSignal;
  /** Called before every attempt; awaiting what it returns lets signals and timers run (event-loop-yield.ts). */
  yieldToEventLoop?: () => Promise<void> | undefined;
}): Promise<CaseExecution> {
  const { gatewayCase, driver, settings, signal, yieldToEventLoop } = options;
  const started = performance.now();
  let retryableFailures = 0;
  const transientAttempts: TransientAttempt[] = [];
  const common = (attempts: number): ExecutionCommon => ({
    attempts,
    retryableFailures,
    transientAttempts,
    durationMs: performance.now() - started,
  });
  for (let attempt = 1; ; attempt++) {
    const pause = yieldToEventLoop?.();
    if (pause) await pause;
    signal?.throwIfAborted();
    const result = await driver.execute(gatewayCase, { attempt, ...(signal ? { signal } : {}) });
    if (!isTransient(result)) {
      const observed = result as Observed;
      const drift = checkContract(gatewayCase, observed);
      if (drift) return { kind: "drift", observed, drift, ...common(attempt) };
      const kind = observed.outcome === "success" ? "success" : "malformed";
      return { kind, observed, ...common(attempt) };
    }
    retryableFailures++;
    if (transientAttempts.length < MAX_KEPT_ATTEMPTS) transientAttempts.push(transientAttempt(attempt, result as Observed | TransportFailure));
    if (attempt >= settings.retryMaxAttempts) {
      if (result.outcome === "retryable_failure" && gatewayCase.expected.outcome === "retryable_failure") {
        const drift = checkContract(gatewayCase, result);
        if (drift) return { kind: "drift", observed: result, drift, ...common(attempt) };
      }
      return { kind: "failed", observed: result, ...common(attempt) };
    }
    await waitBeforeRetry({ attempt, settings, result, ...(signal ? { signal } : {}) });
  }
}
