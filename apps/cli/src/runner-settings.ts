import { createRedactor, httpDriver, targetSecrets, type HttpDriver, type JsonlRotation, type Redactor, type RunnerSettings } from "@tau/gateway";
import { UsageError } from "./errors";
import type { Flags } from "./flags";

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

/** Log rotation from --gateway-events-max-bytes/-max-files; undefined when off (0 bytes). */
export function rotationFromFlags(flags: Flags): JsonlRotation | undefined {
  const maxBytes = flags.integer("gateway-events-max-bytes");
  return maxBytes > 0 ? { maxBytes, maxFiles: flags.integer("gateway-events-max-files") } : undefined;
}

export function stateDirFromFlags(flags: Flags): string {
  return flags.string("gateway-state-dir") as string;
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

function headersFromFlags(flags: Flags): Record<string, string> {
  return Object.fromEntries(flags.list("gateway-target-header").map(parseHeader));
}

/**
 * The redactor of this invocation's secrets: every --gateway-target-header value and the userinfo
 * of --gateway-target-url, whether or not live mode uses them. Never throws: a malformed header
 * still has its value hidden in the usage error about it.
 */
export function redactorFromFlags(flags: Flags): Redactor {
  const values = flags.list("gateway-target-header").map((text) => {
    const colon = text.indexOf(":");
    return colon >= 0 ? text.slice(colon + 1).trim() : text.trim();
  });
  return createRedactor([...values, ...targetSecrets({ targetUrl: targetUrlText(flags) })]);
}

function targetUrlText(flags: Flags): string {
  try {
    return flags.string("gateway-target-url") ?? "";
  } catch {
    return "";
  }
}

/** The HTTP driver when --gateway-target-url is given; undefined for the simulated gateway. */
export function liveDriverFromFlags(flags: Flags): HttpDriver | undefined {
  const target = flags.string("gateway-target-url");
  if (target === undefined) return undefined;
  return httpDriver({
    targetUrl: target,
    headers: headersFromFlags(flags),
    requestTimeoutMs: flags.integer("gateway-request-timeout-ms"),
    connections: flags.integer("gateway-concurrency"),
    maxResponseBytes: flags.integer("gateway-max-response-bytes"),
  });
}
