import type { Flags } from "./flags";
import { OPTIONS } from "./options";

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
 * --gateway-target-url does not pass silently (a flag from the environment counts as given).
 */
export function unusedFlagWarnings(flags: Flags, command: "run" | "merge" | "serve-reference"): string[] {
  const given = (name: string) => flags.isSet(name);
  const out: string[] = [];
  if (command === "run") {
    const live = given("gateway-target-url");
    for (const name of LIVE_ONLY) {
      if (!live && given(name)) out.push(`--${name} does nothing without --gateway-target-url (the simulated gateway is used)`);
    }
    for (const spec of OPTIONS) {
      if (spec.group === "serve" && given(spec.name)) out.push(`--${spec.name} only applies to serve-reference; ignored by run`);
    }
  } else if (command === "merge") {
    // Runner, guardrail, shard and live flags are refused by merge itself (the shards' recorded
    // settings rule the merged cycle); what is left to warn about is serve-reference's.
    for (const spec of OPTIONS) {
      if (spec.group === "serve" && given(spec.name)) out.push(`--${spec.name} only applies to serve-reference; ignored by merge`);
    }
  } else {
    for (const spec of OPTIONS) {
      if ((spec.group === "runner" || spec.group === "guardrail" || spec.group === "shard" || spec.group === "live") && flags.has(spec.name)) {
        out.push(`--${spec.name} does nothing for serve-reference; ignored`);
      }
    }
    // run and report write reports; serve-reference runs no cycle to report on.
    if (flags.has("gateway-report")) out.push("--gateway-report does nothing for serve-reference; ignored");
  }
  return out;
}
