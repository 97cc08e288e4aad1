import { performance } from "node:perf_hooks";
import {
  appendJsonl,
  appendJsonlRotated,
  ChannelStore,
  checkPath,
  EventStoreError,
  JsonlBatch,
  sweepTempFiles,
  writeJsonlAtomic,
  type DirLock,
  type JsonlRotation,
} from "@tau/event-store";
import { combinedFixtureSha256, type Fixture, type FixtureSource } from "@tau/gateway-contract";
import { classifyHealth, cycleReasonCodes, type CycleSummary } from "@tau/gateway-guardrail";
import { ChannelWriter } from "./channel-writer";
import { CycleRecorder } from "./cycle-recorder";
import { cycleVerdict } from "./cycle-verdict";
import { cycleEventLine, type CycleReport } from "./cycle-report";
import type { GatewayDriver } from "../drivers/driver";
import { GatewayRuntimeError } from "../errors";
import { eventLoopYielder } from "./event-loop-yield";
import { executeCase } from "./execute-case";
import { forEachOrdered } from "./for-each-ordered";
import type { CycleProvenance, GatewayState } from "../state/gateway-state";
import { buildQueue } from "./queue";
import { selectShard } from "./shard";
import { resolveSettings, type RunnerSettings } from "./runner-options";
import { simulatedDriver } from "../drivers/simulated-driver";
import type { LastCycleHeader } from "../state/last-cycle";
import { assertStateLockHeld, lockStateDir } from "../state/lock-state-dir";
import { loadStateForRunner, prepareStateFile } from "../state/state-file";
import { statePaths, TRANSPORT, type StatePaths } from "../state/state-paths";

/** How to open a state directory for running cycles. */
export interface RunnerOptions {
  stateDir: string;
  settings?: Partial<RunnerSettings>;
  /** Wall clock in unix ms; injectable for tests. */
  clock?: () => number;
  /** Receives non-fatal warnings, e.g. a quarantined state.json. Defaults to stderr. */
  onWarning?: (message: string) => void;
  /**
   * A state-dir lock written on another host or in another PID namespace is live while its
   * heartbeat is younger than this (ms), and taken over once older. Default 30000.
   */
  lockStaleMs?: number;
  /** Rotate runtime-events.jsonl and the channel-store logs past a size (off by default). */
  rotation?: JsonlRotation;
}

/** Per-cycle options: which gateway to talk to, cancellation, progress. */
export interface RunCycleOptions {
  driver?: GatewayDriver;
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number }) => void;
  /**
   * Recorded with the cycle (state.json `last_cycle`, events line): the fixture files and shard it
   * ran. With `shard`, the cycle runs only the cases of that shard (see `selectShard`).
   */
  provenance?: { fixtures?: FixtureSource[]; shard?: { index: number; count: number } };
  /** Run every queued case even if an earlier cycle processed it (watch mode): no duplicate skips. */
  reverify?: boolean;
  /**
   * Also keep what the cycle did with each case on the report (`CycleReport.caseResults`), as
   * `readLastCycle` would read it back: for reports rendered right after the cycle, which then
   * need not read last-cycle.jsonl again. Off by default: it holds every case in memory.
   */
  keepCaseResults?: boolean;
}

/** Channel-store actors persisted at once at the end of a cycle. */
const PERSIST_CONCURRENCY = 8;

/**
 * An actor's channel lines are appended during the cycle once its log holds this many bytes, then
 * once it holds as much as it has appended so far, up to the max (see takeFullLines).
 */
const CHANNEL_FLUSH_BYTES = 256 * 1024;
const CHANNEL_FLUSH_MAX_BYTES = 2 * 1024 * 1024;

const warnToStderr = (message: string) => process.stderr.write(`warning: ${message}\n`);

/** A state directory held by this process: one runner per directory, cycles run one at a time. */
export class GatewayRuntime {
  private closed = false;
  private running = false;

  private constructor(
    readonly paths: StatePaths,
    readonly settings: RunnerSettings,
    private state: GatewayState,
    private readonly lock: DirLock,
    private readonly clock: () => number,
    private readonly channelStore: ChannelStore,
    private readonly rotation: JsonlRotation | undefined,
  ) {}

