import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { evaluateCase, type GatewayCase } from "@tau/gateway-contract";
import { onTestFinished } from "vitest";
import { GatewayRuntime, type DriverResult, type GatewayDriver, type RunnerOptions } from "../../src";

/** A unix-ms clock that stands still until the test moves it. */
export interface ManualClock {
  now: number;
  readonly clock: () => number;
}

export function manualClock(start = 1_700_000_000_000): ManualClock {
  const state = {
    now: start,
    clock: () => state.now,
  };
  return state;
}

/** Opens a runtime that is closed when the test finishes; warnings are kept, not printed. */
export async function openRuntime(
  options: RunnerOptions,
): Promise<GatewayRuntime> {
  const runtime = await GatewayRuntime.open({ onWarning: () => undefined, ...options });
  onTestFinished(() => runtime.close());
  return runtime;
}

/** One call a driver received. */
export interface DriverCall {
  caseId: string;
  attempt: number;
  /** performance.now() when the attempt started. */
  atMs: number;
}

/** A driver that answers with `answer` and remembers every call it got. */
export function recordingDriver(
  answer: (gatewayCase: GatewayCase, attempt: number) => DriverResult | Promise<DriverResult>,
): GatewayDriver & { calls: DriverCall[] } {
  const calls: DriverCall[] = [];
  return {
    name: "recording",
    calls,
    async execute(gatewayCase, { attempt }) {
      calls.push({ caseId: gatewayCase.case_id, attempt, atMs: performance.now() });
      return answer(gatewayCase, attempt);
    },
  };
}

/** What the simulated gateway answers for a case (§2). */
export const simulatedAnswer = (gatewayCase: GatewayCase): DriverResult => evaluateCase(gatewayCase);

/** The simulated backend outage: 503 gateway_backend_unavailable. */
export function backendUnavailable(): DriverResult {
  return {
    outcome: "retryable_failure",
    status_code: 503,
    error_code: "gateway_backend_unavailable",
    response_body: { status: "retryable", reason: "backend_unavailable" },
  };
}

/** The parsed lines of a JSONL file (blank lines skipped). */
export async function readJsonLines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** state.json of a state dir, parsed. */
export async function readStateJson(stateDir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(stateDir, "state.json"), "utf8")) as Record<string, unknown>;
}

/** The per-actor directories of a state dir's channel store; none when it was never written. */
export async function actorDirs(stateDir: string): Promise<string[]> {
  try {
    return (await readdir(join(stateDir, "channel-store", "gateway"))).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** A plain actor id such as `ops-bot` names its directory as is (behavior.md §5). */
export function actorDir(stateDir: string, actorId: string): string {
  return join(stateDir, "channel-store", "gateway", actorId);
}
