import type { Flags } from "./flags";
import { OPTIONS } from "./options";
import { findCommand, GLOBAL_OPTIONS } from "./registry";

/**
 * Reads every integer flag that was given, used by this command or not, so a value out of range
 * (e.g. a timeout past what a timer holds) is a usage error even where the flag is ignored.
 */
export function checkIntegerFlags(flags: Flags): void {
  for (const spec of OPTIONS) if (spec.kind === "integer" && flags.isSet(spec.name)) flags.integer(spec.name);
}

/** Flags that only mean something with --gateway-target-url. */
const LIVE_ONLY = ["gateway-target-header", "gateway-request-timeout-ms", "gateway-max-response-bytes"];

/**
 * Warnings for flags that do nothing in the chosen command, so a typo'd mode or a forgotten
 * --gateway-target-url does not pass silently. What a command reads is its `options` in the
 * registry (the same list its --help shows). Only the command line counts for that rule: a
 * TAU_GATEWAY_* variable set for a whole CI job is not a mistake of this call. A live-only flag
 * without a target URL warns from a variable too, since the simulated gateway then ignores it.
 */
export function unusedFlagWarnings(flags: Flags, command: string): string[] {
  const used = new Set([...(findCommand(command)?.options ?? []), ...GLOBAL_OPTIONS]);
  const out: string[] = [];
  if (used.has("gateway-target-url") && !flags.isSet("gateway-target-url")) {
    for (const name of LIVE_ONLY) {
      if (flags.isSet(name)) out.push(`--${name} does nothing without --gateway-target-url (the simulated gateway is used)`);
    }
  }
  for (const spec of OPTIONS) {
    if (spec.group !== "mode" && !used.has(spec.name) && flags.has(spec.name)) out.push(`--${spec.name} does nothing for ${command}; ignored`);
  }
  return out;
}
