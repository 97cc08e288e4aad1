/**
 * Loads the OpenTelemetry SDK and exporters. Dynamic imports, kept as such in both builds (a
 * static import would be hoisted into the bundle's header): only a command that exports pays.
 */
export async function loadOtelSdk(): Promise<OtelSdk> {
  const [api, core, metricExporter, traceExporter, resources, sdkMetrics, sdkTrace] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/core"),
    import("@opentelemetry/exporter-metrics-otlp-http"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/sdk-metrics"),
    import("@opentelemetry/sdk-trace-base"),
  ]);
  return { api, core, metricExporter, traceExporter, resources, sdkMetrics, sdkTrace };
}

/** The modules, typed by name (an inferred type would expose the SDK's private members). */
export interface OtelSdk {
  api: typeof import("@opentelemetry/api");
  core: typeof import("@opentelemetry/core");
  metricExporter: typeof import("@opentelemetry/exporter-metrics-otlp-http");
  traceExporter: typeof import("@opentelemetry/exporter-trace-otlp-http");
  resources: typeof import("@opentelemetry/resources");
  sdkMetrics: typeof import("@opentelemetry/sdk-metrics");
  sdkTrace: typeof import("@opentelemetry/sdk-trace-base");
}
