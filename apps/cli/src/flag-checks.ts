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

/** Flags of the fixture workflow that `run` reads. */
const RUN_FIXTURE_FLAGS = ["gateway-update", "gateway-tag"];

/** Flags that only mean something with --gateway-target-url. */
const LIVE_ONLY = ["gateway-target-header", "gateway-request-timeout-ms", "gateway-max-response-bytes"];

/** The commands that warn about flags they ignore. */
export type FlagCheckedCommand = "run" | "serve-reference" | "record" | "drift" | "import";

/**
 * Warnings for flags that do nothing in the chosen command, so a typo'd mode or a forgotten
 * --gateway-target-url does not pass silently (a flag from the environment counts as given).
 * For record, drift and import only the command line counts: a TAU_GATEWAY_* variable set for a
 * whole CI job (the state dir, the target, the tags of `run`) is not a mistake of this call.
 */
export function unusedFlagWarnings(flags: Flags, command: FlagCheckedCommand): string[] {
  const given = (name: string) => flags.isSet(name);
  const out: string[] = [];
  if (command === "run") {
    const live = given("gateway-target-url");
    for (const name of LIVE_ONLY) {
      if (!live && given(name)) out.push(`--${name} does nothing without --gateway-target-url (the simulated gateway is used)`);
    }
    for (const spec of OPTIONS) {
      if (spec.group === "serve" && given(spec.name)) out.push(`--${spec.name} only applies to serve-reference; ignored by run`);
      // --gateway-update and --gateway-tag are run's; --out and --field belong to record, import and drift.
      if (spec.group === "fixture" && !RUN_FIXTURE_FLAGS.includes(spec.name) && flags.has(spec.name)) {
        out.push(`--${spec.name} does nothing for run; ignored`);
      }
    }
  } else if (command === "serve-reference") {
    for (const spec of OPTIONS) {
      if ((spec.group === "runner" || spec.group === "guardrail" || spec.group === "live" || spec.group === "fixture") && flags.has(spec.name)) {
        out.push(`--${spec.name} does nothing for serve-reference; ignored`);
      }
    }
  } else {
    const used = new Set([...(findCommand(command)?.options ?? []), ...GLOBAL_OPTIONS]);
    for (const spec of OPTIONS) {
      if (spec.group !== "mode" && !used.has(spec.name) && flags.has(spec.name)) out.push(`--${spec.name} does nothing for ${command}; ignored`);
    }
  }
  return out;
}
