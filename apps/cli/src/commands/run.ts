import { acceptDrift, GatewayRuntime, readFixtureSet, recordMissingExpectations, selectFixtureCases, simulatedDriver } from "@tau/gateway";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { createProgress } from "../progress";
import { cycleReportJson, json, renderCycle, renderDrifts } from "../render";
import {
  fixturePatternsFromFlags,
  liveDriverFromFlags,
  runnerSettingsFromFlags,
  secretsFromFlags,
  stateDirFromFlags,
  updateModeFromFlags,
} from "../runner-settings";

/** `--gateway-contract-runner` / `tau-gateway run`: one cycle over the fixture (or fixture set). */
export async function runCommand(flags: Flags, io: Io): Promise<number> {
  const settings = runnerSettingsFromFlags(flags);
  const failOnHold = flags.boolean("gateway-fail-on-hold");
  const update = updateModeFromFlags(flags, io.env);
  const maxBytes = flags.integer("gateway-max-fixture-bytes");
  const patterns = fixturePatternsFromFlags(flags);
  let files = await readFixtureSet({ patterns, maxBytes });
  const driver = liveDriverFromFlags(flags);
  const notes: string[] = [];

  if (update !== "none") {
    // Cases without expected are recorded first (nothing persisted in the state dir), then the cycle checks them.
    const recorded = await recordMissingExpectations({ files, driver: driver ?? simulatedDriver(), settings, secrets: secretsFromFlags(flags) });
    notes.push(...recorded.notes);
    if (recorded.changed.length > 0) files = await readFixtureSet({ patterns, maxBytes });
  }
  const fixture = selectFixtureCases({ files, tags: flags.list("gateway-tag") });

  const stateDir = stateDirFromFlags(flags);
  const runtime = await GatewayRuntime.open({
    stateDir,
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
      provenance: { fixtures: files.map((f) => f.source) },
      onProgress: ({ done, total }) => progress.update(done, total),
    });
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

  if (flags.boolean("json")) io.out(json({ ...cycleReportJson(report), ...(update !== "none" ? { update, update_notes: notes } : {}) }));
  else io.out(renderCycle(io, report) + renderDrifts(io, report.drifts) + notes.map((n) => `gateway runner update: ${n}\n`).join(""));

  if (report.aborted) return 130;
  // Drift written into the fixture by --gateway-update all is resolved, like a snapshot update;
  // drift of pending cases (fixture v2) is printed but does not fail the run.
  if (failing.length > 0 && accepted === 0) return EXIT.contractDrift;
  if (failOnHold && report.gate.gate === "hold" && accepted === 0) return EXIT.holdWithFailOnHold;
  return EXIT.ok;
}
