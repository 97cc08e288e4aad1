// The HTTP driver as it was before it moved to undici's dispatch API (kept verbatim but for its
// imports and name): the reference that http-driver-equivalence.test.ts compares the driver with.
// It used undici's request() with a response stream and an AbortSignal per request.
import {
  encodeHeaderValue,
  LIVE_HEADERS,
  MAX_JSON_DEPTH,
  normalizeMethod,
  withinDepth,
  type GatewayCase,
  type Observed,
} from "@tau/gateway-contract";
import type { Dispatcher, Pool } from "undici";
import {
  createRedactor,
  GatewayRuntimeError,
  MAX_TIMER_MS,
  parseRetryAfter,
  redactUrlUserinfo,
  targetSecrets,
  type DriverResult,
  type GatewayDriver,
  type Redactor,
} from "../../src";

/** How to reach a live gateway. Header values are treated as secrets and never echoed. */
export interface HttpDriverOptions {
  /** `http(s)://host[:port][/prefix]`; `user:password@` in it becomes a Basic Authorization header. */
  targetUrl: string;
  headers?: Record<string, string>;
  /** Per request: connect, headers and body each; default 10000, at most 2^31 − 1. */
  requestTimeoutMs?: number;
  /** Connections kept to the target; match the runner's concurrency. */
  connections?: number;
  /** Largest response body read; a longer one is cut off and observed as too large. Default 8 MiB. */
  maxResponseBytes?: number;
}

/** A driver over HTTP that can be closed (its connection pool). */
export interface HttpDriver extends GatewayDriver {
  /** Replaces the header values and URL userinfo of this target; reuse it for anything printed. */
  readonly redactor: Redactor;
  close(): Promise<void>;
}

/** Default of `maxResponseBytes` (and of `--gateway-max-response-bytes`). */
const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

const RETRYABLE_STATUS = new Set([408, 425, 429]);
const MAX_TEXT = 1024;
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

function invalid(message: string): GatewayRuntimeError {
  return new GatewayRuntimeError("E_INVALID_OPTION", message);
}

function parseTarget(targetUrl: string): URL {
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    // The text may carry a password: never echo its userinfo, even when it does not parse.
    throw invalid(`gateway target URL ${JSON.stringify(redactUrlUserinfo(targetUrl))} is not a valid URL (expected e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid(`gateway target URL must be http:// or https:// (found ${url.protocol})`);
  }
  return url;
}

/** `user:password@` of the URL as a Basic Authorization value, or undefined without userinfo. */
function basicAuthorization(url: URL): string | undefined {
  if (url.username === "" && url.password === "") return undefined;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return `Basic ${Buffer.from(`${decode(url.username)}:${decode(url.password)}`).toString("base64")}`;
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max} (found ${value})`);
  }
  return value;
}

/** Maps an HTTP status to the outcome it means for the contract. */
function outcomeForStatus(status: number): Observed["outcome"] {
  if (status >= 200 && status <= 299) return "success";
  if (RETRYABLE_STATUS.has(status) || status >= 500) return "retryable_failure";
  return "malformed_input";
}

function transportCode(error: unknown, timedOut: boolean): string {
  if (timedOut) return "timeout";
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && TIMEOUT_CODES.has(code)) return "timeout";
  const causeCode = (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof causeCode === "string" ? causeCode : typeof code === "string" ? code : "transport_error";
}

/** A body as read: its text, or why it was not kept. */
type BodyRead = { text: string } | { tooLarge: true };

/**
 * Reads a body up to `maxBytes` while it streams: a body without end costs at most the cap,
 * never what the target sends.
 */
async function readCapped(body: Dispatcher.ResponseData["body"], maxBytes: number): Promise<BodyRead> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxBytes) {
      body.destroy();
      return { tooLarge: true };
    }
    chunks.push(buffer);
  }
  return { text: Buffer.concat(chunks, total).toString("utf8") };
}

/**
 * Builds the observation from a response: JSON body, error code from header or body. A body
 * that is too large, too deep or not JSON is kept out (or cut short) and said so in `note`, so
 * the case drifts or fails with that reason instead of breaking the cycle.
 */
function observe(options: {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  read: BodyRead;
  maxBytes: number;
}): Observed {
  const { status, headers, read, maxBytes } = options;
  const outcome = outcomeForStatus(status);
  let body: unknown = null;
  let note: string | undefined;
  if ("tooLarge" in read) {
    note = `response body is larger than ${maxBytes} bytes (--gateway-max-response-bytes); it was cut off and not kept`;
  } else if (read.text.length > 0) {
    try {
      body = JSON.parse(read.text);
      if (!withinDepth(body, MAX_JSON_DEPTH)) {
        body = null;
        note = `response body nests deeper than ${MAX_JSON_DEPTH} levels (the fixture body limit); it was not kept`;
      }
    } catch {
      const text = read.text;
      body = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}...` : text;
      note = `response body is not JSON (content-type: ${String(headers["content-type"] ?? "none").slice(0, 100)})`;
    }
  }
  const headerCode = headers[LIVE_HEADERS.errorCode];
  const bodyCode = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).error_code : undefined;
  const error_code = typeof headerCode === "string" ? headerCode : typeof bodyCode === "string" ? bodyCode : "";
  return { outcome, status_code: status, error_code, response_body: body, ...(note ? { note } : {}) };
}

