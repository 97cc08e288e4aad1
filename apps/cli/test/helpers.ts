import { execFile, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

/** The committed launcher; it imports dist/bin.js, so the CLI must be built first. */
export const CLI_BIN = fileURLToPath(new URL("../bin/tau-gateway.js", import.meta.url));
/** The repository's fixtures, copied into each workspace under the same relative path. */
export const REPO_FIXTURES_DIR = fileURLToPath(new URL("../../../fixtures/gateway-contract/", import.meta.url));
/** The path the CLI reads when --gateway-fixture is not given. */
export const DEFAULT_FIXTURE = "fixtures/gateway-contract/mixed-outcomes.json";
/** The state dir the CLI uses when --gateway-state-dir is not given. */
export const DEFAULT_STATE_DIR = ".tau/gateway";

const DIST_BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
if (!existsSync(DIST_BIN)) {
  throw new Error(`${DIST_BIN} is missing: build first with \`cd /work/main && npx turbo run build\``);
}

/** What one CLI invocation left behind. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The child's pid: the pid the CLI writes into the state-dir lock. */
  pid: number;
}

export interface RunOptions {
  /** Added to the child's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
}

/** A fresh temp directory that is the CLI's cwd for one test, removed when the test finishes. */
export interface Workspace {
  dir: string;
  /** Absolute path of `relative` inside the workspace. */
  path(...relative: string[]): string;
  /** Runs the built CLI with the workspace as cwd and NO_COLOR=1. */
  run(args: readonly string[], options?: RunOptions): Promise<CliResult>;
  /** Starts the built CLI like `run` and returns at once. */
  start(args: readonly string[], options?: RunOptions): RunningCli;
  /** Copies a repository fixture to `fixtures/gateway-contract/<name>`; returns that relative path. */
  copyFixture(name: string): Promise<string>;
  /** Writes `value` as JSON (or a string as is) to a relative path; returns the path. */
  write(relative: string, value: unknown): Promise<string>;
  readText(relative: string): Promise<string>;
  readJson<T = Record<string, unknown>>(relative: string): Promise<T>;
  /** The parsed non-blank lines of a JSONL file. */
  readJsonl<T = Record<string, unknown>>(relative: string): Promise<T[]>;
  exists(relative: string): boolean;
}

/** The parent's environment without any TAU_* settings or colour switches, so tests start from defaults. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith("TAU_") || key === "FORCE_COLOR" || key === "NO_COLOR") continue;
    env[key] = value;
  }
  env.NO_COLOR = "1";
  return env;
}

/** A CLI child process still running, and its result once it exits. */
export interface RunningCli {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** Starts `tau-gateway args…` in `cwd` as a child process. */
export function startCli(cwd: string, args: readonly string[], options: RunOptions = {}): RunningCli {
  const env = baseEnv();
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  let child!: ChildProcess;
  const done = new Promise<CliResult>((resolve, reject) => {
    child = execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { cwd, env, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (error as NodeJS.ErrnoException & { code?: unknown }).code : 0;
        if (error && typeof code !== "number") {
          reject(new Error(`tau-gateway ${args.join(" ")} did not exit normally: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: code as number, stdout, stderr, pid: child.pid ?? -1 });
      },
    );
  });
  return { child, done };
}

// A build running elsewhere in the workspace (turbo cleans dist/ first) makes the CLI fail to load
// for a moment. Such a run did nothing yet, so it is safe to wait and run it again; a module that
// stays missing still fails the test.
const NOT_LOADED = /ERR_MODULE_NOT_FOUND|tau-gateway is not built yet/;
const LOAD_RETRIES = 20;

/** Runs `tau-gateway args…` in `cwd` to the end; resolves with its exit code and output. */
export async function runCli(cwd: string, args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await startCli(cwd, args, options).done;
    if (result.code === 0 || !NOT_LOADED.test(result.stderr) || attempt >= LOAD_RETRIES) return result;
    await sleep(500);
  }
}

/** A fresh workspace holding copies of the named repository fixtures. */
export async function workspace(fixtures: readonly string[] = []): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), "tau-gateway-cli-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const path = (...relative: string[]) => join(dir, ...relative);
  const ws: Workspace = {
    dir,
    path,
    run: (args, options) => runCli(dir, args, options),
    start: (args, options) => startCli(dir, args, options),
    async copyFixture(name) {
      const relative = `fixtures/gateway-contract/${name}`;
      await mkdir(dirname(path(relative)), { recursive: true });
      await copyFile(join(REPO_FIXTURES_DIR, name), path(relative));
      return relative;
    },
    async write(relative, value) {
      await mkdir(dirname(path(relative)), { recursive: true });
      await writeFile(path(relative), typeof value === "string" ? value : `${JSON.stringify(value, null, 2)}\n`);
      return relative;
    },
    readText: (relative) => readFile(path(relative), "utf8"),
    async readJson<T>(relative: string) {
      return JSON.parse(await readFile(path(relative), "utf8")) as T;
    },
    async readJsonl<T>(relative: string) {
      const text = await readFile(path(relative), "utf8");
      return text
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as T);
    },
    exists: (relative) => existsSync(path(relative)),
  };
  for (const name of fixtures) await ws.copyFixture(name);
  return ws;
}

function lineStartingWith(stdout: string, prefix: string): string {
  const line = stdout.split("\n").find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`no line starting with ${JSON.stringify(prefix)} in:\n${stdout}`);
  return line.slice(prefix.length).trim();
}

/** The numbers of `gateway runner summary: discovered=… queued=… …`. */
export function summaryOf(stdout: string): Record<string, number> {
  const pairs = lineStartingWith(stdout, "gateway runner summary:").split(" ");
  return Object.fromEntries(
    pairs.map((pair) => {
      const [key, value] = pair.split("=");
      return [key as string, Number(value)];
    }),
  );
}

/** `gateway runner health: state=… failure_streak=… queue_depth=… reason=…` (the reason has spaces). */
export function healthOf(stdout: string): { state: string; failure_streak: number; queue_depth: number; reason: string } {
  const line = lineStartingWith(stdout, "gateway runner health:");
  const match = /^state=(\S+) failure_streak=(\d+) queue_depth=(\d+) reason=(.+)$/.exec(line);
  if (!match) throw new Error(`unexpected health line: ${line}`);
  return { state: match[1] as string, failure_streak: Number(match[2]), queue_depth: Number(match[3]), reason: match[4] as string };
}

/** `gateway runner gate: rollout_gate=… rollout_reason_code=… reason_codes=a,b`. */
export function gateOf(stdout: string): { rollout_gate: string; rollout_reason_code: string; reason_codes: string[] } {
  const line = lineStartingWith(stdout, "gateway runner gate:");
  const pairs = Object.fromEntries(line.split(" ").map((pair) => pair.split("=") as [string, string]));
  return {
    rollout_gate: pairs.rollout_gate ?? "",
    rollout_reason_code: pairs.rollout_reason_code ?? "",
    reason_codes: (pairs.reason_codes ?? "").split(",").filter(Boolean),
  };
}

/** A text report of `key=value` pairs (one line or many) as a map; quoted values are JSON-decoded. */
export function keyValuesOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const match of text.matchAll(/([\w.]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const raw = match[2] as string;
    out.set(match[1] as string, raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return out;
}

/** True when some stderr line looks like a stack frame. */
export function hasStackTrace(text: string): boolean {
  return /^\s{4}at /m.test(text);
}

/** Expected body of a success (behavior.md §2), with normalised values. */
export function acceptedBody(method: string, endpoint: string, actorId: string) {
  return { status: "accepted", method, endpoint, actor_id: actorId };
}

function successStatus(method: string): number {
  return method === "POST" ? 201 : method === "DELETE" ? 202 : 200;
}

/** A case the simulated gateway answers with success. */
export function successCase(caseId: string, options: { method?: string; endpoint?: string; actorId?: string } = {}) {
  const { method = "GET", endpoint = `/v1/items/${caseId}`, actorId = "ops-bot" } = options;
  // The gateway answers with the normalised values, so the expectation uses them too.
  const normalisedMethod = method.trim().toUpperCase();
  return {
    case_id: caseId,
    method,
    endpoint,
    actor_id: actorId,
    expected: {
      outcome: "success",
      status_code: successStatus(normalisedMethod),
      response_body: acceptedBody(normalisedMethod, endpoint.trim(), actorId.trim()),
    },
  };
}

/** A case that fails with a transient 503 on every attempt. */
export function retryableCase(caseId: string, options: { actorId?: string } = {}) {
  return {
    case_id: caseId,
    method: "GET",
    endpoint: `/v1/items/${caseId}`,
    actor_id: options.actorId ?? "ops-bot",
    simulate_retryable_failure: true,
    expected: {
      outcome: "retryable_failure",
      status_code: 503,
      error_code: "gateway_backend_unavailable",
      response_body: { status: "retryable", reason: "backend_unavailable" },
    },
  };
}

/** A fixture document around `cases`. */
export function fixtureOf(name: string, cases: readonly unknown[]) {
  return { schema_version: 1, name, cases };
}
