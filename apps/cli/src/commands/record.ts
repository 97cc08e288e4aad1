import { readFixtureDocument, recordFixture, writeFixtureFile } from "@tau/gateway";
import { UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { json } from "../render";
import { fixturePatternsFromFlags, liveDriverFromFlags, runnerSettingsFromFlags, secretsFromFlags } from "../runner-settings";

/** `tau-gateway record --gateway-target-url URL --gateway-fixture IN --out OUT`. */
export async function recordCommand(flags: Flags, io: Io): Promise<number> {
  const out = flags.string("out");
  if (out === undefined) throw new UsageError("record needs --out FILE: where to write the recorded fixture");
  const patterns = fixturePatternsFromFlags(flags);
  if (patterns.length !== 1) throw new UsageError(`record takes one --gateway-fixture (found ${patterns.length})`);
  const settings = runnerSettingsFromFlags(flags);
  const driver = liveDriverFromFlags(flags);
  if (driver === undefined) throw new UsageError("record needs --gateway-target-url URL: the gateway whose answers become the expectations");
  let result;
  try {
    const input = await readFixtureDocument(patterns[0] as string, { maxBytes: flags.integer("gateway-max-fixture-bytes") });
    result = await recordFixture({ text: input.text, document: input.document, source: input.source.path, driver, which: "all", settings, secrets: secretsFromFlags(flags) });
  } finally {
    await driver.close();
  }
  await writeFixtureFile({ path: out, text: result.text, force: flags.boolean("force") });
  if (flags.boolean("json")) io.out(json({ out, recorded: result.recorded, notes: result.notes }));
  else {
    io.out(`recorded ${result.recorded.length} case${result.recorded.length === 1 ? "" : "s"} into ${out}\n${result.notes.map((n) => `note: ${n}\n`).join("")}`);
  }
  return EXIT.ok;
}
