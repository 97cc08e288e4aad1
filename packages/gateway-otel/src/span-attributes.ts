import type { GatewayCase } from "@tau/gateway-contract";
import type { CycleReport, DriverResult } from "@tau/gateway-runtime";

/** Attribute values as OpenTelemetry takes them (no OpenTelemetry import here: this file stays cheap). */
export type AttributeMap = Record<string, string | number | boolean>;

/**
 * The cycle span's attributes: what the cycle ran and how it ended. Counters and codes only:
 * no case bodies, no headers, no target URL (which may carry credentials).
 */
export function cycleSpanAttributes(report: CycleReport, extra: { verdict?: string } = {}): AttributeMap {
  const s = report.summary;
  const attributes: AttributeMap = {
    "tau_gateway.fixture.name": report.fixtureName,
    "tau_gateway.driver": report.driver,
    "tau_gateway.cycle.aborted": report.aborted,
    "tau_gateway.cases.discovered": s.discovered_cases,
    "tau_gateway.cases.queued": s.queued_cases,
    "tau_gateway.cases.applied": s.applied_cases,
    "tau_gateway.cases.malformed": s.malformed_cases,
    "tau_gateway.cases.failed": s.failed_cases,
    "tau_gateway.cases.duplicate": s.duplicate_skips,
    "tau_gateway.cases.contract_drift": s.contract_drift_cases,
    "tau_gateway.retry.attempts": s.retry_attempts,
    "tau_gateway.retry.retryable_failures": s.retryable_failures,
    "tau_gateway.gate": report.gate.gate,
    "tau_gateway.gate.reason_code": report.gate.reason_code,
    "tau_gateway.health.state": report.classification.state,
    "tau_gateway.health.failure_streak": report.health.failure_streak,
  };
  if (report.provenance.fixture_sha256 !== null) attributes["tau_gateway.fixture.sha256"] = report.provenance.fixture_sha256;
  if (report.provenance.shard !== null) {
    attributes["tau_gateway.shard.index"] = report.provenance.shard.index;
    attributes["tau_gateway.shard.count"] = report.provenance.shard.count;
  }
  if (extra.verdict !== undefined) attributes["tau_gateway.verdict"] = extra.verdict;
  return attributes;
}

const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

/** `2xx` … `5xx` for an answer, `transport_error` when none came (as @tau/gateway-watch labels its histogram). */
export function statusClass(result: DriverResult): string {
  if (result.outcome === "transport_error") return "transport_error";
  const code = result.status_code;
  return code >= 100 && code <= 599 ? (STATUS_CLASSES[Math.floor(code / 100) - 1] as string) : "other";
}

/** Where the live driver sends requests: host and port only (never userinfo, path or query). */
export function serverAttributes(targetUrl: string | undefined): AttributeMap {
  if (targetUrl === undefined) return {};
  try {
    const url = new URL(targetUrl);
    const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    return { "server.address": url.hostname, "server.port": port };
  } catch {
    return {};
  }
}

/**
 * One attempt's span attributes, after the OpenTelemetry HTTP client conventions
 * (`http.request.method`, `http.response.status_code`, `error.type`, `http.request.resend_count`)
 * plus the runner's own outcome and attempt. The path is the fixture's endpoint without its
 * query string (a query may carry a token); no header or body ever goes in.
 */
export function requestSpanAttributes(input: { gatewayCase: GatewayCase; attempt: number; method: string; result: DriverResult }): AttributeMap {
  const { gatewayCase, attempt, method, result } = input;
  const path = gatewayCase.endpoint.split(/[?#]/, 1)[0] as string;
  const attributes: AttributeMap = {
    "http.request.method": method,
    "url.path": path,
    "tau_gateway.case.id": gatewayCase.case_id,
    "tau_gateway.attempt": attempt,
    "tau_gateway.outcome": result.outcome,
  };
  if (attempt > 1) attributes["http.request.resend_count"] = attempt - 1;
  if (result.outcome === "transport_error") attributes["error.type"] = result.error_code;
  else {
    attributes["http.response.status_code"] = result.status_code;
    if (result.status_code >= 400) attributes["error.type"] = String(result.status_code);
  }
  return attributes;
}
