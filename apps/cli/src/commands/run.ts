import { GatewayRuntime, readFixtureFile } from "@tau/gateway";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { createProgress } from "../progress";
import { cycleReportJson, json, renderCycle, renderDrifts } from "../render";
import { liveDriverFromFlags, runnerSettingsFromFlags, stateDirFromFlags } from "../runner-settings";

/** `--gateway-contract-runner` / `tau-gateway run`: one cycle over the fixture. */
export async function runCommand(flags: Flags, io: Io): Promise<number> {
  const settings = runnerSettingsFromFlags(flags);
  const failOnHold = flags.boolean("gateway-fail-on-hold");
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
  try {
    report = await runtime.runCycle(fixture, {
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

  if (report.aborted) return 130;
  // Drift of pending cases (fixture v2) is printed but does not fail the run.
  if (report.drifts.some((d) => d.pending !== true)) return EXIT.contractDrift;
  if (failOnHold && report.gate.gate === "hold") return EXIT.holdWithFailOnHold;
  return EXIT.ok;
}
