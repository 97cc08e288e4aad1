import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ActorFiles,
  type CliResult,
  type JsonObject,
  fixtureOf,
  leftoverTempFiles,
  loggedEventKeys,
  manyCases,
  normaliseState,
  parseJsonl,
  readChannelStore,
  readIfExists,
  readState,
  runArgs,
  runCli,
  scaled,
  SEED,
  seededRandom,
  startCli,
  stateData,
  suiteDir,
} from "./reliability-helpers";

// behavior.md §5: crash safety of one cycle's persistence (channel store → state.json → events).
const KILLS = scaled(30, 300);
const CASES = 20_000;
const LIMITS = ["--gateway-queue-limit", String(CASES), "--gateway-processed-case-cap", String(CASES)];

/** What a kill can change: the three kinds of files of a state dir. */
interface DirView {
  state: Buffer | undefined;
  events: Buffer | undefined;
  store: Map<string, ActorFiles>;
}

async function viewOf(stateDir: string): Promise<DirView> {
  return {
    state: await readIfExists(join(stateDir, "state.json")),
    events: await readIfExists(join(stateDir, "runtime-events.jsonl")),
    store: await readChannelStore(stateDir),
  };
}

const same = (a: Buffer | undefined, b: Buffer | undefined) => (a === undefined ? b === undefined : b !== undefined && a.equals(b));
const isPrefix = (prefix: Buffer | undefined, whole: Buffer | undefined) =>
  prefix === undefined || (whole !== undefined && whole.subarray(0, prefix.length).equals(prefix));

const PHASES = [
  "before any write",
  "during channel-store writes or the state.json temp file",
  "after state.json was replaced, before the events line",
  "during the events append (torn line)",
  "after the events line, while exiting",
] as const;
type Phase = (typeof PHASES)[number];

/** Where in the persistence order a kill landed, judged by what changed on disk. */
function phaseOf(before: DirView, after: DirView): Phase {
  const eventsBefore = before.events?.length ?? 0;
  if ((after.events?.length ?? 0) > eventsBefore) {
    return after.events?.[after.events.length - 1] === 0x0a ? PHASES[4] : PHASES[3];
  }
  if (!same(before.state, after.state)) return PHASES[2];
  for (const [name, actor] of after.store) {
    const old = before.store.get(name);
    if (!old || !same(old.logBytes, actor.logBytes) || !same(old.contextBytes, actor.contextBytes) || !same(old.memory, actor.memory)) {
      return PHASES[1];
    }
  }
  return PHASES[0];
}

const MEMORY_LINE = /^- case-\d{6} (GET|POST|PUT|PATCH|DELETE) \/v1\/items\/\d+ status=\d{3} outcome=success$/;

