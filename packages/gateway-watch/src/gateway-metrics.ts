import { Counter, Gauge, Histogram, Registry, type Metric } from "prom-client";
import type { HealthState } from "@tau/gateway-guardrail";
import type { CycleReport } from "@tau/gateway-runtime";
import { RequestDurationHistogram } from "./request-duration-histogram";
import { WATCH_VERDICTS, type WatchVerdictValue } from "./verdict";

const PREFIX = "tau_gateway_";
const HEALTH_STATES: readonly HealthState[] = ["healthy", "degraded", "failing"];

/** How a cycle ended, as the `result` label of `tau_gateway_cycles_total`. */
export type CycleResult = "completed" | "interrupted" | "error";

/** One live request for the request-duration histogram (labels are bounded sets). */
export interface RequestObservation {
  /** Upper-cased method; anything outside the supported set is counted as `OTHER`. */
  method: string;
  /** `2xx` … `5xx`, or `transport_error` when no answer came. */
  statusClass: string;
  seconds: number;
}

/**
 * The Prometheus metrics of a runner, on a registry of its own (never prom-client's global one,
 * which would leak between embedders and tests). Names follow Prometheus practice: base units,
 * `_total` counters, and no case or actor labels, so the series count stays fixed.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly cases = new Counter({
    name: `${PREFIX}cases_total`,
    help: "Queued cases by outcome: applied, malformed, failed (retries exhausted, transport error or drift), duplicate (skipped).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: `${PREFIX}retry_attempts_total`,
    help: "Attempts made again after a transient failure.",
    registers: [this.registry],
  });
  private readonly retryableFailures = new Counter({
    name: `${PREFIX}retryable_failures_total`,
    help: "Transient failures observed (503 or transport errors), retried or not.",
    registers: [this.registry],
  });
  private readonly drift = new Counter({
    name: `${PREFIX}contract_drift_cases_total`,
    help: "Cases whose answer did not match the contract.",
    registers: [this.registry],
  });
  private readonly cycles = new Counter({
    name: `${PREFIX}cycles_total`,
    help: "Cycles by result: completed, interrupted (records kept, not counted as completed) or error.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  private readonly cycleDuration = new Histogram({
    name: `${PREFIX}cycle_duration_seconds`,
    help: "Duration of completed cycles.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  // Registered here, between the others, so the exposition keeps its order.
  private readonly requestDuration = this.register(
    new RequestDurationHistogram(
      `${PREFIX}request_duration_seconds`,
      "Duration of one request to the gateway (one attempt), by method and status class.",
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
  );
  private readonly failureStreak = new Gauge({
    name: `${PREFIX}failure_streak`,
    help: "Consecutive cycles with failed cases, as of the last completed cycle.",
    registers: [this.registry],
  });
  private readonly health = new Gauge({
    name: `${PREFIX}health`,
    help: "Health state of the last completed cycle (state set: 1 for the current state, 0 for the others).",
    labelNames: ["state"] as const,
    registers: [this.registry],
  });
  private readonly verdict = new Gauge({
    name: `${PREFIX}verdict`,
    help: "Rollout verdict (state set: 1 for the current verdict, 0 for the others).",
    labelNames: ["verdict"] as const,
    registers: [this.registry],
  });
  private readonly lastCycle = new Gauge({
    name: `${PREFIX}last_cycle_timestamp_seconds`,
    help: "Unix time at which the last completed cycle completed.",
    registers: [this.registry],
  });

  /**
   * @param currentVerdict read at each scrape, so a verdict that goes stale between cycles
   *   shows as such without a cycle having to run.
   */
  constructor(currentVerdict?: () => WatchVerdictValue) {
    for (const outcome of ["applied", "malformed", "failed", "duplicate"]) this.cases.inc({ outcome }, 0);
    for (const result of ["completed", "interrupted", "error"]) this.cycles.inc({ result }, 0);
    this.setVerdict("inconclusive");
    if (currentVerdict) {
      const gauge = this.verdict as Gauge<"verdict"> & { collect?: () => void };
      // prom-client calls `collect` before every scrape of this metric.
      Object.assign(gauge, { collect: () => this.setVerdict(currentVerdict()) });
    }
  }

  /** Adds one cycle's counters; a completed cycle also sets duration, streak, health and time. */
  observeCycle(report: CycleReport, input: { seconds: number; completedUnixMs: number }): void {
    const s = report.summary;
    this.cases.inc({ outcome: "applied" }, s.applied_cases);
    this.cases.inc({ outcome: "malformed" }, s.malformed_cases);
    this.cases.inc({ outcome: "failed" }, s.failed_cases);
    this.cases.inc({ outcome: "duplicate" }, s.duplicate_skips);
    this.retries.inc(s.retry_attempts);
    this.retryableFailures.inc(s.retryable_failures);
    this.drift.inc(s.contract_drift_cases);
    if (report.aborted) {
      this.cycles.inc({ result: "interrupted" });
      return;
    }
    this.cycles.inc({ result: "completed" });
    this.cycleDuration.observe(input.seconds);
    this.failureStreak.set(report.health.failure_streak);
    for (const state of HEALTH_STATES) this.health.set({ state }, state === report.classification.state ? 1 : 0);
    this.lastCycle.set(input.completedUnixMs / 1000);
  }

  private register<M extends RequestDurationHistogram>(metric: M): M {
    this.registry.registerMetric(metric as unknown as Metric);
    return metric;
  }

  /** Counts a cycle that failed with an error (e.g. the state dir could not be written). */
  observeCycleError(): void {
    this.cycles.inc({ result: "error" });
  }

  observeRequest(observation: RequestObservation): void {
    this.requestDuration.observe(observation.method, observation.statusClass, observation.seconds);
  }

  setVerdict(current: WatchVerdictValue): void {
    for (const v of WATCH_VERDICTS) this.verdict.set({ verdict: v }, v === current ? 1 : 0);
  }

  /** The Prometheus text exposition (format 0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
