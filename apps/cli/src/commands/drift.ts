import { acceptDrift, printableText, reviewDrift, type DriftItem } from "@tau/gateway";
import { UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import { unusedFlagWarnings } from "../flag-checks";
import type { Io } from "../io";
import { json } from "../render";
import { stateDirFromFlags } from "../runner-settings";

// Ids, keys, notes and values come from the fixture or the target: escaped, they cannot recolour
// the terminal or fake a line of the report.
const show = (item: DriftItem, side: "expected" | "observed") => (Object.hasOwn(item, side) ? printableText(JSON.stringify(item[side])) : "(missing)");

function renderItems(io: Io, items: readonly DriftItem[]): string {
  const c = io.colors;
  const lines: string[] = [];
  let current = "";
  for (const item of items) {
    if (item.case_key !== current) {
      current = item.case_key;
      const tags = [item.pending ? "pending" : "", item.fixture ? `fixture ${printableText(item.fixture)}` : "fixture not found"].filter(Boolean).join(", ");
      lines.push(`  case ${printableText(JSON.stringify(item.case_id))} (${printableText(item.case_key)}) [${tags}]`);
      if (item.note) lines.push(`    note: ${printableText(item.note)}`);
    }
    lines.push(`    ${printableText(item.pointer)}: expected ${c.green(show(item, "expected"))}, observed ${c.red(show(item, "observed"))}${item.accepted ? " (accepted)" : ""}`);
  }
  return lines.join("\n");
}

async function listCommand(flags: Flags, io: Io, selectors: string[]): Promise<number> {
  const field = flags.string("field");
  const review = await reviewDrift({ stateDir: stateDirFromFlags(flags), selectors, ...(field !== undefined ? { field } : {}) });
  if (flags.boolean("json")) {
    io.out(json({ fixture_name: review.cycle.fixture_name, started_unix_ms: review.cycle.started_unix_ms, fixture_sha256: review.provenance.fixture_sha256, fixtures: review.provenance.fixtures, drift: review.items }));
    return EXIT.ok;
  }
  const cases = new Set(review.items.map((i) => i.case_key)).size;
  const head = `last cycle: fixture ${printableText(JSON.stringify(review.cycle.fixture_name))} started ${new Date(review.cycle.started_unix_ms).toISOString()}`;
  if (review.items.length === 0) {
    io.out(`${head}\nno drift in the last cycle\n`);
    return EXIT.ok;
  }
  const open = review.items.filter((i) => !i.accepted).length;
  io.out(
    `${head}\ndrift in ${cases} case${cases === 1 ? "" : "s"}, ${review.items.length} field${review.items.length === 1 ? "" : "s"} (${open} not accepted yet):\n${renderItems(io, review.items)}\n` +
      (open > 0 ? "accept with: tau-gateway drift accept [CASE_ID|GLOB ...] [--field POINTER]\n" : "all accepted: run the cycle again to check\n"),
  );
  return EXIT.ok;
}

async function acceptCommand(flags: Flags, io: Io, selectors: string[]): Promise<number> {
  const field = flags.string("field");
  const stateDir = stateDirFromFlags(flags);
  const result = await acceptDrift({ stateDir, selectors, env: io.env, ...(field !== undefined ? { field } : {}) });
  if (flags.boolean("json")) {
    io.out(json({ accepted: result.accepted, already_accepted: result.skipped }));
    return EXIT.ok;
  }
  const lines = result.accepted.map((a) =>
    printableText(`  ${a.fixture}: case ${JSON.stringify(a.case_id)} ${a.pointer}: ${a.op === "remove" ? "removed" : `now ${JSON.stringify(a.after)}`}${Object.hasOwn(a, "before") ? ` (was ${JSON.stringify(a.before)})` : ""}`),
  );
  io.out(
    `accepted ${result.accepted.length} field${result.accepted.length === 1 ? "" : "s"}:\n${lines.join("\n")}\n` +
      `logged in ${stateDir}/drift-accepted.jsonl; run the cycle again to check the fixture\n`,
  );
  return EXIT.ok;
}

/** `tau-gateway drift list|accept …`: review the last cycle's drift and accept it into the fixture. */
export async function driftCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const [action, ...selectors] = args;
  if (action === "list" || action === "accept") for (const warning of unusedFlagWarnings(flags, "drift")) io.err(`warning: ${warning}\n`);
  if (action === "list") return listCommand(flags, io, selectors);
  if (action === "accept") return acceptCommand(flags, io, selectors);
  throw new UsageError("usage: tau-gateway drift list [CASE_ID|GLOB ...] [--json] | drift accept [CASE_ID|GLOB ...] [--field POINTER]");
}
