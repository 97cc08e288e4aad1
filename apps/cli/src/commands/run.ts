import { GatewayRuntime, readFixtureFile, reportDataFromCycle } from "@tau/gateway";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { createProgress } from "../progress";
import { cycleReportJson, json, renderCycle, renderDrifts } from "../render";
import { reportRedactor, reportTargetsFromFlags, writeReports } from "../report-targets";
import { liveDriverFromFlags, runnerSettingsFromFlags, stateDirFromFlags } from "../runner-settings";

/** `--gateway-contract-runner` / `tau-gateway run`: one cycle over the fixture. */
export async function runCommand(flags: Flags, io: Io): Promise<number> {
  const settings = runnerSettingsFromFlags(flags);
  const failOnHold = flags.boolean("gateway-fail-on-hold");
  const reportTargets = reportTargetsFromFlags(flags);
  const { fixture, source } = await readFixtureFile(flags.string("gateway-fixture") as string, {
    maxBytes: flags.integer("gateway-max-fixture-bytes"),
  });
  const driver = liveDriverFromFlags(flags);
  const runtime = await GatewayRuntime.open({
    stateDir: stateDirFromFlags(flags),
    settings,
    onWarning: (message) => io.err(`warning: ${message}\n`),
  });
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  const progress = createProgress(io, "gateway runner:");
  let report;
  const startedUnixMs = Date.now();
  try {
    report = await runtime.runCycle(fixture, {
      keepCaseResults: reportTargets.length > 0,
      ...(driver ? { driver } : {}),
      signal: controller.signal,
      provenance: { fixtures: [source] },
      onProgress: ({ done, total }) => progress.update(done, total),
    });
  } finally {
    progress.stop();
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    await runtime.close();
    await driver?.close();
  }

  if (flags.boolean("json")) io.out(json(cycleReportJson(report)));
  else io.out(renderCycle(io, report) + renderDrifts(io, report.drifts));

  if (reportTargets.length > 0) {
    // The cycle is persisted by now: a report that cannot be written fails the command (exit 1), not the cycle.
    const data = await reportDataFromCycle({ report, startedUnixMs, finishedUnixMs: Date.now() });
    const redact = reportRedactor(flags);
    await writeReports({ targets: reportTargets, data, ...(redact ? { redact } : {}) });
  }

  if (report.aborted) return 130;
  if (report.drifts.length > 0) return EXIT.contractDrift;
  if (failOnHold && report.gate.gate === "hold") return EXIT.holdWithFailOnHold;
  return EXIT.ok;
}
