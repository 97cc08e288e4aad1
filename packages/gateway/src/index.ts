// The one import for embedders: every public name of the Tau gateway libraries.
export * from "@tau/gateway-contract";
export * from "@tau/gateway-guardrail";
export * from "@tau/event-store";
export * from "@tau/gateway-runtime";
export * from "@tau/gateway-watch";
export * from "@tau/gateway-report";
// No OpenTelemetry module is loaded by this line: the SDK is imported only when an OTLP endpoint is set.
export * from "@tau/gateway-otel";
