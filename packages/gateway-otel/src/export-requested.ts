/** The variables that point the OTLP/HTTP exporters at a collector (any one of them turns export on). */
export const OTLP_ENDPOINT_VARIABLES = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
] as const;

/**
 * True when an OTLP endpoint is set and `OTEL_SDK_DISABLED` is not `true`. Pure and free of any
 * OpenTelemetry import, so a run without the variables never loads the SDK.
 */
export function otelExportRequested(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? "").trim().toLowerCase() === "true") return false;
  return OTLP_ENDPOINT_VARIABLES.some((name) => (env[name] ?? "").trim() !== "");
}
