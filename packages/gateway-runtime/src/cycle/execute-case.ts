import { setTimeout as sleep } from "node:timers/promises";
import { checkContract, type Drift, type GatewayCase, type Observed } from "@tau/gateway-contract";
import { backoffDelayMs } from "./backoff";
import type { DriverResult, GatewayDriver, TransportFailure } from "../drivers/driver";
import type { RunnerSettings } from "./runner-options";

/** What happened to one case over all its attempts, before anything is recorded. */
export type CaseExecution =
  | { kind: "success" | "malformed"; observed: Observed; attempts: number; retryableFailures: number }
  | { kind: "failed"; observed: Observed | TransportFailure; attempts: number; retryableFailures: number }
  | { kind: "drift"; observed: Observed; drift: Drift; attempts: number; retryableFailures: number };

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
  let retryableFailures = 0;
  for (let attempt = 1; ; attempt++) {
    const pause = yieldToEventLoop?.();
    if (pause) await pause;
    signal?.throwIfAborted();
    const result = await driver.execute(gatewayCase, { attempt, ...(signal ? { signal } : {}) });
    if (!isTransient(result)) {
      const observed = result as Observed;
      const drift = checkContract(gatewayCase, observed);
      if (drift) return { kind: "drift", observed, drift, attempts: attempt, retryableFailures };
      const kind = observed.outcome === "success" ? "success" : "malformed";
      return { kind, observed, attempts: attempt, retryableFailures };
    }
    retryableFailures++;
    if (attempt >= settings.retryMaxAttempts) {
      if (result.outcome === "retryable_failure" && gatewayCase.expected.outcome === "retryable_failure") {
        const drift = checkContract(gatewayCase, result);
        if (drift) return { kind: "drift", observed: result, drift, attempts: attempt, retryableFailures };
      }
      return { kind: "failed", observed: result, attempts: attempt, retryableFailures };
    }
    const delay = backoffDelayMs({
      attempt,
      baseDelayMs: settings.retryBaseDelayMs,
      maxDelayMs: settings.retryMaxDelayMs,
      jitter: settings.retryJitter,
      ...(result.retry_after_ms !== undefined ? { retryAfterMs: result.retry_after_ms } : {}),
    });
    if (delay > 0) await sleep(delay, undefined, signal ? { signal } : undefined);
  }
}
