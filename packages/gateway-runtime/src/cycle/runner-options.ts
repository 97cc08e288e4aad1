import { DEFAULT_THRESHOLDS, type GuardrailThresholds } from "@tau/gateway-guardrail";
import { GatewayRuntimeError } from "../errors";
import { MAX_TIMER_MS } from "./backoff";

/** Settings of a cycle (behavior.md §4); every number is an integer. */
export interface RunnerSettings {
  queueLimit: number;
  processedCaseCap: number;
  retryMaxAttempts: number;
  retryBaseDelayMs: number;
  /** Upper bound of one backoff wait. */
  retryMaxDelayMs: number;
  /** Spread each wait uniformly over [0, delay] ("full jitter"); off for the simulated gateway. */
  retryJitter: boolean;
  /** How many cases may be in flight at once; results are still recorded in queue order. */
  concurrency: number;
  thresholds: GuardrailThresholds;
}

/** The defaults of behavior.md §4. */
export const DEFAULT_SETTINGS: RunnerSettings = {
  queueLimit: 64,
  processedCaseCap: 10_000,
  retryMaxAttempts: 4,
  retryBaseDelayMs: 0,
  retryMaxDelayMs: 30_000,
  retryJitter: false,
  concurrency: 1,
  thresholds: DEFAULT_THRESHOLDS,
};

const POSITIVE: readonly (keyof RunnerSettings)[] = [
  "queueLimit",
  "processedCaseCap",
  "retryMaxAttempts",
  "concurrency",
];

/** Fills defaults and checks every number; throws E_INVALID_OPTION naming the setting. */
export function resolveSettings(partial: Partial<RunnerSettings> = {}): RunnerSettings {
  const settings: RunnerSettings = {
    ...DEFAULT_SETTINGS,
    ...partial,
    thresholds: { ...DEFAULT_SETTINGS.thresholds, ...partial.thresholds },
  };
  const check = (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isSafeInteger(value) || value < min) {
      const rule = min === 1 ? "must be an integer greater than 0" : "must be an integer of at least 0";
      throw new GatewayRuntimeError("E_INVALID_OPTION", `${name} ${rule} (found ${value})`);
    }
    if (value > max) throw new GatewayRuntimeError("E_INVALID_OPTION", `${name} must be at most ${max}, the longest wait a timer holds (found ${value})`);
  };
  for (const key of POSITIVE) check(key, settings[key] as number, 1);
  check("retryBaseDelayMs", settings.retryBaseDelayMs, 0, MAX_TIMER_MS);
  check("retryMaxDelayMs", settings.retryMaxDelayMs, 0, MAX_TIMER_MS);
  check("thresholds.failureStreak", settings.thresholds.failureStreak, 1);
  check("thresholds.retryableFailures", settings.thresholds.retryableFailures, 1);
  return settings;
}
