import { encodeHeaderValue, LIVE_HEADERS, normalizeMethod, type GatewayCase, type Observed } from "@tau/gateway-contract";
import { Pool, errors as undiciErrors } from "undici";
import type { DriverResult, GatewayDriver } from "./driver";
import { GatewayRuntimeError } from "../errors";
import { parseRetryAfter } from "./retry-after";

/** How to reach a live gateway. Header values are treated as secrets and never echoed. */
export interface HttpDriverOptions {
  targetUrl: string;
  headers?: Record<string, string>;
  /** Per request: connect, headers and body each; default 10000. */
  requestTimeoutMs?: number;
  /** Connections kept to the target; match the runner's concurrency. */
  connections?: number;
}

/** A driver over HTTP that can be closed (its connection pool). */
export interface HttpDriver extends GatewayDriver {
  close(): Promise<void>;
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);
const MAX_TEXT = 1024;

function parseTarget(targetUrl: string): URL {
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    throw new GatewayRuntimeError("E_INVALID_OPTION", `gateway target URL ${JSON.stringify(targetUrl)} is not a valid URL (expected e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new GatewayRuntimeError("E_INVALID_OPTION", `gateway target URL must be http:// or https:// (found ${url.protocol})`);
  }
  return url;
}

/** Maps an HTTP status to the outcome it means for the contract. */
export function outcomeForStatus(status: number): Observed["outcome"] {
  if (status >= 200 && status <= 299) return "success";
  if (RETRYABLE_STATUS.has(status) || status >= 500) return "retryable_failure";
  return "malformed_input";
}

function redactor(secrets: readonly string[]): (text: string) => string {
  const values = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => values.reduce((out, secret) => out.split(secret).join("***"), text);
}

function transportCode(error: unknown, timedOut: boolean): string {
  if (timedOut) return "timeout";
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError || error instanceof undiciErrors.ConnectTimeoutError) return "timeout";
  const code = (error as { code?: unknown }).code;
  const causeCode = (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof causeCode === "string" ? causeCode : typeof code === "string" ? code : "transport_error";
}

/** Builds the observation from a response: JSON body, error code from header or body. */
function observe(status: number, headers: Record<string, string | string[] | undefined>, text: string): Observed {
  const outcome = outcomeForStatus(status);
  let body: unknown = null;
  let note: string | undefined;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}...` : text;
      note = `response body is not JSON (content-type: ${String(headers["content-type"] ?? "none")})`;
    }
  }
  const headerCode = headers[LIVE_HEADERS.errorCode];
  const bodyCode = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).error_code : undefined;
  const error_code = typeof headerCode === "string" ? headerCode : typeof bodyCode === "string" ? bodyCode : "";
  return { outcome, status_code: status, error_code, response_body: body, ...(note ? { note } : {}) };
}

/** A live gateway over HTTP (undici connection pool); the engine treats it like any driver. */
export function httpDriver(options: HttpDriverOptions): HttpDriver {
  const target = parseTarget(options.targetUrl);
  const prefix = target.pathname.replace(/\/+$/, "");
  const timeout = options.requestTimeoutMs ?? 10_000;
  const extra = options.headers ?? {};
  const redact = redactor(Object.values(extra));
  const pool = new Pool(target.origin, {
    connections: options.connections ?? 8,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connectTimeout: timeout,
  });

  async function execute(gatewayCase: GatewayCase, context: { attempt: number; signal?: AbortSignal }): Promise<DriverResult> {
    const endpoint = gatewayCase.endpoint.trim();
    const headers: Record<string, string> = { ...extra, accept: "application/json" };
    const actor = encodeHeaderValue(gatewayCase.actor_id);
    headers[LIVE_HEADERS.actorId] = actor.value;
    if (actor.encoded) headers[LIVE_HEADERS.actorIdEncoding] = "percent";
    const caseId = encodeHeaderValue(gatewayCase.case_id.trim());
    headers[LIVE_HEADERS.caseId] = caseId.value;
    if (caseId.encoded) headers[LIVE_HEADERS.caseIdEncoding] = "percent";
    if (gatewayCase.simulate_retryable_failure) headers[LIVE_HEADERS.simulate] = "retryable_failure";
    // An endpoint without a leading slash cannot travel as a request path; carry it verbatim.
    if (!endpoint.startsWith("/")) headers[LIVE_HEADERS.endpoint] = encodeURIComponent(endpoint);
    const path = `${prefix}${endpoint.startsWith("/") ? encodeURI(decodeSafe(endpoint)) : "/"}`;
    const body = gatewayCase.body === null ? undefined : JSON.stringify(gatewayCase.body);
    if (body !== undefined) headers["content-type"] = "application/json";

    const timer = AbortSignal.timeout(timeout);
    const signal = context.signal ? AbortSignal.any([context.signal, timer]) : timer;
    try {
      const response = await pool.request({ path, method: normalizeMethod(gatewayCase.method), headers, body, signal });
      const text = await response.body.text();
      const observed = observe(response.statusCode, response.headers, text);
      const retryAfter = observed.outcome === "retryable_failure" ? parseRetryAfter(headerString(response.headers["retry-after"]), Date.now()) : undefined;
      return retryAfter === undefined ? observed : { ...observed, retry_after_ms: retryAfter };
    } catch (error) {
      if (context.signal?.aborted) throw error;
      const code = transportCode(error, timer.aborted);
      const message = code === "timeout" ? `no answer within ${timeout} ms` : (error as Error).message;
      return { outcome: "transport_error", error_code: code, message: redact(`${normalizeMethod(gatewayCase.method)} ${prefix}${endpoint}: ${message}`) };
    }
  }

  return { name: "http", execute, close: () => pool.close() };
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decodeSafe(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}
