import { mergeShards, type MergeReport } from "@tau/gateway";
import { UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { checkIntegerFlags, unusedFlagWarnings } from "../flag-checks";
import { OPTIONS } from "../options";
import { cycleReportJson, json, renderCycle } from "../render";
import { stateDirFromFlags } from "../runner-settings";

/** The runner flags that mean something to merge. */
const MERGE_FLAGS = new Set(["gateway-state-dir", "gateway-lock-stale-ms", "gateway-fail-on-hold"]);

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
  checkIntegerFlags(flags);
  for (const warning of unusedFlagWarnings(flags, "merge")) io.err(`warning: ${warning}\n`);
  // The merged cycle must be judged by the settings the shards ran with (merge refuses shards
  // that disagree), so a threshold given here would be silently ignored: refuse it instead.
  const ignored = OPTIONS.filter((o) => (o.group === "runner" || o.group === "guardrail" || o.group === "shard" || o.group === "live") && !MERGE_FLAGS.has(o.name) && flags.has(o.name));
  if (ignored.length > 0) {
    throw new UsageError(
      `tau-gateway merge takes its settings from the shards' recorded cycles; drop ${ignored.map((o) => `--${o.name}`).join(", ")} (give them to the shard runs)`,
    );
  }
  if (!flags.isSet("gateway-state-dir")) {
    throw new UsageError("tau-gateway merge needs --gateway-state-dir MERGED_DIR: the dir that records the merged cycle");
  }
  const report = await mergeShards({
    stateDir: stateDirFromFlags(flags),
    shardDirs: args,
    lockStaleMs: flags.integer("gateway-lock-stale-ms"),
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
