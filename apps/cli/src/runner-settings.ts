import type { RunnerSettings } from "@tau/gateway";
import type { Flags } from "./flags";

/** The runner settings of behavior.md §4 from flags, variables and defaults. */
export function runnerSettingsFromFlags(flags: Flags): Partial<RunnerSettings> {
  return {
    queueLimit: flags.integer("gateway-queue-limit"),
    processedCaseCap: flags.integer("gateway-processed-case-cap"),
    retryMaxAttempts: flags.integer("gateway-retry-max-attempts"),
    retryBaseDelayMs: flags.integer("gateway-retry-base-delay-ms"),
    thresholds: {
      failureStreak: flags.integer("gateway-guardrail-failure-streak-threshold"),
      retryableFailures: flags.integer("gateway-guardrail-retryable-failures-threshold"),
    },
  };
}

export function stateDirFromFlags(flags: Flags): string {
  return flags.string("gateway-state-dir") as string;
}
