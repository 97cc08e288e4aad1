import { performance } from "node:perf_hooks";
import {
  appendJsonl,
  appendJsonlRotated,
  ChannelStore,
  checkPath,
  EventStoreError,
  JsonlBatch,
  lockDir,
  makeDir,
  sweepTempFiles,
  writeJsonlAtomic,
  type DirLock,
  type JsonlRotation,
} from "@tau/event-store";
import { combinedFixtureSha256, type Fixture, type FixtureSource } from "@tau/gateway-contract";
import {
  classifyHealth,
  cycleReasonCodes,
  evaluateGate,
  snapshotHealth,
  type CycleSummary,
} from "@tau/gateway-guardrail";
import { CycleRecorder } from "./cycle-recorder";
import { cycleEventLine, type CycleReport } from "./cycle-report";
import type { GatewayDriver } from "../drivers/driver";
import { GatewayRuntimeError } from "../errors";
import { eventLoopYielder } from "./event-loop-yield";
import { executeCase } from "./execute-case";
import { forEachOrdered } from "./for-each-ordered";
import type { CycleProvenance, GatewayState } from "../state/gateway-state";
import { buildQueue } from "./queue";
import { resolveSettings, type RunnerSettings } from "./runner-options";
import { simulatedDriver } from "../drivers/simulated-driver";
import type { LastCycleHeader } from "../state/last-cycle";
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
  /** Recorded with the cycle (state.json `last_cycle`, events line): the fixture files and shard it ran. */
  provenance?: { fixtures?: FixtureSource[]; shard?: { index: number; count: number } };
  /** Run every queued case even if an earlier cycle processed it (watch mode): no duplicate skips. */
  reverify?: boolean;
}

/** Channel-store actors persisted at once at the end of a cycle. */
const PERSIST_CONCURRENCY = 8;

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
    const { lockStaleMs } = options;
    if (lockStaleMs !== undefined && (!Number.isSafeInteger(lockStaleMs) || lockStaleMs <= 0)) {
      throw new GatewayRuntimeError("E_INVALID_OPTION", `lockStaleMs must be an integer greater than 0 (found ${lockStaleMs})`);
    }
    try {
      await makeDir(paths.stateDir);
    } catch (error) {
      throw new GatewayRuntimeError("E_IO", `cannot create state directory ${paths.stateDir}: ${(error as Error).message}`, { cause: error });
    }
    let lock: DirLock;
    try {
      lock = await lockDir(paths.stateDir, lockStaleMs === undefined ? {} : { staleMs: lockStaleMs });
    } catch (error) {
      if (EventStoreError.isInstance(error) && error.code === "E_LOCKED") {
        throw new GatewayRuntimeError("E_STATE_LOCKED", error.message, {
          cause: error,
          ...(error.holderPid !== undefined ? { holderPid: error.holderPid } : {}),
        });
      }
      throw error;
    }
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
    const recorder = new CycleRecorder(this.state, settings.processedCaseCap, this.clock);
    const { queued, backlog, backlogCases } = buildQueue(fixture.cases, settings.queueLimit);
    recorder.summary.discovered_cases = fixture.cases.length;
    recorder.summary.queued_cases = queued.length;
    recorder.summary.backlog_cases = backlog;

    const toRun = options.reverify ? queued : queued.filter((c) => {
      const duplicate = recorder.isProcessed(c);
      if (duplicate) recorder.skipDuplicate(c);
      return !duplicate;
    });
    let aborted = false;
    let recorded = 0;
    // One yielder for all lanes: the simulated driver never leaves the microtask queue on its own.
    const yieldToEventLoop = eventLoopYielder();
    try {
      await forEachOrdered({
        items: toRun,
        concurrency: settings.concurrency,
        work: (gatewayCase) =>
          executeCase({ gatewayCase, driver, settings, yieldToEventLoop, ...(options.signal ? { signal: options.signal } : {}) }),
        record: (execution, gatewayCase, index) => {
          recorder.record(gatewayCase, execution);
          recorded = index + 1;
          options.onProgress?.({ done: index + 1, total: toRun.length });
        },
      });
    } catch (error) {
      // A cancelled cycle still persists what it recorded: nothing observed is lost.
      if (!options.signal?.aborted) throw error;
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
    await this.persist(recorder, requests, nextState, report, header);
    this.state = nextState;
    return report;
  }

  /** Health and guardrail of a finished cycle (behavior.md §7). */
  private verdict(summary: CycleSummary, durationMs: number): Pick<GatewayState, "health" | "guardrail"> {
    const { thresholds } = this.settings;
    const health = snapshotHealth({
      summary,
      previousFailureStreak: this.state.health.failure_streak,
      cycleDurationMs: Math.round(durationMs),
      nowUnixMs: this.clock(),
    });
    const gate = evaluateGate({ summary, health, thresholds });
    return {
      health,
      guardrail: {
        gate: gate.gate,
        reason_code: gate.reason_code,
        failure_streak_threshold: thresholds.failureStreak,
        retryable_failures_threshold: thresholds.retryableFailures,
        failure_streak: health.failure_streak,
        last_failed_cases: summary.failed_cases,
        last_retryable_failures: summary.retryable_failures,
        updated_unix_ms: health.updated_unix_ms,
      },
    };
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

  /** Order matters for crash safety: a crash may repeat a log entry next run, never lose one. */
  private async persist(
    recorder: CycleRecorder,
    requests: GatewayState["requests"],
    nextState: GatewayState,
    report: CycleReport,
    lastCycleHeader: LastCycleHeader,
  ): Promise<void> {
    // If a frozen runner lost its lock to another one, it must not write over that runner's data
    // (E_LOCKED, exit 5, before the first byte).
    try {
      await this.lock.assertHeld();
    } catch (error) {
      if (EventStoreError.isInstance(error) && error.code === "E_LOCKED") {
        throw new GatewayRuntimeError("E_STATE_LOCKED", error.message, { cause: error });
      }
      throw error;
    }
    // Every actor directory and file is checked before the first write: a refused symlink leaves
    // nothing of this cycle half-written.
    const actorWrites = recorder.actorWrites(requests);
    try {
      for (const writes of actorWrites) await this.channelStore.check(TRANSPORT, writes.actorId);
    } catch (error) {
      throw this.persistError(error);
    }
    // state.json is streamed to its temp file first and renamed in only after the channel store:
    // the order on disk stays channel store -> state.json -> events line, and a state too large to
    // write fails here, before a single channel-store entry exists.
    const stateFile = await prepareStateFile(this.paths.statePath, nextState).catch((error: unknown) => {
      throw this.persistError(error);
    });
    try {
      // Actors are independent files: writing several at once overlaps their fsyncs.
      await forEachOrdered({
        items: actorWrites,
        concurrency: PERSIST_CONCURRENCY,
        work: async (writes) => {
          const ref = { transport: TRANSPORT, channelId: writes.actorId };
          await this.channelStore.appendLog({ ...ref, records: writes.log });
          await this.channelStore.appendContext({ ...ref, records: writes.context });
          if (writes.memory !== undefined) await this.channelStore.writeMemory({ ...ref, text: writes.memory });
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