  /** Takes the state-dir lock (E_STATE_LOCKED if another runner holds it) and loads state. */
  static async open(options: RunnerOptions): Promise<GatewayRuntime> {
    const settings = resolveSettings(options.settings);
    const clock = options.clock ?? Date.now;
    const paths = statePaths(options.stateDir);
    const lock = await lockStateDir(paths.stateDir, options.lockStaleMs);
    const onWarning = options.onWarning ?? warnToStderr;
    try {
      // A runner killed mid-write leaves a temp copy of state.json as large as the state. It was
      // never renamed into place, so the real file holds all that counts: drop it silently.
      await sweepTempFiles(paths.stateDir);
      // A planted symlink (or FIFO, device) in place of a state file or the channel store would
      // make this runner read or write outside the state dir: refuse before touching anything.
      await checkPath(paths.statePath, "file", "use");
      await checkPath(paths.eventsPath, "file", "use");
      await checkPath(paths.channelStoreRoot, "directory", "use");
      const state = await loadStateForRunner({ statePath: paths.statePath, nowUnixMs: clock(), onWarning });
      const rotation = options.rotation;
      const channelStore = new ChannelStore(paths.channelStoreRoot, rotation ? { rotation } : {});
      return new GatewayRuntime(paths, settings, state, lock, clock, channelStore, rotation);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** The state as of the last completed cycle (or as loaded). */
  get currentState(): Readonly<GatewayState> {
    return this.state;
  }

  /** Runs one cycle over the fixture and persists it: channel store, then state.json, then the events line. */
  async runCycle(fixture: Fixture, options: RunCycleOptions = {}): Promise<CycleReport> {
    if (this.closed) throw new GatewayRuntimeError("E_RUNTIME_CLOSED", "the runtime is closed; open the state directory again");
    if (this.running) throw new GatewayRuntimeError("E_INVALID_OPTION", "a cycle is already running on this runtime");
    this.running = true;
    try {
      return await this.cycle(fixture, options);
    } finally {
      this.running = false;
    }
  }

  private async cycle(fixture: Fixture, options: RunCycleOptions): Promise<CycleReport> {
    const started = performance.now();
    const startedUnixMs = this.clock();
    const { settings } = this;
    const driver = options.driver ?? simulatedDriver();
    const recorder = new CycleRecorder(this.state, settings.processedCaseCap, this.clock, { keepCaseResults: options.keepCaseResults === true });
    // A shard runs only its own cases: selection comes before the queue, so discovered_cases,
    // the queue limit and the backlog all count the shard's cases (behavior.md §11).
    const shard = options.provenance?.shard;
    const cases = shard ? selectShard(fixture.cases, shard) : fixture.cases;
    const { queued, backlog, backlogCases } = buildQueue(cases, settings.queueLimit);
    recorder.summary.discovered_cases = cases.length;
    recorder.summary.queued_cases = queued.length;
    recorder.summary.backlog_cases = backlog;

    const toRun = options.reverify ? queued : queued.filter((c) => !recorder.skipIfProcessed(c));
    let aborted = false;
    let recorded = 0;
    // One yielder for all lanes: the simulated driver never leaves the microtask queue on its own.
    const yieldToEventLoop = eventLoopYielder();
    // Channel lines are appended while the cycle runs, so the checks that guard every write of the
    // cycle (our lock, no planted link in an actor's path) come before the first case.
    await this.checkBeforeWriting(new Set(toRun.map((c) => c.actor_id.trim())));
    const channelWriter = new ChannelWriter(this.channelStore);
    try {
      await forEachOrdered({
        items: toRun,
        concurrency: settings.concurrency,
        work: (gatewayCase) => {
          const run = () =>
            executeCase({ gatewayCase, driver, settings, yieldToEventLoop, ...(options.signal ? { signal: options.signal } : {}) });
          // Channel appends lagging far behind (a slow disk): let them catch up before the next case.
          return channelWriter.backlogged ? channelWriter.drain(options.signal).then(run) : run();
        },
        record: (execution, gatewayCase, index) => {
          recorder.record(gatewayCase, execution);
          for (const lines of recorder.takeFullLines(CHANNEL_FLUSH_BYTES, CHANNEL_FLUSH_MAX_BYTES)) channelWriter.append(lines);
          recorded = index + 1;
          options.onProgress?.({ done: index + 1, total: toRun.length });
        },
      });
    } catch (error) {
      // A cancelled cycle still persists what it recorded: nothing observed is lost.
      if (!options.signal?.aborted) {
        await channelWriter.settle().catch(() => {});
        throw error;
      }
      aborted = true;
    }
    recorder.notRun(toRun.slice(recorded), "not_run");
    recorder.notRun(backlogCases, "backlog");

    const summary = recorder.summary;
    const requests = recorder.sortedRequests();
    // An interrupted cycle is not a finished one: its records are kept, but health, the gate and
    // the events log still describe the last complete cycle, so a partial run cannot turn green.
    const verdict = aborted ? this.previousVerdict() : this.verdict(summary, performance.now() - started);
    const nextState: GatewayState = {
      // Unknown top-level fields of the loaded state.json are carried over, not dropped.
      ...this.state,
      schema_version: this.state.schema_version,
      processed_case_keys: recorder.processedKeys(),
      requests,
      health: verdict.health,
      guardrail: verdict.guardrail,
      last_cycle: this.provenance(options.provenance),
    };
    const report: CycleReport = {
      fixtureName: fixture.name,
      driver: driver.name,
      summary,
      reasonCodes: cycleReasonCodes(summary),
      health: verdict.health,
      classification: classifyHealth(verdict.health),
      gate: { gate: verdict.guardrail.gate, reason_code: verdict.guardrail.reason_code },
      thresholds: settings.thresholds,
      drifts: recorder.drifts,
      provenance: nextState.last_cycle as CycleProvenance,
      aborted,
      statePath: this.paths.statePath,
      eventsPath: this.paths.eventsPath,
      lastCyclePath: this.paths.lastCyclePath,
      ...(recorder.kept ? { caseResults: recorder.kept.cases } : {}),
    };

    const header: LastCycleHeader = {
      kind: "cycle",
      fixture_name: fixture.name,
      driver: driver.name,
      started_unix_ms: startedUnixMs,
      finished_unix_ms: this.clock(),
      aborted,
      provenance: report.provenance,
    };
    await this.persist({ recorder, channelWriter, requests, nextState, report, lastCycleHeader: header });
    this.state = nextState;
    return report;
  }

  /** Health and guardrail of a finished cycle (behavior.md §7). */
  private verdict(summary: CycleSummary, durationMs: number): Pick<GatewayState, "health" | "guardrail"> {
    return cycleVerdict({
      summary,
      previousFailureStreak: this.state.health.failure_streak,
      cycleDurationMs: Math.round(durationMs),
      nowUnixMs: this.clock(),
      thresholds: this.settings.thresholds,
    });
  }

  private provenance(given: RunCycleOptions["provenance"] = {}): CycleProvenance {
    const fixtures = given.fixtures ?? [];
    const { settings } = this;
    return {
      fixture_sha256: fixtures.length > 0 ? combinedFixtureSha256(fixtures) : null,
      fixtures,
      shard: given.shard ?? null,
      settings: {
        queue_limit: settings.queueLimit,
        processed_case_cap: settings.processedCaseCap,
        retry_max_attempts: settings.retryMaxAttempts,
        guardrail_failure_streak_threshold: settings.thresholds.failureStreak,
        guardrail_retryable_failures_threshold: settings.thresholds.retryableFailures,
      },
    };
  }

  private previousVerdict(): Pick<GatewayState, "health" | "guardrail"> {
    return { health: this.state.health, guardrail: this.state.guardrail };
  }

  /**
   * Fails with E_STATE_LOCKED when a frozen runner lost its lock to another one (it must not write
   * over that runner's data), or with E_UNSAFE_PATH when an actor's directory or file is a planted
   * link or special file; both before anything of the cycle is written.
   */
  private async checkBeforeWriting(actorIds: Iterable<string>): Promise<void> {
    await assertStateLockHeld(this.lock);
    try {
      for (const actorId of actorIds) if (actorId.length > 0) await this.channelStore.check(TRANSPORT, actorId);
    } catch (error) {
      throw this.persistError(error);
    }
  }

  /**
   * Order matters for crash safety: a crash may repeat a log entry next run, never lose one.
   * Channel lines appended during the cycle are settled first, so the order stays channel store
   * → last-cycle.jsonl → state.json → events line.
   */
  private async persist(options: {
    recorder: CycleRecorder;
    channelWriter: ChannelWriter;
    requests: GatewayState["requests"];
    nextState: GatewayState;
    report: CycleReport;
    lastCycleHeader: LastCycleHeader;
  }): Promise<void> {
    const { recorder, channelWriter, requests, nextState, report, lastCycleHeader } = options;
    const actorWrites = recorder.actorWrites(requests);
    // Checked again: the lock may have been lost while the cycle ran.
    await this.checkBeforeWriting(actorWrites.map((w) => w.actorId));
    // state.json is streamed to its temp file before the last channel-store writes and renamed in
    // only after them: a state too large to write fails before them.
    const stateFile = await prepareStateFile(this.paths.statePath, nextState).catch((error: unknown) => {
      throw this.persistError(error);
    });
    try {
      await channelWriter.settle();
      // Actors are independent files: writing several at once overlaps their fsyncs.
      await forEachOrdered({
        items: actorWrites,
        concurrency: PERSIST_CONCURRENCY,
        work: async (writes) => {
          const ref = { transport: TRANSPORT, channelId: writes.actorId };
          await this.channelStore.appendLog({ ...ref, records: writes.log });
          await this.channelStore.appendContext({ ...ref, records: writes.context });
          if (writes.memory !== undefined) await this.channelStore.writeMemory({ ...ref, text: writes.memory() });
        },
        record: () => {},
      });
      // Before state.json: a crash between the two leaves last-cycle.jsonl one cycle ahead,
      // which only a report reads, never the next cycle.
      const head = new JsonlBatch();
      head.add(lastCycleHeader);
      await writeJsonlAtomic(this.paths.lastCyclePath, head, recorder.caseResults);
      await stateFile.commit();
      if (!report.aborted) {
        const line = [cycleEventLine(report)];
        if (this.rotation) await appendJsonlRotated(this.paths.eventsPath, line, this.rotation);
        else await appendJsonl(this.paths.eventsPath, line);
      }
    } catch (error) {
      await stateFile.abort();
      throw this.persistError(error);
    }
  }

  private persistError(error: unknown): Error {
    if (GatewayRuntimeError.isInstance(error)) return error;
    // A refused symlink or FIFO says which path; keep its code for embedders.
    if (EventStoreError.isInstance(error) && error.code === "E_UNSAFE_PATH") return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new GatewayRuntimeError("E_IO", `could not persist the cycle in ${this.paths.stateDir}: ${detail}`, { cause: error });
  }

  /** Releases the state-dir lock. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock.release();
  }
}
