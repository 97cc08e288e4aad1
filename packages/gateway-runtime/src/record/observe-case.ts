import type { GatewayCase } from "@tau/gateway-contract";
import { waitBeforeRetry } from "../cycle/backoff";
import type { RunnerSettings } from "../cycle/runner-options";
import type { DriverResult, GatewayDriver } from "../drivers/driver";

/** The request fields of a case: all a driver reads. A case to record has no `expected` yet. */
export type CaseRequest = Omit<GatewayCase, "expected"> & { expected?: GatewayCase["expected"] };

/**
 * Asks the gateway for one case's answer, as a cycle would (retrying transient failures with
 * the same backoff), but checks nothing and records nothing: the answer is what `record` and
 * `--gateway-update new` write into the fixture.
 */
export async function observeCase(options: {
  request: CaseRequest;
  driver: GatewayDriver;
  settings: RunnerSettings;
  signal?: AbortSignal;
}): Promise<DriverResult> {
  const { request, driver, settings, signal } = options;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    // Drivers read only the request fields; `expected` is never looked at.
    const result = await driver.execute(request as GatewayCase, { attempt, ...(signal ? { signal } : {}) });
    const transient = result.outcome === "retryable_failure" || result.outcome === "transport_error";
    if (!transient || attempt >= settings.retryMaxAttempts) return result;
    await waitBeforeRetry({ attempt, settings, result, ...(signal ? { signal } : {}) });
  }
}
