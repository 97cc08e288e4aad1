import { EventStoreError, FixtureError, GatewayRuntimeError, GuardrailError, WatchError } from "@tau/gateway";
import { CliError, UsageError } from "./errors";

/** Exit codes of behavior.md §9. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  holdWithFailOnHold: 3,
  contractDrift: 4,
  stateLocked: 5,
} as const;

/** The one place errors become exit codes. */
export function exitCodeForError(error: unknown): number {
  if (UsageError.isInstance(error) || FixtureError.isInstance(error) || GuardrailError.isInstance(error)) return EXIT.usage;
  if (GatewayRuntimeError.isInstance(error)) {
    if (error.code === "E_STATE_LOCKED") return EXIT.stateLocked;
    if (error.code === "E_INVALID_OPTION") return EXIT.usage;
    // Shard dirs that are not one complete split: the command line named the wrong dirs.
    if (error.code === "E_SHARDS_NOT_MERGEABLE") return EXIT.usage;
    // drift accept / record refusals: the command cannot do what was asked as things stand.
    if (error.code === "E_NO_DRIFT" || error.code === "E_FIXTURE_CHANGED" || error.code === "E_OUTPUT_EXISTS") return EXIT.usage;
    return EXIT.internal;
  }
  if (WatchError.isInstance(error)) return error.code === "E_LISTEN" ? EXIT.internal : EXIT.usage;
  if (EventStoreError.isInstance(error)) {
    if (error.code === "E_LOCKED") return EXIT.stateLocked;
    if (error.code === "E_INVALID_CHANNEL_ID") return EXIT.usage;
  }
  return EXIT.internal;
}

/** True for errors whose message is the whole story (no stack trace needed even with --debug). */
export function isExpectedError(error: unknown): boolean {
  return (
    exitCodeForError(error) !== EXIT.internal ||
    CliError.isInstance(error) ||
    GatewayRuntimeError.isInstance(error) ||
    EventStoreError.isInstance(error) ||
    WatchError.isInstance(error)
  );
}
