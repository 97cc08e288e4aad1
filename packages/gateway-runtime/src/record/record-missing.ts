import { writeOutputFile } from "@tau/event-store";
import type { FixtureSetFile } from "@tau/gateway-contract";
import type { RunnerSettings } from "../cycle/runner-options";
import type { GatewayDriver } from "../drivers/driver";
import type { Redactor } from "../output/redactor";
import { recordFixture } from "./record-fixture";

/**
 * `run --gateway-update new`: records the cases without `expected` of every file of a fixture
 * set through the driver and writes each changed file in place (atomically, layout kept).
 * Returns what it did, one line per file (and per matcher that gave way); the caller reads the
 * set again before running it.
 */
export async function recordMissingExpectations(options: {
  files: readonly FixtureSetFile[];
  driver: GatewayDriver;
  settings?: Partial<RunnerSettings>;
  redactor?: Redactor;
  signal?: AbortSignal;
}): Promise<{ changed: string[]; notes: string[] }> {
  const changed: string[] = [];
  const notes: string[] = [];
  for (const file of options.files) {
    if (file.document.cases.every((c) => c.expected !== undefined)) continue;
    const recorded = await recordFixture({
      text: file.text,
      document: file.document,
      source: file.source.path,
      driver: options.driver,
      which: "missing",
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.redactor ? { redactor: options.redactor } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await writeOutputFile(file.source.path, recorded.text);
    changed.push(file.source.path);
    const n = recorded.recorded.length;
    notes.push(`recorded expected of ${n} new case${n === 1 ? "" : "s"} into ${file.source.path}`, ...recorded.notes);
  }
  return { changed, notes };
}
