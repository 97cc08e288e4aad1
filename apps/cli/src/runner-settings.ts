import { httpDriver, type GatewayDriver, type RunnerSettings } from "@tau/gateway";
import { UsageError } from "./errors";
import type { Flags } from "./flags";
import { OPTIONS } from "./options";

/** Live mode's backoff base when none is given (the simulated gateway needs no wait). */
const LIVE_BASE_DELAY_MS = 200;

/** The runner settings of behavior.md §4 from flags, variables and defaults. */
export function runnerSettingsFromFlags(flags: Flags): Partial<RunnerSettings> {
  const live = flags.isSet("gateway-target-url");
  return {
    queueLimit: flags.integer("gateway-queue-limit"),
    processedCaseCap: flags.integer("gateway-processed-case-cap"),
    retryMaxAttempts: flags.integer("gateway-retry-max-attempts"),
    retryBaseDelayMs:
      live && !flags.isSet("gateway-retry-base-delay-ms") ? LIVE_BASE_DELAY_MS : flags.integer("gateway-retry-base-delay-ms"),
    retryMaxDelayMs: flags.integer("gateway-retry-max-delay-ms"),
    retryJitter: live,
    concurrency: flags.integer("gateway-concurrency"),
    thresholds: {
      failureStreak: flags.integer("gateway-guardrail-failure-streak-threshold"),
      retryableFailures: flags.integer("gateway-guardrail-retryable-failures-threshold"),
    },
  };
}

export function stateDirFromFlags(flags: Flags): string {
  return flags.string("gateway-state-dir") as string;
}

/** The `--gateway-fixture` values (paths or globs), or the default fixture when none is given. */
export function fixturePatternsFromFlags(flags: Flags): string[] {
  const given = flags.list("gateway-fixture").map((p) => p.trim()).filter((p) => p.length > 0);
  return given.length > 0 ? given : [String(OPTIONS.find((o) => o.name === "gateway-fixture")?.default)];
}

const UPDATE_MODES = ["none", "new", "all"] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];

/**
 * `--gateway-update`: none unless asked; under CI (the CI variable set) only the command line
 * can ask, so a TAU_GATEWAY_UPDATE left in a CI environment never rewrites fixtures there.
 */
export function updateModeFromFlags(flags: Flags, env: NodeJS.ProcessEnv): UpdateMode {
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
  if (ci && !flags.has("gateway-update")) return "none";
  const mode = (flags.string("gateway-update") ?? "none").trim().toLowerCase();
  if (!(UPDATE_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--gateway-update must be none, new or all (found ${JSON.stringify(mode)})`);
  }
  return mode as UpdateMode;
}

/** The secret header values of --gateway-target-header, for redaction. */
export function secretsFromFlags(flags: Flags): string[] {
  return flags.list("gateway-target-header").map((h) => parseHeader(h)[1]);
}

/** `Name: value` → [name, value]; the value is a secret, so messages show only the name. */
function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(":");
  const name = colon > 0 ? text.slice(0, colon).trim() : "";
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    const shown = colon > 0 ? `${text.slice(0, colon)}: ***` : "***";
    throw new UsageError(`--gateway-target-header must look like "Name: value" (found ${JSON.stringify(shown)})`);
  }
  return [name, text.slice(colon + 1).trim()];
}

/** The HTTP driver when --gateway-target-url is given; undefined for the simulated gateway. */
export function liveDriverFromFlags(flags: Flags): (GatewayDriver & { close(): Promise<void> }) | undefined {
  const target = flags.string("gateway-target-url");
  if (target === undefined) return undefined;
  return httpDriver({
    targetUrl: target,
    headers: Object.fromEntries(flags.list("gateway-target-header").map(parseHeader)),
    requestTimeoutMs: flags.integer("gateway-request-timeout-ms"),
    connections: flags.integer("gateway-concurrency"),
  });
}
