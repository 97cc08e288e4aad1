export { OTLP_ENDPOINT_VARIABLES, otelExportRequested } from "./export-requested";
export { startGatewayTelemetry } from "./gateway-telemetry";
export type { GatewayTelemetry, GatewayTelemetryOptions } from "./gateway-telemetry";
export { cycleSpanAttributes, requestSpanAttributes, serverAttributes } from "./span-attributes";
export type { AttributeMap } from "./span-attributes";
