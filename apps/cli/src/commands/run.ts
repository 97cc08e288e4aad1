import {
  GatewayMetrics,
  GatewayRuntime,
  readFixtureFile,
  reportDataFromCycle,
  simulatedDriver,
  timedDriver,
  writeCycleMetricsTextfile,
  type Redactor,
} from "@tau/gateway";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import { fixturePathFromFlags, withInitHint } from "../fixture-path";
import type { Io } from "../io";
import { createProgress } from "../progress";
import { cycleReportJson, json, renderCycle, renderDrifts } from "../render";
import { redactError, redactingIo } from "../redacting-io";
import { reportTargetsFromFlags, writeReports } from "../report-targets";
import { liveDriverFromFlags, redactorFromFlags, rotationFromFlags, runnerSettingsFromFlags, stateDirFromFlags } from "../runner-settings";
import { checkIntegerFlags, unusedFlagWarnings } from "../flag-checks";
import { shardFromFlags } from "../shard-flags";

/**
 * `tau-gateway run [FIXTURE]` / `--gateway-contract-runner`: one cycle over the fixture.
 * Everything it prints, and any error it ends with, passes the redactor of the target's secrets.
 */
export async function runCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const redactor = redactorFromFlags(flags);
  try {
    return await runCycleCommand({ flags, io: redactingIo(io, redactor), args, redactor });
  } catch (error) {
    throw redactError(error, redactor);
  }
}

async function runCycleCommand(options: { flags: Flags; io: Io; args: string[]; redactor: Redactor }): Promise<number> {
  const { flags, io, args, redactor } = options;
  checkIntegerFlags(flags);
  for (const warning of unusedFlagWarnings(flags, "run")) io.err(`warning: ${warning}\n`);
  const settings = runnerSettingsFromFlags(flags);
  const failOnHold = flags.boolean("gateway-fail-on-hold");
  const shard = shardFromFlags(flags, io.env);
  const quiet = flags.boolean("quiet");
  // Checked before the cycle: a bad KIND=PATH must not cost a whole cycle.
  const reportTargets = reportTargetsFromFlags(flags);
  const fixturePath = fixturePathFromFlags(flags, args);
  const { fixture, source } = await readFixtureFile(fixturePath.path, {
    maxBytes: flags.integer("gateway-max-fixture-bytes"),
  }).catch((error: unknown) => {
    throw withInitHint(error, fixturePath);
  });
  const driver = liveDriverFromFlags(flags);
  const textfile = flags.string("gateway-metrics-textfile");
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
      stateDir: stateDirFromFlags(flags),
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
    const cycleDriver = metrics ? timedDriver(driver ?? simulatedDriver(), (o) => metrics.observeRequest(o)) : driver;
    report = await runtime.runCycle(fixture, {
      ...(cycleDriver ? { driver: cycleDriver } : {}),
      signal: controller.signal,
      provenance: { fixtures: [source], ...(shard ? { shard } : {}) },
      onProgress: ({ done, total }) => progress.update(done, total),
    });
  } finally {
    progress.stop();
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    await runtime.close();
    await driver?.close();
  }

  if (metrics && textfile !== undefined) await writeCycleMetricsTextfile({ path: textfile, metrics, report, completedUnixMs: Date.now() });
  if (flags.boolean("json")) io.out(json(cycleReportJson(report)));
  else io.out(renderCycle(io, report) + renderDrifts(io, report.drifts));

  if (reportTargets.length > 0) {
    // The cycle is persisted by now: a report that cannot be written fails the command (exit 1), not the cycle.
    const data = await reportDataFromCycle({ report, startedUnixMs, finishedUnixMs: Date.now() });
    // The same redactor as the terminal output: target secrets never reach a report file.
    await writeReports({ targets: reportTargets, data, ...(redactor.active ? { redact: (text: string) => redactor.text(text) } : {}) });
  }

  if (report.aborted) return 130;
  if (report.drifts.length > 0) return EXIT.contractDrift;
  if (failOnHold && report.gate.gate === "hold") return EXIT.holdWithFailOnHold;
  return EXIT.ok;
}
