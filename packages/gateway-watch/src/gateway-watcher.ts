import { setTimeout as sleep } from "node:timers/promises";
import type { Fixture } from "@tau/gateway-contract";
import {
  GatewayRuntimeError,
  readGatewayStatus,
  simulatedDriver,
  type CycleReport,
  type GatewayDriver,
  type GatewayRuntime,
  type GatewayStatus,
  type RunCycleOptions,
} from "@tau/gateway-runtime";
import { GatewayMetrics } from "./gateway-metrics";
import { timedDriver } from "./timed-driver";
import { evaluateVerdict, type CompletedCycle, type WatchVerdict } from "./verdict";
import { resolveWatchSettings, type WatchSettings, type WatchSettingsInput } from "./watch-settings";

/** How to watch: an open runtime (its lock is held for the whole watch), a fixture, a driver. */
export interface GatewayWatcherOptions {
  runtime: GatewayRuntime;
  fixture: Fixture;
  /** The gateway to verify; the simulated one when absent. */
  driver?: GatewayDriver;
  provenance?: RunCycleOptions["provenance"];
  settings?: WatchSettingsInput;
  /** Wall clock in unix ms; injectable for tests. */
  clock?: () => number;
}

/** After each cycle: its report and the verdict it led to. */
export interface WatchCycleEvent {
  /** 1 for the first cycle of the watch. */
  index: number;
  report: CycleReport;
  verdict: WatchVerdict;
}

/** How a watch ended. */
export interface WatchSummary {
  completedCycles: number;
  /** True when the signal stopped it (the cycle under way, if any, kept its records). */
  interrupted: boolean;
  verdict: WatchVerdict;
}

/** `/status`: the status report of the state dir (absent before the first cycle) plus the verdict. */
export type WatchStatus = Partial<GatewayStatus> & { verdict: WatchVerdict };

/**
 * Runs a cycle every interval against one gateway, re-verifying every queued case each time,
 * and keeps the rollout verdict and the metrics up to date. A failing gateway fails cycles
 * (health failing, gate hold), never the watch; an error of one cycle (say the disk is full)
 * is reported and the watch goes on, its verdict turning stale if it persists.
 */
export class GatewayWatcher {
  readonly settings: WatchSettings;
  readonly metrics: GatewayMetrics;
  private readonly driver: GatewayDriver;
  private readonly clock: () => number;
  private readonly recent: CompletedCycle[] = [];
  private completed = 0;
  private lastStatus: GatewayStatus | undefined;
  private statusRead: { completed: number; done: Promise<void> } | undefined;

  constructor(private readonly options: GatewayWatcherOptions) {
    this.settings = resolveWatchSettings(options.settings);
    this.clock = options.clock ?? Date.now;
    this.metrics = new GatewayMetrics(() => this.verdict().verdict);
    this.driver = timedDriver(options.driver ?? simulatedDriver(), (o) => this.metrics.observeRequest(o));
  }

  /** The verdict now (it turns `gate_stale` as time passes without a completed cycle). */
  verdict(): WatchVerdict {
    return evaluateVerdict({
      recent: this.recent,
      completedCycles: this.completed,
      nowUnixMs: this.clock(),
      settings: this.settings,
    });
  }

  /**
   * The status report as of the last completed cycle, plus the current verdict. Read from disk on
   * demand, once per completed cycle (a 20k-case state takes a few hundred ms to read, which a
   * watch should not pay every cycle when nobody asks); concurrent callers share one read.
   */
  async status(): Promise<WatchStatus> {
    if (this.statusRead?.completed !== this.completed) {
      this.statusRead = { completed: this.completed, done: this.readStatus() };
    }
    await this.statusRead.done;
    return { ...this.lastStatus, verdict: this.verdict() };
  }

  /** Cycles until `count` is reached or `signal` aborts; resolves, never rejects for a cycle's failure. */
  async run(input: {
    signal?: AbortSignal;
    /** Called as each cycle starts (e.g. to open a trace span), with its 1-based index. */
    onCycleStart?: (index: number) => void;
    onCycle?: (event: WatchCycleEvent) => void;
    onCycleError?: (error: unknown) => void;
  } = {}): Promise<WatchSummary> {
    const { signal } = input;
    let index = 0;
    while (!signal?.aborted && (this.settings.count === undefined || index < this.settings.count)) {
      index++;
      input.onCycleStart?.(index);
      const started = performance.now();
      const report = await this.cycle(signal, input.onCycleError);
      if (report && !report.aborted) input.onCycle?.({ index, report, verdict: this.verdict() });
      if (report?.aborted || signal?.aborted) break;
      if (this.settings.count !== undefined && index >= this.settings.count) break;
      const wait = this.settings.intervalMs - (performance.now() - started);
      if (wait > 0) await sleep(wait, undefined, signal ? { signal } : {}).catch(() => undefined);
    }
    return { completedCycles: this.completed, interrupted: signal?.aborted ?? false, verdict: this.verdict() };
  }

  private async cycle(signal: AbortSignal | undefined, onError: ((error: unknown) => void) | undefined): Promise<CycleReport | undefined> {
    const started = performance.now();
    let report: CycleReport;
    try {
      report = await this.options.runtime.runCycle(this.options.fixture, {
        driver: this.driver,
        reverify: true,
        ...(signal ? { signal } : {}),
        ...(this.options.provenance ? { provenance: this.options.provenance } : {}),
      });
    } catch (error) {
      // A closed runtime cannot recover: that one ends the watch.
      if (GatewayRuntimeError.isInstance(error) && error.code === "E_RUNTIME_CLOSED") throw error;
      this.metrics.observeCycleError();
      onError?.(error);
      return undefined;
    }
    const completedUnixMs = this.clock();
    this.metrics.observeCycle(report, { seconds: (performance.now() - started) / 1000, completedUnixMs });
    if (report.aborted) return report;
    this.completed++;
    this.recent.push({ gate: report.gate.gate, reasonCode: report.gate.reason_code, completedUnixMs });
    if (this.recent.length > this.settings.window) this.recent.shift();
    return report;
  }

  private async readStatus(): Promise<void> {
    try {
      this.lastStatus = await readGatewayStatus(this.options.runtime.paths.stateDir);
    } catch {
      // No state yet (before the first cycle) or unreadable: keep the last good report.
    }
  }
}
