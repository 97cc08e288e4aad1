import {
  acceptDrift,
  GatewayMetrics,
  GatewayRuntime,
  printableText,
  readFixtureSet,
  recordMissingExpectations,
  reportDataFromCycle,
  selectFixtureCases,
  simulatedDriver,
  startGatewayTelemetry,
  timedDriver,
  writeCycleMetricsTextfile,
  type GatewayTelemetry,
  type Redactor,
} from "@tau/gateway";
import { EXIT } from "../exit-codes";
import { fixtureChoiceFromFlags, withInitHint } from "../fixture-path";
import type { Flags } from "../flags";
import { checkIntegerFlags, unusedFlagWarnings } from "../flag-checks";
import type { Io } from "../io";
import { createProgress } from "../progress";
import { cycleReportJson, json, renderCycle, renderDrifts } from "../render";
import { checkOutputPath } from "../output-path";
import { redactError, redactingIo } from "../redacting-io";
import { reportTargetsFromFlags, writeReports } from "../report-targets";
import { liveDriverFromFlags, redactorFromFlags, rotationFromFlags, runnerSettingsFromFlags, stateDirFromFlags, updateModeFromFlags } from "../runner-settings";
import { shardFromFlags } from "../shard-flags";
import { cliVersion } from "../version";

/**
 * `tau-gateway run [FIXTURE]` / `--gateway-contract-runner`: one cycle over the fixture (or the
 * fixture set of every --gateway-fixture). Everything it prints, what --gateway-update writes
 * into fixtures, and any error it ends with, pass the redactor of the target's secrets.
 */
export async function runCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const redactor = redactorFromFlags(flags);
  const redacted = redactingIo(io, redactor);
  // Only when an OTLP endpoint is set is the OpenTelemetry SDK loaded; its failures are warnings.
  const telemetry = await startGatewayTelemetry({
    env: io.env,
    onWarning: (message) => redacted.err(`warning: ${message}\n`),
    targetUrl: flags.string("gateway-target-url"),
    serviceVersion: cliVersion(),
  });
  try {
    return await runCycleCommand({ flags, io: redacted, args, redactor, telemetry });
  } catch (error) {
    throw redactError(error, redactor);
  } finally {
    await telemetry?.shutdown();
  }
}

