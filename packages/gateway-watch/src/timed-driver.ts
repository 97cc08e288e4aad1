import { normalizeMethod, SUPPORTED_METHODS } from "@tau/gateway-contract";
import type { DriverResult, GatewayDriver } from "@tau/gateway-runtime";
import type { RequestObservation } from "./gateway-metrics";

const KNOWN_METHODS = new Set<string>(SUPPORTED_METHODS);

/** `2xx` … `5xx` for an answer, `transport_error` when none came; a bounded label set. */
export function statusClass(result: DriverResult): string {
  if (result.outcome === "transport_error") return "transport_error";
  const code = result.status_code;
  return code >= 100 && code <= 599 ? `${Math.floor(code / 100)}xx` : "other";
}

/**
 * Wraps a driver so each attempt's duration is reported, by method and status class; the
 * driver itself is untouched (and its `close`, if any, still works through the wrapper).
 */
export function timedDriver<D extends GatewayDriver>(driver: D, onRequest: (observation: RequestObservation) => void): D {
  const timed: GatewayDriver = {
    name: driver.name,
    async execute(gatewayCase, context) {
      const started = process.hrtime.bigint();
      const result = await driver.execute(gatewayCase, context);
      const method = normalizeMethod(gatewayCase.method);
      onRequest({
        method: KNOWN_METHODS.has(method) ? method : "OTHER",
        statusClass: statusClass(result),
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
      return result;
    },
  };
  // Keep every other member (e.g. `close`) of the wrapped driver, bound to it.
  return new Proxy(driver, {
    get(target, key, receiver) {
      if (key === "execute") return timed.execute;
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