/** Every guarantee of §5 that must hold right after a SIGKILL; returns what is broken. */
function problemsAfterKill(before: DirView, after: DirView, killsInDir: number): string[] {
  const problems: string[] = [];

  // state.json is the old or the new version, never torn, never gone.
  if (before.state && !after.state) problems.push("state.json disappeared");
  let processed: string[] = [];
  if (after.state) {
    let parsed: JsonObject | undefined;
    try {
      parsed = JSON.parse(after.state.toString("utf8")) as JsonObject;
    } catch (error) {
      problems.push(`state.json does not parse: ${(error as Error).message}`);
    }
    if (parsed) {
      if (parsed.schema_version !== 1) problems.push(`state.json has schema_version ${String(parsed.schema_version)}`);
      processed = (parsed.processed_case_keys as string[] | undefined) ?? [];
      if (before.state && !same(before.state, after.state)) {
        const now = new Set(processed);
        const old = (JSON.parse(before.state.toString("utf8")) as JsonObject).processed_case_keys as string[];
        const lost = old.filter((key) => !now.has(key));
        if (lost.length > 0) problems.push(`the new state.json lost ${lost.length} processed keys`);
      }
    }
  }

  // At-least-once: a processed case always has its log entry (appended before state.json).
  const logged = loggedEventKeys(after.store);
  const unlogged = processed.filter((key) => !logged.has(key));
  if (unlogged.length > 0) problems.push(`${unlogged.length} processed case keys have no log entry, e.g. ${unlogged[0]}`);

  // Channel-store logs only ever grow; a kill can tear at most their last line.
  for (const [name, old] of before.store) {
    const now = after.store.get(name);
    if (!now) {
      problems.push(`actor directory ${name} disappeared`);
      continue;
    }
    if (!isPrefix(old.logBytes, now.logBytes)) problems.push(`${name}/log.jsonl was rewritten, not appended to`);
    if (!isPrefix(old.contextBytes, now.contextBytes)) problems.push(`${name}/context.jsonl was rewritten, not appended to`);
  }
  for (const [name, actor] of after.store) {
    if (actor.log.invalid > killsInDir) problems.push(`${name}/log.jsonl has ${actor.log.invalid} invalid lines after ${killsInDir} kills`);
    if (actor.context.invalid > killsInDir) problems.push(`${name}/context.jsonl has ${actor.context.invalid} invalid lines after ${killsInDir} kills`);
    // MEMORY.md is replaced atomically: either absent or complete.
    if (actor.memory) {
      const lines = actor.memory.toString("utf8").split("\n");
      const complete =
        lines[0]?.startsWith("# Tau Gateway Snapshot (") === true &&
        lines[1] === "" &&
        lines.at(-1) === "" &&
        lines.slice(2, -1).every((line) => MEMORY_LINE.test(line));
      if (!complete) problems.push(`${name}/MEMORY.md is torn`);
    }
  }

  // The events log only grows, by at most one line per run; a torn line can only be the last.
  if (before.events && !after.events) problems.push("runtime-events.jsonl disappeared");
  if (!isPrefix(before.events, after.events)) problems.push("runtime-events.jsonl was rewritten, not appended to");
  const old = before.events ?? Buffer.alloc(0);
  let added = (after.events ?? Buffer.alloc(0)).subarray(old.length);
  // After a torn line the next append starts on a fresh line.
  if (old.length > 0 && old[old.length - 1] !== 0x0a && added[0] === 0x0a) added = added.subarray(1);
  const addedLines = added.length === 0 ? 0 : added.toString("latin1").replace(/\n$/, "").split("\n").length;
  if (addedLines > 1) problems.push(`one run added ${addedLines} lines to runtime-events.jsonl`);
  const events = parseJsonl(after.events ?? Buffer.alloc(0));
  if (events.invalid > killsInDir) problems.push(`runtime-events.jsonl has ${events.invalid} invalid lines after ${killsInDir} kills`);
  if (added.length > 0 && added[added.length - 1] !== 0x0a) {
    // A torn line is invalid; it could only parse if the kill fell between its "}" and its "\n".
    const tail = parseJsonl(added);
    if (tail.invalid + tail.values.length !== 1) problems.push("the unterminated events tail is not one line");
  }
  return problems;
}

interface Reference {
  steady: JsonObject;
  data: string;
  store: Map<string, ActorFiles>;
  /** Spawn to exit of an uninterrupted run on a fresh dir, and on a dir that has run already. */
  firstRun: RunTiming;
  repeatRun: RunTiming;
}

/** How long a run takes, and how much of that comes after it took the lock. */
interface RunTiming {
  totalMs: number;
  afterLockMs: number;
}

const STRATEGIES = ["anywhere in the run", "after the lock is taken", "as state.json is replaced"] as const;
type Strategy = (typeof STRATEGIES)[number];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stateFileId(stateDir: string): Promise<string> {
  try {
    const info = await stat(join(stateDir, "state.json"), { bigint: true });
    return `${info.ino}:${info.mtimeNs}`;
  } catch {
    return "missing";
  }
}

/**
 * Runs one cycle on `stateDir` and SIGKILLs it at a moment picked by `strategy`: a random time
 * after the start, a random time after the runner took the lock (where the cycle and its writes
 * happen), or the instant state.json is replaced (just before the events line). Returns how the
 * run ended and when the lock was seen, so reference runs can be timed with `strategy` null.
 */
