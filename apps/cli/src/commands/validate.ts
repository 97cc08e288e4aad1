import { FixtureError, loadFixture, printableText } from "@tau/gateway";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import { fixturePathFromFlags, withInitHint } from "../fixture-path";
import type { Io } from "../io";
import { json } from "../render";

/** `tau-gateway validate [FIXTURE]`: check a fixture without running it. */
export async function validateCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const fixture = fixturePathFromFlags(flags, args);
  const asJson = flags.boolean("json");
  const maxBytes = flags.integer("gateway-max-fixture-bytes");
  let loaded;
  try {
    loaded = await loadFixture(fixture.path, { maxBytes });
  } catch (error) {
    // With --json an invalid fixture is an answer, not a crash: the problems go to stdout for
    // editors and CI annotations; the exit code still says "invalid" (2).
    if (asJson && FixtureError.isInstance(error)) {
      io.out(
        json({
          valid: false,
          path: fixture.path,
          code: error.code,
          problems: error.issues.map((issue) => ({
            path: issue.path,
            case_id: issue.caseId ?? null,
            case_index: issue.caseIndex ?? null,
            message: issue.message,
          })),
        }),
      );
      return EXIT.usage;
    }
    throw withInitHint(error, fixture);
  }
  if (asJson) io.out(json({ valid: true, path: fixture.path, name: loaded.name, cases: loaded.cases.length, problems: [] }));
  else io.out(`${fixture.path}: valid fixture ${printableText(JSON.stringify(loaded.name))} with ${loaded.cases.length} case${loaded.cases.length === 1 ? "" : "s"}\n`);
  return EXIT.ok;
}
