import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import { onTestFinished } from "vitest";
import type { Io } from "../../src/io";
import { main } from "../../src/main";

/** `npm run soak` sets SOAK=1: the same tests, with release-check counts. */
export const SOAK = process.env.SOAK === "1" || process.env.SOAK === "true";

/** `normal` inside `npm test`, `soak` under `npm run soak`. */
export function scaled(normal: number, soak: number): number {
  return SOAK ? soak : normal;
}

/** The committed launcher; it imports dist/bin.js, so the CLI must be built first. */
export const CLI_BIN = fileURLToPath(new URL("../../bin/tau-gateway.js", import.meta.url));
/** `node --import` module that injects disk faults, lines up starts and reports peak memory. */
export const CHILD_PRELOAD = fileURLToPath(new URL("./child-preload.mjs", import.meta.url));

const DIST_BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));
if (!existsSync(DIST_BIN)) {
  throw new Error(`${DIST_BIN} is missing: build first with \`cd /work/main && npx turbo run build\``);
}

/** A seeded PRNG (mulberry32), so a failing random schedule can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seed of this run's random schedules: RELIABILITY_SEED to replay one, else the clock. */
export const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2 ** 31);

// ---------------------------------------------------------------------------------------------
// Temp directories

/** A fresh temp directory, removed when the current test finishes. */
export async function tempDir(prefix = "tau-reliability-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A temp directory for a whole `describe` (create in beforeAll, remove in afterAll). */
export async function suiteDir(prefix = "tau-reliability-"): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------------
// Running the CLI

/** How one CLI child ended. */
export interface CliResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The child's pid: the pid the CLI writes into the state-dir lock. */
  pid: number;
  durationMs: number;
}

export interface CliOptions {
  cwd?: string;
  /** Added to the child's environment. */
  env?: Record<string, string>;
  /** Load child-preload.mjs (fault injection, start barrier, peak memory). */
  preload?: boolean;
  /** Kill the child (SIGKILL) if it runs longer than this; default 120 s. */
  timeoutMs?: number;
}

/** A CLI child that is still running. */
export interface CliProcess {
  readonly pid: number;
  readonly done: Promise<CliResult>;
  kill(signal?: NodeJS.Signals): void;
}

/** The parent's environment without TAU_* settings or colour switches, so children start from defaults. */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith("TAU_") || key === "FORCE_COLOR" || key === "NO_COLOR") continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Starts `tau-gateway args…` as a child process without waiting for it. */
export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  const started = performance.now();
  const nodeArgs = options.preload ? ["--import", CHILD_PRELOAD] : [];
  const child = spawn(process.execPath, [...nodeArgs, CLI_BIN, ...args], {
    cwd: options.cwd ?? tmpdir(),
    env: childEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1, durationMs: performance.now() - started });
    });
  });
  return {
    pid: child.pid ?? -1,
    done,
    kill: (signal = "SIGKILL") => child.kill(signal),
  };
}

/** Runs `tau-gateway args…` to the end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Output of an in-process run of the CLI's `main`. */
export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI's `main` inside the test process: everything the bin does except starting Node,
 * so hundreds of fuzz cases fit in the test budget. No TAU_* variables, no colours.
 */
export async function runInProcess(argv: readonly string[]): Promise<InProcessResult> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    env: {},
    stderrIsTTY: false,
    colors: pc.createColors(false),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** True when some line looks like a stack frame (`    at fn (file:1:2)`). */
export function hasStackTrace(text: string): boolean {
  return /^\s+at\s.+(:\d+:\d+\)?|<anonymous>\)?)$/m.test(text);
}

/** Arguments of one contract cycle on `stateDir`. */
export function runArgs(fixture: string, stateDir: string, extra: readonly string[] = []): string[] {
  return ["run", "--gateway-fixture", fixture, "--gateway-state-dir", stateDir, ...extra];
}

// ---------------------------------------------------------------------------------------------
// Fixtures

export type JsonObject = Record<string, unknown>;

function successStatus(method: string): number {
  return method === "POST" ? 201 : method === "DELETE" ? 202 : 200;
}