/**
 * A live gateway over HTTP (undici connection pool); the engine treats it like any driver.
 * undici is imported on the first request, so simulated-mode embedders and ESM bundles never
 * load it.
 */
export function requestApiDriver(options: HttpDriverOptions): HttpDriver {
  const target = parseTarget(options.targetUrl);
  const prefix = target.pathname.replace(/\/+$/, "");
  const timeout = checkInteger("requestTimeoutMs", options.requestTimeoutMs ?? 10_000, 1, MAX_TIMER_MS);
  const maxBytes = checkInteger("maxResponseBytes", options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, 1, Number.MAX_SAFE_INTEGER);
  const connections = options.connections ?? 8;
  const extra: Record<string, string> = { ...options.headers };
  const basic = basicAuthorization(target);
  if (basic !== undefined) {
    if (Object.keys(extra).some((name) => name.toLowerCase() === "authorization")) {
      throw invalid("give the target's credentials either in the URL (user:password@) or as an Authorization header, not both");
    }
    extra.authorization = basic;
  }
  const redactor = createRedactor(targetSecrets({ targetUrl: options.targetUrl, headers: extra }));
  let pool: Promise<Pool> | undefined;
  const getPool = () =>
    (pool ??= import("undici").then(
      ({ Pool }) => new Pool(target.origin, { connections, headersTimeout: timeout, bodyTimeout: timeout, connectTimeout: timeout }),
    ));

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
      const response = await (await getPool()).request({ path, method: normalizeMethod(gatewayCase.method), headers, body, signal });
      const read = await readCapped(response.body, maxBytes);
      // Secrets leave the observation here, before anything records, compares or prints it.
      const observed = redactor.value(observe({ status: response.statusCode, headers: response.headers, read, maxBytes }));
      const retryAfter = observed.outcome === "retryable_failure" ? parseRetryAfter(headerString(response.headers["retry-after"]), Date.now()) : undefined;
      return retryAfter === undefined ? observed : { ...observed, retry_after_ms: retryAfter };
    } catch (error) {
      if (context.signal?.aborted) throw error;
      const code = transportCode(error, timer.aborted);
      const message = code === "timeout" ? `no answer within ${timeout} ms` : (error as Error).message;
      return {
        outcome: "transport_error",
        error_code: redactor.text(code),
        message: redactor.text(`${normalizeMethod(gatewayCase.method)} ${prefix}${endpoint}: ${message}`),
      };
    }
  }

  return {
    name: "http",
    redactor,
    execute,
    close: async () => {
      if (pool) await (await pool).close();
    },
  };
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
