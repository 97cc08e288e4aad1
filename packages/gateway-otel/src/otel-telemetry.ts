import type { Span } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import { normalizeMethod, SUPPORTED_METHODS } from "@tau/gateway-contract";
import type { CycleReport, GatewayDriver } from "@tau/gateway-runtime";
import type { GatewayTelemetry, GatewayTelemetryOptions } from "./gateway-telemetry";
import type { OtelSdk } from "./load-otel-sdk";
import { cycleSpanAttributes, requestSpanAttributes, serverAttributes, statusClass } from "./span-attributes";

const SCOPE = "@tau/gateway-otel";
/**
 * Export timeout when no `OTEL_EXPORTER_OTLP_*TIMEOUT` is set. The SDK's own default (10 s, spent
 * retrying a refused connection) would hold every run that long when the collector is down.
 */
const DEFAULT_EXPORT_TIMEOUT_MS = 1000;
/** Metrics are pushed at each flush (end of `run`, each watch cycle); the periodic push is a fallback. */
const DEFAULT_METRIC_INTERVAL_MS = 60_000;
const KNOWN_METHODS = new Set<string>(SUPPORTED_METHODS);
// The buckets of the Prometheus histograms of @tau/gateway-watch, so both views agree.
const CYCLE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const REQUEST_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// The longest delay a Node timer holds (2^31 - 1 ms), less the margin flush() adds to the export
// timeout. A larger value from the environment is clamped to it: past it Node fires the timer at
// once (and warns on every one), so a huge timeout would mean none.
const MAX_TIMER_MS = 2 ** 31 - 1 - 500;

function positiveInteger(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && value.trim() !== "" && Number.isInteger(n) && n > 0 ? Math.min(n, MAX_TIMER_MS) : undefined;
}

/** The export timeout in force: the standard variables when set (clamped to what a timer holds), else ours. */
function exportTimeoutMs(signal: "TRACES" | "METRICS"): number {
  return positiveInteger(process.env[`OTEL_EXPORTER_OTLP_${signal}_TIMEOUT`]) ?? positiveInteger(process.env.OTEL_EXPORTER_OTLP_TIMEOUT) ?? DEFAULT_EXPORT_TIMEOUT_MS;
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.split(/\r?\n/, 1)[0] as string;
}

/** Reports an exporter's failures (the SDK only logs them to a diag logger nobody set). */
function watchExports<T>(exporter: { export(items: T, done: (result: ExportResult) => void): void }, onResult: (result: ExportResult) => void): void {
  const original = exporter.export.bind(exporter);
  exporter.export = (items, done) =>
    original(items, (result) => {
      onResult(result);
      done(result);
    });
}