async function runAndKill(options: {
  args: string[];
  stateDir: string;
  strategy: Strategy | null;
  random: () => number;
  timing?: RunTiming;
}): Promise<{ result: CliResult; lockSeenMs: number | undefined }> {
  const { args, stateDir, strategy, random, timing } = options;
  const initialState = await stateFileId(stateDir);
  const started = performance.now();
  const child = startCli(args);
  let finished = false;
  let lockSeenMs: number | undefined;
  const done = child.done.then((result) => {
    finished = true;
    return result;
  });
  const killer = (async () => {
    if (strategy === "anywhere in the run") {
      await pause(random() * (timing?.totalMs ?? 0));
    } else if (strategy === "as state.json is replaced") {
      while (!finished && (await stateFileId(stateDir)) === initialState) await pause(1);
    } else {
      while (!finished) {
        const lock = await readIfExists(join(stateDir, ".lock"));
        if (lock?.includes(`"pid":${child.pid},`)) {
          lockSeenMs = performance.now() - started;
          break;
        }
        await pause(2);
      }
      if (strategy === null) return;
      await pause(random() * (timing?.afterLockMs ?? 0));
    }
    if (!finished) child.kill("SIGKILL");
  })();
  const [result] = await Promise.all([done, killer]);
  return { result, lockSeenMs };
}

async function timeRun(args: string[], stateDir: string): Promise<RunTiming> {
  const { result, lockSeenMs } = await runAndKill({ args, stateDir, strategy: null, random: Math.random });
  expect(result.code, result.stderr).toBe(0);
  return { totalMs: result.durationMs, afterLockMs: result.durationMs - (lockSeenMs ?? 0) };
}

const keysOf = (actor: ActorFiles) =>
  [...new Set(actor.log.values.map((value) => (value as JsonObject).event_key as string))].sort();
const contextTextsOf = (actor: ActorFiles) =>
  [...new Set(actor.context.values.map((value) => (value as JsonObject).text as string))].sort();

