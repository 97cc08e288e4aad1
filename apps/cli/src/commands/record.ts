import { printableText, readFixtureDocument, recordFixture, writeFixtureFile, type Redactor } from "@tau/gateway";
import { UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import { fixtureChoiceFromFlags } from "../fixture-path";
import type { Flags } from "../flags";
import { checkIntegerFlags, unusedFlagWarnings } from "../flag-checks";
import type { Io } from "../io";
import { redactError, redactingIo } from "../redacting-io";
import { json } from "../render";
import { liveDriverFromFlags, redactorFromFlags, runnerSettingsFromFlags } from "../runner-settings";

/**
 * `tau-gateway record [FIXTURE] --gateway-target-url URL --out OUT`. The run's secrets (target
 * header values, URL userinfo) are replaced by *** in the fixture it writes, in what it prints
 * and in any error it ends with.
 */
export async function recordCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const redactor = redactorFromFlags(flags);
  try {
    return await recordWith({ flags, io: redactingIo(io, redactor), args, redactor });
  } catch (error) {
    throw redactError(error, redactor);
  }
}

async function recordWith(options: { flags: Flags; io: Io; args: string[]; redactor: Redactor }): Promise<number> {
  const { flags, io, args, redactor } = options;
  checkIntegerFlags(flags);
  for (const warning of unusedFlagWarnings(flags, "record")) io.err(`warning: ${warning}\n`);
  const out = flags.string("out");
  if (out === undefined) throw new UsageError("record needs --out FILE: where to write the recorded fixture");
  const { patterns } = fixtureChoiceFromFlags(flags, args);
  if (patterns.length !== 1) throw new UsageError(`record takes one --gateway-fixture (found ${patterns.length})`);
  const settings = runnerSettingsFromFlags(flags);
  const driver = liveDriverFromFlags(flags);
  if (driver === undefined) throw new UsageError("record needs --gateway-target-url URL: the gateway whose answers become the expectations");
  let result;
  try {
    const input = await readFixtureDocument(patterns[0] as string, { maxBytes: flags.integer("gateway-max-fixture-bytes") });
    result = await recordFixture({ text: input.text, document: input.document, source: input.source.path, driver, which: "all", settings, redactor });
  } finally {
    await driver.close();
  }
  await writeFixtureFile({ path: out, text: result.text, force: flags.boolean("force") });
  if (flags.boolean("json")) io.out(json({ out, recorded: result.recorded, notes: result.notes }));
  else {
    io.out(`recorded ${result.recorded.length} case${result.recorded.length === 1 ? "" : "s"} into ${out}\n${result.notes.map((n) => `note: ${printableText(n)}\n`).join("")}`);
  }
  return EXIT.ok;
}
