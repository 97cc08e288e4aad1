import {
  createWatchServer,
  GatewayRuntime,
  GatewayWatcher,
  parseListenAddress,
  readFixtureSet,
  selectFixtureCases,
  resolveWatchSettings,
  checkListenSecurity,
  startGatewayTelemetry,
  type WatchCycleEvent,
} from "@tau/gateway";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import { fixtureChoiceFromFlags, withInitHint } from "../fixture-path";
import type { Io } from "../io";
import { checkIntegerFlags } from "../flag-checks";
import { redactError, redactingIo } from "../redacting-io";
import { liveDriverFromFlags, redactorFromFlags, rotationFromFlags, runnerSettingsFromFlags, stateDirFromFlags } from "../runner-settings";
import { cliVersion } from "../version";

/** How long the server may take to finish requests in flight once the watch stops. */
const SERVER_CLOSE_DEADLINE_MS = 500;

function renderCycle(io: Io, { index, report, verdict }: WatchCycleEvent): string {
  const s = report.summary;
  return (
    `watch cycle ${index}: gate=${report.gate.gate} (${report.gate.reason_code}) verdict=${verdict.verdict} (${verdict.reason_code}) ` +
    `health=${report.classification.state} failure_streak=${report.health.failure_streak} applied=${s.applied_cases} ` +
    `malformed=${s.malformed_cases} failed=${s.failed_cases} duration_ms=${report.health.cycle_duration_ms}\n`
  );
}

/**
 * `tau-gateway watch [FIXTURE]`: a cycle every interval, the verdict served over HTTP, until
 * stopped. Like `run`, everything it prints passes the redactor of the target's secrets.
 */
export async function watchCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const redactor = redactorFromFlags(flags);
  try {
    return await watch(flags, redactingIo(io, redactor), args);
  } catch (error) {
    throw redactError(error, redactor);
  }
}

async function watch(flags: Flags, io: Io, args: string[]): Promise<number> {
  checkIntegerFlags(flags);
  const settings = runnerSettingsFromFlags(flags);
  const watchSettings = resolveWatchSettings({
    intervalMs: flags.integer("gateway-watch-interval-ms"),
    ...(flags.isSet("gateway-watch-count") ? { count: flags.integer("gateway-watch-count") } : {}),
    minCycles: flags.integer("gateway-gate-min-cycles"),
    ...(flags.isSet("gateway-gate-stale-ms") ? { staleMs: flags.integer("gateway-gate-stale-ms") } : {}),
    window: flags.integer("gateway-gate-window"),
    windowMaxHolds: flags.integer("gateway-gate-window-max-holds"),
  });
  const address = parseListenAddress(flags.string("gateway-listen") as string);
  const token = flags.string("gateway-listen-token");
  const insecure = flags.boolean("gateway-listen-insecure");
  // Checked before the state dir is locked: a refused address must not cost a lock.
  checkListenSecurity({ host: address.host, token, insecure });
  const failOnHold = flags.boolean("gateway-fail-on-hold");
  // One fixture or a set (repeatable --gateway-fixture, globs), cases chosen by --gateway-tag, as for run.
  const choice = fixtureChoiceFromFlags(flags, args);
  const files = await readFixtureSet({ patterns: choice.patterns, maxBytes: flags.integer("gateway-max-fixture-bytes") }).catch((error: unknown) => {
    throw withInitHint(error, choice);
  });
  const fixture = selectFixtureCases({ files, tags: flags.list("gateway-tag") });

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const driver = liveDriverFromFlags(flags);
  const rotation = rotationFromFlags(flags);
  // Only when an OTLP endpoint is set is the OpenTelemetry SDK loaded; it is flushed after each cycle.
  const telemetry = await startGatewayTelemetry({
    env: io.env,
    onWarning: (message) => io.err(`warning: ${message}\n`),
    targetUrl: flags.string("gateway-target-url"),
    serviceVersion: cliVersion(),
  });
  let runtime: GatewayRuntime | undefined;
  let server: ReturnType<typeof createWatchServer> | undefined;
  try {
    runtime = await GatewayRuntime.open({
      stateDir: stateDirFromFlags(flags),
      settings,
      ...(rotation ? { rotation } : {}),
      lockStaleMs: flags.integer("gateway-lock-stale-ms"),
      onWarning: (message) => io.err(`warning: ${message}\n`),
    });
    const watcher = new GatewayWatcher({
      runtime,
      fixture,
      ...(driver ? { driver: telemetry ? telemetry.wrapDriver(driver) : driver } : {}),
      provenance: { fixtures: files.map((f) => f.source) },
      settings: watchSettings,
    });
    server = createWatchServer({ watcher, ...(token !== undefined ? { token } : {}), insecure });
    const url = await server.listen(address);
    io.out(`watch: serving ${url}/gate ${url}/status ${url}/metrics ${url}/healthz\n`);
    const summary = await watcher.run({
      signal: controller.signal,
      onCycleStart: () => telemetry?.startCycle(),
      onCycle: (event) => {
        io.out(renderCycle(io, event));
        telemetry?.endCycle(event.report, { verdict: event.verdict.verdict });
        void telemetry?.flush();
      },
      onCycleError: (error) => {
        io.err(`warning: watch cycle failed: ${error instanceof Error ? error.message : String(error)}\n`);
        telemetry?.failCycle(error);
        void telemetry?.flush();
      },
    });
    io.out(`watch stopped: cycles=${summary.completedCycles} verdict=${summary.verdict.verdict} (${summary.verdict.reason_code})\n`);
    if (summary.interrupted) return 130;
    if (failOnHold && summary.verdict.verdict !== "pass") return EXIT.holdWithFailOnHold;
    return EXIT.ok;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await server?.close(SERVER_CLOSE_DEADLINE_MS);
    await runtime?.close();
    await driver?.close();
    await telemetry?.shutdown();
  }
}