describe("crash safety: SIGKILL at random moments on a 20k-case fixture (behavior.md §5)", () => {
  let work: { dir: string; remove(): Promise<void> };
  let fixture: string;
  let reference: Reference;

  beforeAll(async () => {
    work = await suiteDir("tau-crash-");
    fixture = join(work.dir, "fixture-20k.json");
    await writeFile(fixture, JSON.stringify(fixtureOf("crash-20k", manyCases(CASES))));
    // The uninterrupted run every killed directory must converge to.
    const dir = join(work.dir, "reference");
    const firstRun = await timeRun(runArgs(fixture, dir, LIMITS), dir);
    const data = JSON.stringify(stateData(await readState(dir)));
    const repeatRun = await timeRun(runArgs(fixture, dir, LIMITS), dir);
    reference = {
      steady: normaliseState(await readState(dir)),
      data,
      store: await readChannelStore(dir),
      firstRun,
      repeatRun,
    };
    expect(reference.store.size).toBe(5);
  }, 120_000);

  afterAll(async () => {
    await work?.remove();
  });

  it(
    `keeps state.json whole, loses no log entry and converges after ${KILLS} SIGKILLs`,
    async () => {
      const random = seededRandom(SEED);
      const started = performance.now();
      const phases = new Map<Phase, number>(PHASES.map((phase) => [phase, 0]));
      const strategies = new Map<Strategy, number>(STRATEGIES.map((strategy) => [strategy, 0]));
      const figures = { seed: SEED, kills: 0, trials: 0, runsFinishedBeforeTheKill: 0, locksLeftBehind: 0, emptyLocksLeftBehind: 0, tornLogLines: 0, tornEventLines: 0, tempFilesLeftBehind: 0 };

      while (figures.kills < KILLS) {
        figures.trials += 1;
        const dir = join(work.dir, `trial-${figures.trials}`);
        const killsWanted = Math.min(1 + Math.floor(random() * 3), KILLS - figures.kills);
        let killsInDir = 0;
        let before = await viewOf(dir);
        for (let attempt = 0; killsInDir < killsWanted && attempt < killsWanted * 6; attempt++) {
          const pick = random();
          const strategy: Strategy = pick < 0.25 ? STRATEGIES[0] : pick < 0.8 ? STRATEGIES[1] : STRATEGIES[2];
          const timing = before.state ? reference.repeatRun : reference.firstRun;
          const { result } = await runAndKill({ args: runArgs(fixture, dir, LIMITS), stateDir: dir, strategy, random, timing });
          const killed = result.signal === "SIGKILL";
          if (!killed) {
            expect(result.code, `run finished before its kill but failed: ${result.stderr}`).toBe(0);
            figures.runsFinishedBeforeTheKill += 1;
          } else {
            killsInDir += 1;
            figures.kills += 1;
            strategies.set(strategy, (strategies.get(strategy) ?? 0) + 1);
          }
          const after = await viewOf(dir);
          const where = `seed ${SEED}, trial ${figures.trials}, kill ${killsInDir} ${strategy} after ${Math.round(result.durationMs)} ms`;
          expect(problemsAfterKill(before, after, killsInDir), where).toEqual([]);
          expect(figures.emptyLocksLeftBehind, where).toBe(0);
          if (killed) {
            const phase = phaseOf(before, after);
            phases.set(phase, (phases.get(phase) ?? 0) + 1);
            if (phase === PHASES[3]) figures.tornEventLines += 1;
            const lock = await readIfExists(join(dir, ".lock"));
            if (lock !== undefined) figures.locksLeftBehind += 1;
            // Locks are published whole (written aside, then linked into place): never empty.
            if (lock?.length === 0) figures.emptyLocksLeftBehind += 1;
          }
          before = after;
        }
        for (const actor of before.store.values()) figures.tornLogLines += actor.log.invalid + actor.context.invalid;
        figures.tempFilesLeftBehind += (await leftoverTempFiles(dir)).length;

        // The next run succeeds (taking over any lock the kill left) and has every case.
        const rerun = await runCli(runArgs(fixture, dir, LIMITS));
        expect(rerun.code, rerun.stderr).toBe(0);
        expect(rerun.stderr).not.toMatch(/warning|error/);
        expect(JSON.stringify(stateData(await readState(dir))) === reference.data, "processed keys and requests match the uninterrupted run").toBe(true);

        // One more run settles health and guardrail; then everything matches the uninterrupted run.
        const settle = await runCli(runArgs(fixture, dir, LIMITS));
        expect(settle.code, settle.stderr).toBe(0);
        expect(normaliseState(await readState(dir))).toEqual(reference.steady);
        const store = await readChannelStore(dir);
        expect([...store.keys()]).toEqual([...reference.store.keys()]);
        for (const [name, expected] of reference.store) {
          const actor = store.get(name) as ActorFiles;
          expect(keysOf(actor), `${name}: distinct logged case keys`).toEqual(keysOf(expected));
          expect(contextTextsOf(actor), `${name}: distinct context entries`).toEqual(contextTextsOf(expected));
          expect(actor.memory?.equals(expected.memory ?? Buffer.alloc(0)), `${name}/MEMORY.md`).toBe(true);
        }

        // Readers count any torn line as invalid and never fail on it.
        const events = parseJsonl((await readIfExists(join(dir, "runtime-events.jsonl"))) ?? Buffer.alloc(0));
        const status = await runCli(["status", "--json", "--gateway-state-dir", dir]);
        expect(status.code, status.stderr).toBe(0);
        const report = JSON.parse(status.stdout) as JsonObject;
        expect(report.cycle_reports).toBe(events.values.length);
        expect(report.invalid_cycle_reports).toBe(events.invalid);
        expect(report.processed_case_count).toBe(CASES);
      }

      const summary = { ...figures, strategies: Object.fromEntries(strategies), phases: Object.fromEntries(phases), seconds: Math.round((performance.now() - started) / 1000) };
      console.log(`crash-safety figures: ${JSON.stringify(summary)}`);
      expect(figures.kills).toBe(KILLS);
    },
    scaled(300_000, 4 * 3_600_000),
  );
});
