import { spawn, spawnSync } from "node:child_process";
import { mkdir, readFile, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliResult,
  type JsonObject,
  CLI_BIN,
  fixtureOf,
  hasStackTrace,
  manyCases,
  parseJsonl,
  readIfExists,
  readState,
  retryableCase,
  runArgs,
  runCli,
  scaled,
  startCli,
  stateData,
  suiteDir,
  tempDir,
} from "./reliability-helpers";

// behavior.md §10: the lock is safe across hosts and PID namespaces sharing a volume. A runner in
// another PID namespace cannot see our pid (and we cannot see its), so the heartbeat decides.
const PAIRS = scaled(2, 20);
// Every cycle holds the lock ~3 s (two waits of 1 s and 2 s on the retried case): long enough to
// start the other runner, in its own namespace, while it is held.
const FAST = ["--gateway-retry-max-attempts", "3", "--gateway-queue-limit", "100000"];
const SLOW = ["--gateway-retry-base-delay-ms", "1000", ...FAST];
const UNSHARE = ["--pid", "--fork", "--mount-proc", "--uts"];

/** Whether the kernel lets us make PID + mount + UTS namespaces here (root in CI); probed once. */
const unshareProbe = spawnSync("unshare", [...UNSHARE, "true"], { encoding: "utf8" });
const unshareRefused =
  unshareProbe.error || unshareProbe.status !== 0
    ? `unshare ${UNSHARE.join(" ")} is refused here: ${(unshareProbe.error?.message ?? unshareProbe.stderr).trim()}`
    : undefined;

interface NsProcess {
  /** Pid of `unshare` in our namespace. */
  readonly pid: number;
  readonly done: Promise<CliResult>;
}

/** Runs the CLI as pid 1 of a fresh PID (and mount, UTS) namespace. */
function startInNamespace(args: readonly string[]): NsProcess {
  const started = performance.now();
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("TAU_")) env[k] ??= v;
  const child = spawn("unshare", [...UNSHARE, process.execPath, CLI_BIN, ...args], { cwd: tmpdir(), env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1, durationMs: performance.now() - started });
    });
  });
  return { pid: child.pid ?? -1, done };
}

