import { FixtureError } from "@tau/gateway";
import { UsageError } from "./errors";
import type { Flags } from "./flags";

/** The fixture a command reads: its FIXTURE argument, else --gateway-fixture / TAU_GATEWAY_FIXTURE, else the default. */
export function fixturePathFromFlags(flags: Flags, args: readonly string[]): { path: string; isDefault: boolean } {
  const [positional] = args;
  if (positional !== undefined) {
    if (flags.has("gateway-fixture")) throw new UsageError(`give the fixture once: either FIXTURE (${JSON.stringify(positional)}) or --gateway-fixture, not both`);
    if (positional.trim().length === 0) throw new UsageError("FIXTURE must not be empty");
    return { path: positional, isDefault: false };
  }
  return { path: flags.string("gateway-fixture") as string, isDefault: !flags.isSet("gateway-fixture") };
}

/**
 * A missing default fixture is what a newcomer outside this repository meets first: say how to
 * get one instead of only "not found". Any other error is returned as it is.
 */
export function withInitHint(error: unknown, fixture: { path: string; isDefault: boolean }): unknown {
  if (!fixture.isDefault || !FixtureError.isInstance(error) || error.code !== "E_FIXTURE_NOT_FOUND") return error;
  return new UsageError(
    `no fixture at ${fixture.path} (the default): run \`tau-gateway init\` to write an example there, or name one with \`tau-gateway run FIXTURE\``,
  );
}
