import { access } from "node:fs/promises";
import { writeOutputFile } from "@tau/event-store";
import {
  editFixtureText,
  FixtureError,
  parseFixtureDocument,
  recordedEdits,
  type ExpectationEdit,
  type FixtureDocument,
  type Observed,
} from "@tau/gateway-contract";
import { forEachOrdered } from "../cycle/for-each-ordered";
import { resolveSettings, type RunnerSettings } from "../cycle/runner-options";
import type { DriverResult, GatewayDriver } from "../drivers/driver";
import { GatewayRuntimeError } from "../errors";
import type { Redactor } from "../output/redactor";
import { observeCase, type CaseRequest } from "./observe-case";

/** What recording one fixture did. */
export interface RecordResult {
  /** The new fixture text (the input's layout and key order, 2-space indented). */
  text: string;
  /** Case ids whose expectation was written, in fixture order. */
  recorded: string[];
  /** Where an old matcher gave way to the observed value, per case. */
  notes: string[];
}

/**
 * Replays the cases of a fixture (all of them, or only those without `expected`) through a
 * driver and returns the fixture text with each expectation set to what was observed. Matchers
 * the answer satisfies and `ignore` lists stay; the run's secrets (the redactor of its target
 * header values and URL userinfo) are replaced by `***` in everything written. Nothing
 * is persisted. Throws E_RECORD_FAILED naming every case that got no usable answer, and a
 * FixtureError when the recorded fixture would not be valid (e.g. a 3xx answer).
 */
export async function recordFixture(options: {
  text: string;
  document: FixtureDocument;
  source: string;
  driver: GatewayDriver;
  which: "all" | "missing";
  settings?: Partial<RunnerSettings>;
  redactor?: Redactor;
  signal?: AbortSignal;
}): Promise<RecordResult> {
  const settings = resolveSettings(options.settings);
  const cases = (options.document.cases as CaseRequest[]).filter((c) => options.which === "all" || c.expected === undefined);
  const edits: ExpectationEdit[] = [];
  const recorded: string[] = [];
  const notes: string[] = [];
  const failures: string[] = [];
  await forEachOrdered({
    items: cases,
    concurrency: settings.concurrency,
    work: (request) => observeCase({ request, driver: options.driver, settings, ...(options.signal ? { signal: options.signal } : {}) }),
    record: (result: DriverResult, request) => {
      const id = request.case_id.trim();
      if (result.outcome === "transport_error") {
        failures.push(`case ${JSON.stringify(id)}: no answer (${result.error_code}: ${result.message})`);
        return;
      }
      // A gateway that echoes a credential must not get it written into a fixture (often committed).
      const observed: Observed = options.redactor ? options.redactor.value(result) : result;
      const made = recordedEdits(request, observed);
      if (made === undefined) {
        failures.push(`case ${JSON.stringify(id)}: ${observed.status_code} answer could not be recorded`);
        return;
      }
      edits.push(...made.edits);
      notes.push(...made.notes.map((n) => `case ${JSON.stringify(id)}: ${n}`));
      recorded.push(id);
    },
  });
  if (failures.length > 0) {
    throw new GatewayRuntimeError("E_RECORD_FAILED", `${options.source}: ${failures.length} case${failures.length === 1 ? "" : "s"} could not be recorded, nothing was written:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
  }
  const text = editFixtureText(options.text, edits, options.source);
  try {
    parseFixtureDocument(text, options.source);
  } catch (error) {
    if (!FixtureError.isInstance(error)) throw error;
    throw new FixtureError({
      code: error.code,
      source: options.source,
      issues: error.issues.map((i) => ({ ...i, message: `${i.message} (as recorded from the gateway's answer; the fixture schema cannot expect it)` })),
    });
  }
  return { text, recorded, notes };
}

/** Writes a new fixture file atomically; refuses (E_OUTPUT_EXISTS) to replace one unless `force`. */
export async function writeFixtureFile(options: { path: string; text: string; force?: boolean }): Promise<void> {
  if (options.force !== true) {
    const exists = await access(options.path).then(
      () => true,
      () => false,
    );
    if (exists) throw new GatewayRuntimeError("E_OUTPUT_EXISTS", `${options.path} exists: pass --force to overwrite it, or choose another --out`);
  }
  await writeOutputFile(options.path, options.text);
}