/** Waits until the state dir's lock exists and satisfies `matches`. */
async function waitForLock(dir: string, matches: (lock: JsonObject) => boolean): Promise<JsonObject> {
  for (let waited = 0; waited < 30_000; waited += 10) {
    const raw = await readIfExists(join(dir, ".lock"));
    if (raw) {
      try {
        const lock = JSON.parse(raw.toString()) as JsonObject;
        if (matches(lock)) return lock;
      } catch {
        // Published whole by link(), but the reader may still race a release: look again.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no matching lock appeared in ${dir}`);
}

function expectForeignRefusal(loser: CliResult, pattern: RegExp): void {
  expect(loser.code, loser.stderr).toBe(5);
  expect(loser.stdout).toBe("");
  expect(loser.stderr).toMatch(pattern);
  expect(hasStackTrace(loser.stderr)).toBe(false);
}

describe.skipIf(unshareRefused !== undefined)("the lock across PID namespaces (behavior.md §10)", () => {
  let work: { dir: string; remove(): Promise<void> };
  let fixture: string;
  let referenceData: string;

  beforeAll(async () => {
    work = await suiteDir("tau-ns-lock-");
    fixture = join(work.dir, "fixture.json");
    await writeFile(fixture, JSON.stringify(fixtureOf("ns-lock", [...manyCases(200), retryableCase("aa-slow")])));
    const reference = join(work.dir, "reference");
    const run = await runCli(runArgs(fixture, reference, FAST));
    expect(run.code, run.stderr).toBe(0);
    referenceData = JSON.stringify(stateData(await readState(reference)));
  }, 60_000);

  afterAll(async () => {
    await work?.remove();
  });

  /** Exactly what one uninterrupted run leaves: no record lost, one events line. */
  async function expectOneIntactCycle(dir: string): Promise<void> {
    expect(JSON.stringify(stateData(await readState(dir))) === referenceData, "state matches one uninterrupted run").toBe(true);
    const events = parseJsonl((await readIfExists(join(dir, "runtime-events.jsonl"))) ?? Buffer.alloc(0));
    expect(events.values.length).toBe(1);
    expect(events.invalid).toBe(0);
    expect(await readIfExists(join(dir, ".lock"))).toBeUndefined();
  }

  it(`refuses a runner in another PID namespace while ours holds the lock, and the reverse (${PAIRS} pairs each way)`, async () => {
    for (let pair = 1; pair <= PAIRS; pair++) {
      // Host runner holds; the namespaced one must exit 5.
      const hostFirst = join(work.dir, `host-first-${pair}`);
      const holder = startCli(runArgs(fixture, hostFirst, SLOW));
      await waitForLock(hostFirst, (lock) => lock.pid === holder.pid);
      const intruder = await startInNamespace(runArgs(fixture, hostFirst, SLOW)).done;
      expectForeignRefusal(intruder, new RegExp(`locked by another runner \\(pid ${holder.pid} on this host \\(.+\\) in another PID namespace \\(pid:\\[\\d+\\]\\), since .*last heartbeat was \\d+\\.\\d s ago`));
      const held = await holder.done;
      expect(held.code, held.stderr).toBe(0);
      await expectOneIntactCycle(hostFirst);

      // Namespaced runner (pid 1 there) holds; the host one must exit 5, although our pid 1 is alive.
      const nsFirst = join(work.dir, `ns-first-${pair}`);
      const nsHolder = startInNamespace(runArgs(fixture, nsFirst, SLOW));
      await waitForLock(nsFirst, (lock) => lock.pid === 1);
      const second = await runCli(runArgs(fixture, nsFirst, SLOW));
      expectForeignRefusal(second, /locked by another runner \(pid 1 on this host \(.+\) in another PID namespace \(pid:\[\d+\]\)/);
      const nsHeld = await nsHolder.done;
      expect(nsHeld.code, nsHeld.stderr).toBe(0);
      await expectOneIntactCycle(nsFirst);
    }
  }, scaled(120_000, 1_200_000));

  it("takes over a crashed pod's lock naming pid 1 of another namespace once its heartbeat is stale", async () => {
    const dir = join(work.dir, "crashed-pod");
    const pod = startInNamespace(runArgs(fixture, dir, SLOW));
    await waitForLock(dir, (lock) => lock.pid === 1);
    // SIGKILL pid 1 of the pod (the node child of unshare): the namespace dies with it.
    const children = spawnSync("pgrep", ["-P", String(pod.pid)], { encoding: "utf8" }).stdout.trim().split(/\s+/).filter(Boolean);
    expect(children.length, "unshare's child").toBe(1);
    process.kill(Number(children[0]), "SIGKILL");
    await pod.done;
    const left = JSON.parse(await readFile(join(dir, ".lock"), "utf8")) as JsonObject;
    expect(left.pid).toBe(1);

    // Fresh heartbeat: still live (our own pid 1 is alive, which must not matter either way).
    const early = await runCli(runArgs(fixture, dir, [...SLOW, "--gateway-lock-stale-ms", "60000"]));
    expectForeignRefusal(early, /pid 1 on this host .* in another PID namespace/);
    // Stale heartbeat: taken over, and the cycle runs.
    const old = new Date(Date.now() - 61_000);
    await utimes(join(dir, ".lock"), old, old);
    const late = await runCli(runArgs(fixture, dir, [...FAST, "--gateway-lock-stale-ms", "60000"]));
    expect(late.code, late.stderr).toBe(0);
  }, 60_000);
});

describe("lock files naming another host (behavior.md §10)", () => {
  async function lockedDir(ageMs: number): Promise<{ dir: string; fixture: string }> {
    const work = await tempDir("tau-host-lock-");
    const dir = join(work, "state");
    await mkdir(dir);
    const fixture = join(work, "fixture.json");
    await writeFile(fixture, JSON.stringify(fixtureOf("host-lock", manyCases(5))));
    const lock = join(dir, ".lock");
    await writeFile(lock, `${JSON.stringify({ pid: 77, hostname: "runner-b.example", pid_ns: "pid:[4026531836]", acquired_unix_ms: Date.now() - 3_600_000 })}\n`);
    const when = new Date(Date.now() - ageMs);
    await utimes(lock, when, when);
    return { dir, fixture };
  }

  it("exits 5 while the other host's heartbeat is fresh, naming the host, the pid and the heartbeat's age", async () => {
    const { dir, fixture } = await lockedDir(3_000);
    const result = await runCli(runArgs(fixture, dir));
    expectForeignRefusal(result, /locked by another runner \(pid 77 on host runner-b\.example, since [^)]+\); its last heartbeat was [3-9]\.\d s ago, and the lock is taken over once the heartbeat is 30\.0 s old/);
    expect(await readIfExists(join(dir, "state.json"))).toBeUndefined();
  }, 30_000);

  it("takes the lock over once the heartbeat is older than --gateway-lock-stale-ms (or its variable)", async () => {
    const { dir, fixture } = await lockedDir(3_000);
    const viaFlag = await runCli(runArgs(fixture, dir, ["--gateway-lock-stale-ms", "2000"]));
    expect(viaFlag.code, viaFlag.stderr).toBe(0);
    const stale = await lockedDir(31_000);
    const byDefault = await runCli(runArgs(stale.fixture, stale.dir));
    expect(byDefault.code, byDefault.stderr).toBe(0);
    const env = await lockedDir(3_000);
    const viaEnv = await runCli(runArgs(env.fixture, env.dir), { env: { TAU_GATEWAY_LOCK_STALE_MS: "1000" } });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
  }, 30_000);
});