/** The SDK-backed telemetry; `sdk` comes from `loadOtelSdk` (only OpenTelemetry types are imported here). */
export function createOtelTelemetry(sdk: OtelSdk, options: GatewayTelemetryOptions): GatewayTelemetry {
  const { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } = sdk.api;
  const { ExportResultCode } = sdk.core;
  const { OTLPMetricExporter } = sdk.metricExporter;
  const { OTLPTraceExporter } = sdk.traceExporter;
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } = sdk.resources;
  const { MeterProvider, PeriodicExportingMetricReader } = sdk.sdkMetrics;
  const { BasicTracerProvider, BatchSpanProcessor } = sdk.sdkTrace;
  // `service.name` defaults to tau-gateway; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ "service.name": "tau-gateway", ...(options.serviceVersion ? { "service.version": options.serviceVersion } : {}) }))
    .merge(detectResources({ detectors: [envDetector] }));

  let failing = false;
  const warn = (error: unknown) => {
    if (failing) return;
    failing = true;
    options.onWarning?.(`OpenTelemetry export failed (${errorText(error)}); the run goes on without it`);
  };
  const onResult = (result: ExportResult) => {
    if (result.code === ExportResultCode.SUCCESS) failing = false;
    else warn(result.error ?? "export rejected");
  };

  const traceTimeout = exportTimeoutMs("TRACES");
  const metricTimeout = exportTimeoutMs("METRICS");
  // Endpoint, headers and compression come from the standard OTEL_EXPORTER_OTLP_* variables.
  // The timeout is always passed: the exporters would read the variables unclamped.
  const traceExporter = new OTLPTraceExporter({ timeoutMillis: traceTimeout });
  const metricExporter = new OTLPMetricExporter({ timeoutMillis: metricTimeout });
  watchExports(traceExporter, onResult);
  watchExports(metricExporter, onResult);

  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(traceExporter)] });
  const interval = positiveInteger(process.env.OTEL_METRIC_EXPORT_INTERVAL) ?? DEFAULT_METRIC_INTERVAL_MS;
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: metricExporter,
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(metricTimeout, interval),
      }),
    ],
  });
  const tracer = tracerProvider.getTracer(SCOPE);
  const meter = meterProvider.getMeter(SCOPE);
  // The metrics of @tau/gateway-watch's Prometheus exposition, in OpenTelemetry naming.
  const cases = meter.createCounter("tau_gateway.cases", { unit: "{case}", description: "Queued cases by outcome: applied, malformed, failed, duplicate." });
  const retries = meter.createCounter("tau_gateway.retry_attempts", { unit: "{attempt}", description: "Attempts made again after a transient failure." });
  const retryable = meter.createCounter("tau_gateway.retryable_failures", { unit: "{failure}", description: "Transient failures observed (503 or transport errors)." });
  const drift = meter.createCounter("tau_gateway.contract_drift_cases", { unit: "{case}", description: "Cases whose answer did not match the contract." });
  const cycles = meter.createCounter("tau_gateway.cycles", { unit: "{cycle}", description: "Cycles by result: completed, interrupted or error." });
  const cycleDuration = meter.createHistogram("tau_gateway.cycle.duration", {
    unit: "s",
    description: "Duration of completed cycles.",
    advice: { explicitBucketBoundaries: CYCLE_BUCKETS },
  });
  const requestDuration = meter.createHistogram("tau_gateway.request.duration", {
    unit: "s",
    description: "Duration of one request to the gateway (one attempt), by method and status class.",
    advice: { explicitBucketBoundaries: REQUEST_BUCKETS },
  });
  const failureStreak = meter.createGauge("tau_gateway.failure_streak", { unit: "{cycle}", description: "Consecutive cycles with failed cases." });
  const health = meter.createGauge("tau_gateway.health", { description: "Health state of the last completed cycle (1 for the current state, 0 for the others)." });
  const gate = meter.createGauge("tau_gateway.gate", { description: "Rollout gate of the last completed cycle (1 for the current gate, 0 for the other)." });
  const verdict = meter.createGauge("tau_gateway.verdict", { description: "Watch verdict after the last cycle (1 for the current verdict, 0 for the others)." });
  const lastCycle = meter.createGauge("tau_gateway.last_cycle.timestamp", { unit: "s", description: "Unix time at which the last completed cycle completed." });

  const server = serverAttributes(options.targetUrl);
  const methodLabels = new Map<string, string>();
  const methodLabel = (method: string): string => {
    let label = methodLabels.get(method);
    if (label === undefined) {
      const normalised = normalizeMethod(method);
      label = KNOWN_METHODS.has(normalised) ? normalised : "OTHER";
      if (methodLabels.size < 64) methodLabels.set(method, label);
    }
    return label;
  };

  let cycleSpan: Span | undefined;
  const openCycle = (): Span => {
    cycleSpan ??= tracer.startSpan("tau_gateway.cycle", { kind: SpanKind.INTERNAL });
    return cycleSpan;
  };

  /** Bounded: a collector that never answers costs at most the export timeout (plus a margin). */
  const bounded = async (work: () => Promise<unknown>): Promise<void> => {
    const limit = Math.max(traceTimeout, metricTimeout) + 500;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        warn(`no answer within ${limit} ms`);
        resolve();
      }, limit);
      timer.unref();
    });
    try {
      await Promise.race([work().catch(warn), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    wrapDriver<D extends GatewayDriver>(driver: D): D {
      const execute: GatewayDriver["execute"] = async (gatewayCase, context) => {
        const started = nowMs();
        const result = await driver.execute(gatewayCase, context);
        const ended = nowMs();
        const method = methodLabel(gatewayCase.method);
        // Made once the attempt is over, with its real start: no span stays open per request.
        const span = tracer.startSpan(
          method === "OTHER" ? "HTTP" : method,
          {
            kind: SpanKind.CLIENT,
            startTime: started,
            attributes: { ...server, ...requestSpanAttributes({ gatewayCase, attempt: context.attempt, method: method === "OTHER" ? "_OTHER" : method, result }) },
          },
          trace.setSpan(ROOT_CONTEXT, openCycle()),
        );
        if (result.outcome === "transport_error" || result.status_code >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end(ended);
        requestDuration.record((ended - started) / 1000, { "http.request.method": method, "tau_gateway.status_class": statusClass(result) });
        return result;
      };
      // Keep every other member (e.g. `close`) of the wrapped driver, bound to it.
      return new Proxy(driver, {
        get(target, key, receiver) {
          if (key === "execute") return execute;
          const value = Reflect.get(target, key, receiver) as unknown;
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    },

    startCycle() {
      cycleSpan?.end();
      cycleSpan = tracer.startSpan("tau_gateway.cycle", { kind: SpanKind.INTERNAL });
    },

    endCycle(report: CycleReport, extra: { verdict?: string } = {}) {
      const span = openCycle();
      cycleSpan = undefined;
      span.setAttributes(cycleSpanAttributes(report, extra));
      span.end();
      const s = report.summary;
      cases.add(s.applied_cases, { outcome: "applied" });
      cases.add(s.malformed_cases, { outcome: "malformed" });
      cases.add(s.failed_cases, { outcome: "failed" });
      cases.add(s.duplicate_skips, { outcome: "duplicate" });
      retries.add(s.retry_attempts);
      retryable.add(s.retryable_failures);
      drift.add(s.contract_drift_cases);
      if (report.aborted) {
        cycles.add(1, { result: "interrupted" });
        return;
      }
      cycles.add(1, { result: "completed" });
      cycleDuration.record(report.health.cycle_duration_ms / 1000);
      failureStreak.record(report.health.failure_streak);
      for (const state of ["healthy", "degraded", "failing"]) health.record(state === report.classification.state ? 1 : 0, { state });
      for (const g of ["pass", "hold"]) gate.record(g === report.gate.gate ? 1 : 0, { gate: g });
      if (extra.verdict !== undefined) {
        for (const v of ["pass", "hold", "inconclusive"]) verdict.record(v === extra.verdict ? 1 : 0, { verdict: v });
      }
      lastCycle.record(report.health.updated_unix_ms / 1000);
    },

    failCycle(error: unknown) {
      const span = openCycle();
      cycleSpan = undefined;
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(error) });
      span.end();
      cycles.add(1, { result: "error" });
    },

    flush() {
      return bounded(() => Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]));
    },

    async shutdown() {
      if (cycleSpan) {
        cycleSpan.setAttribute("tau_gateway.cycle.aborted", true);
        cycleSpan.end();
        cycleSpan = undefined;
      }
      await bounded(() => Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]));
    },
  };
}
