import { loadReportData } from "@tau/gateway";
import { UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { reportTargetsFromFlags, writeReports } from "../report-targets";
import { stateDirFromFlags } from "../runner-settings";

/**
 * `tau-gateway report --gateway-report KIND=PATH …`: the reports of the state dir's last cycle.
 * It takes no positionals: the registry refuses any before the command loads.
 */
export async function reportCommand(flags: Flags, io: Io, _args: string[]): Promise<number> {
  const targets = reportTargetsFromFlags(flags);
  if (targets.length === 0) throw new UsageError("report: give at least one --gateway-report KIND=PATH (kinds: junit, markdown, html, json)");
  const data = await loadReportData(stateDirFromFlags(flags));
  await writeReports({ targets, data });
  for (const { kind, path } of targets) io.out(`wrote ${kind} report ${path}\n`);
  return EXIT.ok;
}
