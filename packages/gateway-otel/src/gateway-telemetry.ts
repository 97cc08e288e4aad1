import type { CycleReport, GatewayDriver } from "@tau/gateway-runtime";
import { otelExportRequested } from "./export-requested";
import { loadOtelSdk } from "./load-otel-sdk";
import { createOtelTelemetry } from "./otel-telemetry";

/** What a command does with OpenTelemetry: one span per cycle, one child span per live request, metrics. */
export interface GatewayTelemetry {
  /** Wraps a live driver: each attempt becomes a child span of the open cycle span and a histogram observation. */
  wrapDriver<D extends GatewayDriver>(driver: D): D;
  /** Opens the span of the cycle about to run (the parent of the request spans that follow). */
  startCycle(): void;
  /** Ends the cycle span with the report's attributes and records the cycle's metrics. */
  endCycle(report: CycleReport, extra?: { verdict?: string }): void;
  /** Ends the cycle span as failed (the cycle threw, e.g. the state dir could not be written). */
  failCycle(error: unknown): void;
  /** Exports what is buffered; never rejects and resolves within the export timeout. */
  flush(): Promise<void>;
  /** Ends an open cycle span (as interrupted), flushes and stops; never rejects, bounded by the export timeout. */
  shutdown(): Promise<void>;
}

export interface GatewayTelemetryOptions {
  /** Where to read `OTEL_*` from for the on/off decision; the exporters themselves read `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Called with one line (no newline) when an export fails; once until an export succeeds again. */
  onWarning?: (message: string) => void;
  /** The live target, for `server.address` / `server.port` of request spans (credentials are never read). */
  targetUrl?: string;
  /** `service.version` of the resource, e.g. the CLI's version. */
  serviceVersion?: string;
}

/**
 * Starts OTLP/HTTP export when `OTEL_EXPORTER_OTLP_ENDPOINT` (or a per-signal endpoint) is set
 * and `OTEL_SDK_DISABLED` is not `true`; otherwise resolves to `undefined` without loading any
 * OpenTelemetry module, so runs without the variables pay nothing.
 */
export async function startGatewayTelemetry(options: GatewayTelemetryOptions = {}): Promise<GatewayTelemetry | undefined> {
  if (!otelExportRequested(options.env ?? process.env)) return undefined;
  try {
    return createOtelTelemetry(await loadOtelSdk(), options);
  } catch (error) {
    // A configuration the SDK refuses (say a malformed OTEL_EXPORTER_OTLP_HEADERS) must not cost the run.
    options.onWarning?.(`OpenTelemetry export is off: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