/** A case the simulated gateway answers with success (behavior.md §2). */
export function successCase(caseId: string, options: { method?: string; endpoint?: string; actorId?: string } = {}): JsonObject {
  const { method = "GET", endpoint = `/v1/items/${caseId}`, actorId = "ops-bot" } = options;
  const m = method.trim().toUpperCase();
  return {
    case_id: caseId,
    method,
    endpoint,
    actor_id: actorId,
    expected: {
      outcome: "success",
      status_code: successStatus(m),
      response_body: { status: "accepted", method: m, endpoint: endpoint.trim(), actor_id: actorId.trim() },
    },
  };
}

/** A case rejected for its unsupported method (405). */
export function unsupportedMethodCase(caseId: string, actorId = "ops-bot"): JsonObject {
  return {
    case_id: caseId,
    method: "TRACE",
    endpoint: `/v1/items/${caseId}`,
    actor_id: actorId,
    expected: {
      outcome: "malformed_input",
      status_code: 405,
      error_code: "gateway_unsupported_method",
      response_body: { status: "rejected", reason: "unsupported_method" },
    },
  };
}

/** A case that fails with a transient 503 on every attempt. */
export function retryableCase(caseId: string, actorId = "ops-bot"): JsonObject {
  return {
    case_id: caseId,
    method: "GET",
    endpoint: `/v1/items/${caseId}`,
    actor_id: actorId,
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
export function fixtureOf(name: string, cases: readonly unknown[]): JsonObject {
  return { schema_version: 1, name, cases };
}

/** Actors of the large fixtures: a handful, two of which need escaping in directory names. */
export const FIXTURE_ACTORS = ["alice", "bob", "ops-bot", "Carol", "team/eu"] as const;

/**
 * `count` valid cases spread over FIXTURE_ACTORS: mostly successes with every method, about one
 * in 50 rejected for an unsupported method. Ids start at `firstId`, zero-padded.
 */
export function manyCases(count: number, firstId = 0): JsonObject[] {
  const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
  const cases: JsonObject[] = [];
  for (let n = firstId; n < firstId + count; n++) {
    const id = `case-${String(n).padStart(6, "0")}`;
    const actorId = FIXTURE_ACTORS[n % FIXTURE_ACTORS.length] as string;
    cases.push(
      n % 50 === 7
        ? unsupportedMethodCase(id, actorId)
        : successCase(id, { method: methods[n % methods.length] as string, endpoint: `/v1/items/${n}`, actorId }),
    );
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Reading a state directory

/** A JSONL file split the way readers see it (behavior.md §5). */
export interface JsonlContent {
  /** Parsed values of valid lines. */
  values: unknown[];
  /** Non-blank lines that are not valid UTF-8 JSON. */
  invalid: number;
  /** The file ends in a line without "\n" (a torn append, or a complete line missing its end). */
  unterminatedTail: boolean;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Splits JSONL bytes into values and invalid lines; blank lines are skipped. */
export function parseJsonl(bytes: Buffer): JsonlContent {
  const out: JsonlContent = { values: [], invalid: 0, unterminatedTail: bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a };
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    let line = bytes.subarray(start, end);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    start = end + 1;
    if (/^[ \t\r]*$/.test(line.toString("latin1"))) continue;
    try {
      out.values.push(JSON.parse(strictUtf8.decode(line)));
    } catch {
      out.invalid += 1;
    }
  }
  return out;
}

/** Reads a file, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Every file under `dir` (recursively) as relative path → bytes. */
export async function snapshotFiles(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.set(relative(dir, full), await readFile(full));
    }
  }
  if (existsSync(dir)) await walk(dir);
  return out;
}

/** state.json parsed; throws when missing or not JSON. */
export async function readState(stateDir: string): Promise<JsonObject> {
  return JSON.parse(await readFile(join(stateDir, "state.json"), "utf8")) as JsonObject;
}

const omit = (value: unknown, keys: readonly string[]): JsonObject => {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries((value ?? {}) as JsonObject)) if (!keys.includes(key)) out[key] = v;
  return out;
};

/** The data of a state: processed keys (as a sorted set) and request records without their timestamps. */
export function stateData(state: JsonObject): { processed: string[]; requests: JsonObject[] } {
  return {
    processed: [...((state.processed_case_keys as string[] | undefined) ?? [])].sort(),
    requests: ((state.requests as unknown[] | undefined) ?? []).map((r) => omit(r, ["updated_unix_ms"])),
  };
}

/** A state without anything that depends on the clock, for comparing two runs. */
export function normaliseState(state: JsonObject): JsonObject {
  return {
    schema_version: state.schema_version,
    ...stateData(state),
    health: omit(state.health, ["updated_unix_ms", "cycle_duration_ms"]),
    guardrail: omit(state.guardrail, ["updated_unix_ms"]),
  };
}

/** One actor's channel-store directory as the checks need it. */
export interface ActorFiles {
  log: JsonlContent;
  context: JsonlContent;
  logBytes: Buffer | undefined;
  contextBytes: Buffer | undefined;
  memory: Buffer | undefined;
}

/** Every actor directory under `<stateDir>/channel-store/gateway`, by directory name. */
export async function readChannelStore(stateDir: string): Promise<Map<string, ActorFiles>> {
  const root = join(stateDir, "channel-store", "gateway");
  const out = new Map<string, ActorFiles>();
  if (!existsSync(root)) return out;
  for (const name of (await readdir(root)).sort()) {
    const logBytes = await readIfExists(join(root, name, "log.jsonl"));
    const contextBytes = await readIfExists(join(root, name, "context.jsonl"));
    out.set(name, {
      logBytes,
      contextBytes,
      log: parseJsonl(logBytes ?? Buffer.alloc(0)),
      context: parseJsonl(contextBytes ?? Buffer.alloc(0)),
      memory: await readIfExists(join(root, name, "MEMORY.md")),
    });
  }
  return out;
}

/** The `event_key`s of every valid log entry in the channel store. */
export function loggedEventKeys(store: Map<string, ActorFiles>): Set<string> {
  const keys = new Set<string>();
  for (const actor of store.values()) {
    for (const value of actor.log.values) {
      const key = (value as JsonObject | null)?.event_key;
      if (typeof key === "string") keys.add(key);
    }
  }
  return keys;
}

/** Temp files left beside state.json or MEMORY.md (`.<name>.<pid>.<random>.tmp`). */
export async function leftoverTempFiles(stateDir: string): Promise<string[]> {
  const files = await listFiles(stateDir);
  return files.filter((path) => /(^|\/)\.[^/]+\.tmp$/.test(path));
}

/** Every file under `dir` (recursively), relative and sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(relative(dir, full));
    }
  }
  if (existsSync(dir)) await walk(dir);
  return out.sort();
}

// ---------------------------------------------------------------------------------------------
// Mounts (we run as root in CI; skip with the reason where the kernel or sandbox refuses)

let mountProbe: { ok: true } | { ok: false; reason: string } | undefined;

/** Whether this machine lets us mount a tmpfs; probed once. */
export async function tmpfsSupport(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (mountProbe) return mountProbe;
  const dir = await mkdtemp(join(tmpdir(), "tau-mount-probe-"));
  try {
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir], { encoding: "utf8" });
    if (mounted.error || mounted.status !== 0) {
      mountProbe = { ok: false, reason: `cannot mount a tmpfs here: ${(mounted.error?.message ?? mounted.stderr).trim()}` };
    } else {
      spawnSync("umount", [dir]);
      mountProbe = { ok: true };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return mountProbe;
}

function mountCommand(args: readonly string[]): void {
  const result = spawnSync("mount", args, { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    throw new Error(`mount ${args.join(" ")} failed: ${(result.error?.message ?? result.stderr).trim()}`);
  }
}

/** A mount that is undone when the current test finishes (even when it fails). */
export interface Mount {
  readonly dir: string;
  /** `mount -o remount,<options>`. */
  remount(options: string): void;
  unmount(): void;
}

function trackMount(dir: string): Mount {
  let mounted = true;
  const mount: Mount = {
    dir,
    remount: (options) => mountCommand(["-o", `remount,${options}`, dir]),
    unmount() {
      if (!mounted) return;
      mounted = false;
      // Lazy, so a process that is still running cannot keep the mount around.
      spawnSync("umount", ["-l", dir]);
    },
  };
  onTestFinished(() => mount.unmount());
  return mount;
}

/** Mounts a tmpfs of `sizeBytes` on the existing directory `dir`. */
export function mountTmpfs(dir: string, sizeBytes: number, extraOptions = ""): Mount {
  mountCommand(["-t", "tmpfs", "-o", `size=${sizeBytes}${extraOptions ? `,${extraOptions}` : ""}`, "tmpfs", dir]);
  return trackMount(dir);
}

/** Bind-mounts `dir` onto itself, so it can be remounted read-only on its own. */
export function bindMountSelf(dir: string): Mount {
  mountCommand(["--bind", dir, dir]);
  return trackMount(dir);
}
