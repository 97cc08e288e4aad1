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
import { MAX_TIMER_MS } from "../cycle/backoff";
import type { DriverResult, GatewayDriver } from "./driver";
import { GatewayRuntimeError } from "../errors";
import { createRedactor, redactUrlUserinfo, targetSecrets, type Redactor } from "../output/redactor";
import { parseRetryAfter } from "./retry-after";

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
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

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
export function outcomeForStatus(status: number): Observed["outcome"] {
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

/** One answer as received: status, parsed headers, body. */
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  read: BodyRead;
}

/** What the driver takes from undici once it is loaded. */
interface Undici {
  pool: Pool;
  InvalidArgumentError: new (message: string) => Error;
}

/**
 * Collects one answer for `Pool.dispatch`, the handler interface that undici's own `request()`
 * is built on, without what this driver never needs per request: a response stream, its async
 * iterator, an AbortSignal. It gives exactly what `request()` and reading the body up to the cap
 * gave: the same parsed headers, the same body text, the same errors (undici's, or the reason of
 * a cancel); test/live/http-driver-equivalence.test.ts compares the two.
 * A body is kept only up to `maxBytes` while it streams: one without end costs at most the cap.
 */
class AnswerCollector implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private reason: Error | undefined;
  private settled = false;
  private status = 0;
  private headers: Answer["headers"] = {};
  private chunks: Buffer[] = [];
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (error: unknown) => void,
    private readonly onSettled: (collector: AnswerCollector) => void,
  ) {}

  /** Ends the request with `reason` (deadline, or the cycle's signal): at once if sent, else as soon as it is. */
  cancel(reason: Error): void {
    if (this.settled) return;
    if (this.controller) this.controller.abort(reason);
    else this.reason ??= reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.reason) {
      controller.abort(this.reason);
      return;
    }
    this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Answer["headers"]): void {
    // 1xx answers are informational: the real one follows.
    if (statusCode < 200) return;
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.total += chunk.length;
    if (this.total > this.maxBytes) {
      this.settle();
      this.resolve({ status: this.status, headers: this.headers, read: { tooLarge: true } });
      // Drops the connection: the rest of the body is never read.
      controller.abort(new Error("response body over the cap"));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settle();
    const { chunks, total } = this;
    // One chunk (most answers) is decoded where it is; several are joined first.
    const text = chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks, total).toString("utf8");
    this.resolve({ status: this.status, headers: this.headers, read: { text } });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.settled) return;
    this.settle();
    this.reject(error);
  }

  private settle(): void {
    this.settled = true;
    this.onSettled(this);
  }
}

/**
 * Cancels in-flight requests when the cycle's signal aborts: one listener per signal, not one
 * per request (a cycle sends tens of thousands).
 */
class SignalWatch {
  private readonly inFlight = new WeakMap<AbortSignal, Set<AnswerCollector>>();

  add(signal: AbortSignal, collector: AnswerCollector): void {
    let collectors = this.inFlight.get(signal);
    if (!collectors) {
      const set = new Set<AnswerCollector>();
      collectors = set;
      this.inFlight.set(signal, set);
      signal.addEventListener(
        "abort",
        () => {
          const reason = abortReason(signal);
          for (const collector of [...set]) collector.cancel(reason);
        },
        { once: true },
      );
    }
    if (signal.aborted) collector.cancel(abortReason(signal));
    collectors.add(collector);
  }

  delete(signal: AbortSignal, collector: AnswerCollector): void {
    this.inFlight.get(signal)?.delete(collector);
  }
}

/** What an aborted signal ends a request with (as undici's own `request()` does). */
function abortReason(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new Error("Request aborted");
}

/** The reason of a request cut off by the per-request deadline (only its being a timeout is kept). */
function deadlineError(timeoutMs: number): Error {
  return new DOMException(`The operation was aborted due to timeout (${timeoutMs} ms)`, "TimeoutError");
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
export function httpDriver(options: HttpDriverOptions): HttpDriver {
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
  let undici: Promise<Undici> | undefined;
  const loadUndici = () =>
    (undici ??= import("undici").then(({ Pool, errors }) => ({
      pool: new Pool(target.origin, { connections, headersTimeout: timeout, bodyTimeout: timeout, connectTimeout: timeout }),
      InvalidArgumentError: errors.InvalidArgumentError,
    })));
  const signals = new SignalWatch();

  /**
   * Sends one request and reads its answer, all of it within `timeout` ms (on top of undici's
   * connect, headers and body timeouts, which each restart); rejects with undici's error, the
   * deadline's, or the reason of `signal`.
   */
  async function send(options: {
    path: string;
    method: string;
    headers: Record<string, string>;
    body: string | undefined;
    signal: AbortSignal | undefined;
    onDeadline: () => void;
  }): Promise<Answer> {
    const { signal } = options;
    // Started before undici loads, as the deadline always was: the first request's includes the load.
    const deadline = setTimeout(() => {
      options.onDeadline();
      collector.cancel(deadlineError(timeout));
    }, timeout);
    // Like AbortSignal.timeout: a pending deadline alone does not keep the process alive.
    deadline.unref();
    let collector!: AnswerCollector;
    const answer = new Promise<Answer>((resolve, reject) => {
      collector = new AnswerCollector(maxBytes, resolve, reject, (done) => {
        clearTimeout(deadline);
        if (signal) signals.delete(signal, done);
      });
    });
    if (signal) signals.add(signal, collector);
    let loaded: Undici;
    try {
      loaded = await loadUndici();
    } catch (error) {
      collector.onResponseError(undefined, error as Error);
      return answer;
    }
    const { path, method, headers, body } = options;
    // undici's request() refuses CONNECT (a tunnel, not an answer): the same error as before.
    if (method === "CONNECT") collector.onResponseError(undefined, new loaded.InvalidArgumentError("invalid method"));
    else loaded.pool.dispatch({ path, method: method as Dispatcher.HttpMethod, headers, body }, collector);
    return answer;
  }

  async function execute(gatewayCase: GatewayCase, context: { attempt: number; signal?: AbortSignal }): Promise<DriverResult> {
    const endpoint = gatewayCase.endpoint.trim();
    const method = normalizeMethod(gatewayCase.method);
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

    let timedOut = false;
    try {
      const { status, headers: answerHeaders, read } = await send({
        path,
        method,
        headers,
        body,
        signal: context.signal,
        onDeadline: () => {
          timedOut = true;
        },
      });
      // Secrets leave the observation here, before anything records, compares or prints it.
      const observed = redactor.value(observe({ status, headers: answerHeaders, read, maxBytes }));
      const retryAfter = observed.outcome === "retryable_failure" ? parseRetryAfter(headerString(answerHeaders["retry-after"]), Date.now()) : undefined;
      return retryAfter === undefined ? observed : { ...observed, retry_after_ms: retryAfter };
    } catch (error) {
      if (context.signal?.aborted) throw error;
      const code = transportCode(error, timedOut);
      const message = code === "timeout" ? `no answer within ${timeout} ms` : (error as Error).message;
      return {
        outcome: "transport_error",
        error_code: redactor.text(code),
        message: redactor.text(`${method} ${prefix}${endpoint}: ${message}`),
      };
    }
  }

  return {
    name: "http",
    redactor,
    execute,
    close: async () => {
      if (undici) await (await undici).pool.close();
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
