import { performance } from "node:perf_hooks";
import { normalizeMethod, SUPPORTED_METHODS } from "@tau/gateway-contract";
import type { DriverResult, GatewayDriver } from "@tau/gateway-runtime";
import type { RequestObservation } from "./gateway-metrics";

const KNOWN_METHODS = new Set<string>(SUPPORTED_METHODS);
const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;
/** Distinct method spellings remembered per driver; a fixture has a handful. */
const METHOD_CACHE_LIMIT = 64;

/** `2xx` … `5xx` for an answer, `transport_error` when none came; a bounded label set. */
export function statusClass(result: DriverResult): string {
  if (result.outcome === "transport_error") return "transport_error";
  const code = result.status_code;
  return code >= 100 && code <= 599 ? (STATUS_CLASSES[Math.floor(code / 100) - 1] as string) : "other";
}

function methodLabel(method: string): string {
  const normalised = normalizeMethod(method);
  return KNOWN_METHODS.has(normalised) ? normalised : "OTHER";
}

/**
 * Wraps a driver so each attempt's duration is reported, by method and status class; the
 * driver itself is untouched (and its `close`, if any, still works through the wrapper).
 * Runs once per request of a live cycle, so it allocates as little as it can: the method label
 * of each spelling is computed once.
 */
export function timedDriver<D extends GatewayDriver>(driver: D, onRequest: (observation: RequestObservation) => void): D {
  const labels = new Map<string, string>();
  const label = (method: string): string => {
    let known = labels.get(method);
    if (known === undefined) {
      known = methodLabel(method);
      if (labels.size < METHOD_CACHE_LIMIT) labels.set(method, known);
    }
    return known;
  };
  const timed: GatewayDriver = {
    name: driver.name,
    async execute(gatewayCase, context) {
      const started = performance.now();
      const result = await driver.execute(gatewayCase, context);
      onRequest({ method: label(gatewayCase.method), statusClass: statusClass(result), seconds: (performance.now() - started) / 1000 });
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
