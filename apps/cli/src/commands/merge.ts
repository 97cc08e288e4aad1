import { mergeShards, type MergeReport } from "@tau/gateway";
import { UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { cycleReportJson, json, renderCycle } from "../render";
import { stateDirFromFlags } from "../runner-settings";

function renderMerge(io: Io, report: MergeReport): string {
  const count = report.shards[0]?.count ?? 0;
  const head = `gateway merge: ${report.shards.length} of ${count} shards into ${report.statePath} (requests=${report.requestCount} processed_cases=${report.processedCaseCount})\n`;
  const drift =
    report.summary.contract_drift_cases > 0
      ? `${io.colors.red(`contract drift in ${report.summary.contract_drift_cases} case${report.summary.contract_drift_cases === 1 ? "" : "s"}`)}: the diffs are in the shard runs' output and their channel-store logs\n`
      : "";
  return head + renderCycle(io, report) + drift;
}

/** `tau-gateway merge --gateway-state-dir MERGED SHARD_DIR...`: one cycle, one gate from N shard dirs. */
export async function mergeCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  if (args.length === 0) {
    throw new UsageError("usage: tau-gateway merge --gateway-state-dir MERGED_DIR SHARD_DIR... (the state dirs of every shard)");
  }
  if (!flags.isSet("gateway-state-dir")) {
    throw new UsageError("tau-gateway merge needs --gateway-state-dir MERGED_DIR: the dir that records the merged cycle");
  }
  const report = await mergeShards({
    stateDir: stateDirFromFlags(flags),
    shardDirs: args,
    onWarning: (message) => io.err(`warning: ${message}\n`),
  });
  if (flags.boolean("json")) {
    io.out(
      json({
        ...cycleReportJson(report),
        shards: report.shards.map((s) => ({ index: s.index, count: s.count, state_dir: s.stateDir, summary: s.summary })),
        request_count: report.requestCount,
        processed_case_count: report.processedCaseCount,
      }),
    );
  } else io.out(renderMerge(io, report));

  if (report.summary.contract_drift_cases > 0) return EXIT.contractDrift;
  if (flags.boolean("gateway-fail-on-hold") && report.gate.gate === "hold") return EXIT.holdWithFailOnHold;
  return EXIT.ok;
}
