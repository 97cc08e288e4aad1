import { basename } from "node:path";
import { FixtureError, importHar, readHarFile, writeFixtureFile } from "@tau/gateway";
import { NotFoundError, UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import { unusedFlagWarnings } from "../flag-checks";
import type { Io } from "../io";
import { json } from "../render";

/** `tau-gateway import har FILE --out FIXTURE`: HAR requests → v2 cases without expected. */
export async function importCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const [kind, file, ...rest] = args;
  if (kind !== "har" || file === undefined || rest.length > 0) {
    throw new UsageError(`${kind !== undefined && kind !== "har" ? `cannot import ${JSON.stringify(kind)} (only har); ` : ""}usage: tau-gateway import har FILE --out FIXTURE`);
  }
  for (const warning of unusedFlagWarnings(flags, "import")) io.err(`warning: ${warning}\n`);
  const out = flags.string("out");
  if (out === undefined) throw new UsageError("import har needs --out FIXTURE: where to write the cases");
  let text: string;
  try {
    text = await readHarFile(file, { maxBytes: flags.integer("gateway-max-fixture-bytes") });
  } catch (error) {
    if (FixtureError.isInstance(error)) throw error;
    throw new NotFoundError(`${file}: cannot read the HAR file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const imported = importHar({ text, source: file, name: basename(out).replace(/\.json$/i, "") });
  await writeFixtureFile({ path: out, text: `${JSON.stringify(imported.fixture, null, 2)}\n`, force: flags.boolean("force") });
  const count = imported.fixture.cases.length;
  if (flags.boolean("json")) io.out(json({ out, cases: count, skipped: imported.skipped }));
  else {
    io.out(
      `imported ${count} case${count === 1 ? "" : "s"} into ${out} (skipped ${imported.skipped.length} entr${imported.skipped.length === 1 ? "y" : "ies"} that were not JSON requests)\n` +
        `next: tau-gateway record --gateway-target-url URL --gateway-fixture ${out} --out FIXTURE\n`,
    );
  }
  return EXIT.ok;
}
