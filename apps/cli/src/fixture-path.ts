import { FixtureError } from "@tau/gateway";
import { UsageError } from "./errors";
import type { Flags } from "./flags";
import { envName, OPTIONS } from "./options";

const DEFAULT_FIXTURE = String(OPTIONS.find((o) => o.name === "gateway-fixture")?.default);

/** The fixtures a command reads (paths or globs, a set when several). */
export interface FixtureChoice {
  patterns: string[];
  /** True when nothing named a fixture and the default path is used. */
  isDefault: boolean;
}

/**
 * The `--gateway-fixture` values (paths or globs; repeatable, TAU_GATEWAY_FIXTURE holds one per
 * line), or the default fixture when none is given. An empty value is a usage error, not the default.
 */
export function fixturePatternsFromFlags(flags: Flags): string[] {
  const values = flags.list("gateway-fixture");
  if (values.some((p) => p.trim().length === 0) || (values.length === 0 && flags.isSet("gateway-fixture"))) {
    throw new UsageError(`--gateway-fixture${flags.has("gateway-fixture") ? "" : ` (from ${envName("gateway-fixture")})`} must not be empty`);
  }
  return values.length > 0 ? values.map((p) => p.trim()) : [DEFAULT_FIXTURE];
}

/** The fixtures a command reads: its FIXTURE argument, else --gateway-fixture / TAU_GATEWAY_FIXTURE (one or more), else the default. */
export function fixtureChoiceFromFlags(flags: Flags, args: readonly string[]): FixtureChoice {
  const [positional] = args;
  if (positional !== undefined) {
    if (flags.has("gateway-fixture")) throw new UsageError(`give the fixture once: either FIXTURE (${JSON.stringify(positional)}) or --gateway-fixture, not both`);
    if (positional.trim().length === 0) throw new UsageError("FIXTURE must not be empty");
    return { patterns: [positional], isDefault: false };
  }
  return { patterns: fixturePatternsFromFlags(flags), isDefault: !flags.isSet("gateway-fixture") };
}

/**
 * A missing default fixture is what a newcomer outside this repository meets first: say how to
 * get one instead of only "not found". Any other error is returned as it is.
 */
export function withInitHint(error: unknown, fixture: FixtureChoice): unknown {
  if (!fixture.isDefault || !FixtureError.isInstance(error) || error.code !== "E_FIXTURE_NOT_FOUND") return error;
  return new UsageError(
    `no fixture at ${DEFAULT_FIXTURE} (the default): run \`tau-gateway init\` to write an example there, or name one with \`tau-gateway run FIXTURE\``,
  );
}