async function runCycleCommand(options: {
  flags: Flags;
  io: Io;
  args: string[];
  redactor: Redactor;
  telemetry: GatewayTelemetry | undefined;
}): Promise<number> {
  const { flags, io, args, redactor, telemetry } = options;
  checkIntegerFlags(flags);
  for (const warning of unusedFlagWarnings(flags, "run")) io.err(`warning: ${warning}\n`);
  const settings = runnerSettingsFromFlags(flags);
  const failOnHold = flags.boolean("gateway-fail-on-hold");
  const shard = shardFromFlags(flags, io.env);
  const quiet = flags.boolean("quiet");
  // Checked before the cycle: a bad KIND=PATH must not cost a whole cycle.
  const reportTargets = reportTargetsFromFlags(flags);
  const textfile = flags.string("gateway-metrics-textfile");
  if (textfile !== undefined) checkOutputPath("--gateway-metrics-textfile", textfile, { createsDir: true });
  const update = updateModeFromFlags(flags, io.env);
  const maxBytes = flags.integer("gateway-max-fixture-bytes");
  const choice = fixtureChoiceFromFlags(flags, args);
  const readSet = () =>
    readFixtureSet({ patterns: choice.patterns, maxBytes }).catch((error: unknown) => {
      throw withInitHint(error, choice);
    });
  let files = await readSet();
  const driver = liveDriverFromFlags(flags);
  const notes: string[] = [];
  let fixture;
  try {
    if (update !== "none") {
      // Cases without expected are recorded first (nothing persisted in the state dir), then the cycle checks them.
      const recorded = await recordMissingExpectations({ files, driver: driver ?? simulatedDriver(), settings, redactor });
      notes.push(...recorded.notes);
      if (recorded.changed.length > 0) files = await readSet();
    }
    fixture = selectFixtureCases({ files, tags: flags.list("gateway-tag") });
  } catch (error) {
    await driver?.close();
    throw error;
  }
  const sources = files.map((f) => f.source);
  // The files' texts (kept for edits) are not needed past this point; at 1M cases one is ~300 MB.
  files = [];

  const stateDir = stateDirFromFlags(flags);
  const metrics = textfile !== undefined ? new GatewayMetrics() : undefined;
  const rotation = rotationFromFlags(flags);
  // Listen before the lock is taken: a signal that lands while the state loads then still ends
  // in a persisted, interrupted cycle (exit 130), not in a death that leaves the lock behind.
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  let runtime: GatewayRuntime;
  try {
    runtime = await GatewayRuntime.open({
      stateDir,
      settings,
      ...(rotation ? { rotation } : {}),
      lockStaleMs: flags.integer("gateway-lock-stale-ms"),
      onWarning: (message) => io.err(`warning: ${message}\n`),
    });
  } catch (error) {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    await driver?.close();
    throw error;
  }
  const progress = createProgress(io, { label: "gateway runner:", quiet });
  let report;
  const startedUnixMs = Date.now();
  try {
    const tracedDriver = driver && telemetry ? telemetry.wrapDriver(driver) : driver;
    const cycleDriver = metrics ? timedDriver(tracedDriver ?? simulatedDriver(), (o) => metrics.observeRequest(o)) : tracedDriver;
    telemetry?.startCycle();
    report = await runtime.runCycle(fixture, {
      ...(cycleDriver ? { driver: cycleDriver } : {}),
      signal: controller.signal,
      // Every file of the set, so state, events and `drift accept` know what the cycle ran.
      provenance: { fixtures: sources, ...(shard ? { shard } : {}) },
      onProgress: ({ done, total }) => progress.update(done, total),
      // The reports then take the cases from the report instead of reading last-cycle.jsonl back.
      keepCaseResults: reportTargets.length > 0,
    });
    telemetry?.endCycle(report);
  } catch (error) {
    telemetry?.failCycle(error);
    throw error;
  } finally {
    progress.stop();
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    await runtime.close();
    await driver?.close();
  }

  const failing = report.drifts.filter((d) => d.pending !== true);
  let accepted = 0;
  if (update === "all" && !report.aborted && report.drifts.length > 0) {
    const result = await acceptDrift({ stateDir, env: io.env });
    accepted = result.accepted.length;
    notes.push(
      `accepted ${accepted} drifted field${accepted === 1 ? "" : "s"} into ${[...new Set(result.accepted.map((a) => a.fixture))].join(", ")} (logged in ${stateDir}/drift-accepted.jsonl); this cycle's gate still reflects the drift: run again to check`,
    );
  }

  if (metrics && textfile !== undefined) await writeCycleMetricsTextfile({ path: textfile, metrics, report, completedUnixMs: Date.now() });
  if (flags.boolean("json")) io.out(json({ ...cycleReportJson(report), ...(update !== "none" ? { update, update_notes: notes } : {}) }));
  else io.out(renderCycle(io, report) + renderDrifts(io, report.drifts) + notes.map((n) => `gateway runner update: ${printableText(n)}\n`).join(""));

  if (reportTargets.length > 0) {
    // The cycle is persisted by now: a report that cannot be written fails the command (exit 1), not the cycle.
    const data = await reportDataFromCycle({ report, startedUnixMs, finishedUnixMs: Date.now() });
    // The same redactor as the terminal output: target secrets never reach a report file.
    await writeReports({ targets: reportTargets, data, ...(redactor.active ? { redact: (text: string) => redactor.text(text) } : {}) });
  }

  if (report.aborted) return 130;
  // Drift written into the fixture by --gateway-update all is resolved, like a snapshot update;
  // drift of pending cases (fixture v2) is printed but does not fail the run.
  if (failing.length > 0 && accepted === 0) return EXIT.contractDrift;
  if (failOnHold && report.gate.gate === "hold" && accepted === 0) return EXIT.holdWithFailOnHold;
  return EXIT.ok;
}
