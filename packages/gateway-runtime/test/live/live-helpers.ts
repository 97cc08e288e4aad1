import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { evaluateCase, loadFixture, validateFixture, type Fixture, type GatewayCase, type Observed } from "@tau/gateway-contract";
import { onTestFinished } from "vitest";
import { createReferenceGateway } from "@tau/gateway-reference";
import { GatewayRuntime, httpDriver, type HttpDriver, type HttpDriverOptions, type RunnerOptions } from "../../src";

/**
 * Helpers for the live-mode tests: real HTTP servers on loopback, opened and closed inside each
 * test, plus fixtures and readers for the state dir. Nothing here is shared between tests.
 */
export type JsonRecord = Record<string, unknown>;

const FIXTURES_DIR = fileURLToPath(new URL("../../../../fixtures/gateway-contract/", import.meta.url));

/** One of the checked-in example fixtures. */
export function loadSharedFixture(name: "mixed-outcomes" | "rollout-pass"): Promise<Fixture> {
  return loadFixture(join(FIXTURES_DIR, `${name}.json`));
}

/** A fresh empty directory, removed when the current test finishes. */
export async function makeTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gateway-live-test-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** One request as the test server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request's body had arrived. */
  atMs: number;
  /** How many requests with the same x-tau-case-id came before this one, plus one. */
  attempt: number;
}

export type TestHandler = (request: SeenRequest, res: ServerResponse, req: IncomingMessage) => void | Promise<void>;

/** A node:http server on 127.0.0.1, closed when the test finishes; it records what it saw. */
export interface TestServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  /** The most requests the server was answering at the same time. */
  readonly peakInFlight: number;
}

export async function startServer(handler: TestHandler): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const attempts = new Map<string, number>();
  let inFlight = 0;
  let peak = 0;
  const server = createServer(async (req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      inFlight--;
    };
    res.on("close", settle);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const caseId = String(req.headers["x-tau-case-id"] ?? "");
    const attempt = (attempts.get(caseId) ?? 0) + 1;
    attempts.set(caseId, attempt);
    const seen: SeenRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
      atMs: performance.now(),
      attempt,
    };
    requests.push(seen);
    try {
      await handler(seen, res, req);
    } catch (error) {
      if (!res.headersSent) res.writeHead(599).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get peakInFlight() {
      return peak;
    },
  };
}

/** Answers as the simulated gateway would (behavior.md §2), from what travelled over HTTP. */
export function referenceAnswer(request: SeenRequest): Observed {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
  };
  return evaluateCase({
    method: request.method,
    endpoint: decodeURI(request.url),
    actor_id: header("x-tau-actor-id"),
    simulate_retryable_failure: header("x-tau-simulate") === "retryable_failure",
  });
}

/** Sends an observation the way the reference gateway does: JSON body, x-tau-error-code header. */
export function sendObserved(res: ServerResponse, observed: Observed, extraHeaders: Record<string, string> = {}): void {
  const headers: Record<string, string> = { "content-type": "application/json", ...extraHeaders };
  if (observed.error_code) headers["x-tau-error-code"] = observed.error_code;
  res.writeHead(observed.status_code, headers).end(JSON.stringify(observed.response_body));
}

/** The 503 of a backend outage. */
export const BACKEND_UNAVAILABLE: Observed = {
  outcome: "retryable_failure",
  status_code: 503,
  error_code: "gateway_backend_unavailable",
  response_body: { status: "retryable", reason: "backend_unavailable" },
};

/** The reference gateway on a free loopback port, closed when the test finishes. */
export async function startReferenceGateway(): Promise<string> {
  const gateway = createReferenceGateway();
  const url = await gateway.listen({ port: 0 });
  onTestFinished(() => gateway.close());
  return url;
}

/** A loopback port that was just free and is closed again: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An HTTP driver closed when the test finishes. */
export function liveDriver(options: HttpDriverOptions): HttpDriver {
  const driver = httpDriver(options);
  onTestFinished(() => driver.close());
  return driver;
}

/** A runtime closed when the test finishes; warnings are dropped. */
export async function openRuntime(options: RunnerOptions): Promise<GatewayRuntime> {
  const runtime = await GatewayRuntime.open({ onWarning: () => undefined, ...options });
  onTestFinished(() => runtime.close());
  return runtime;
}

const SUCCESS_STATUS: Record<string, number> = { POST: 201, DELETE: 202 };

/** A success case whose expectation is exactly what the simulated gateway answers. */
export function successCase(caseId: string, fields: { method?: string; endpoint?: string; actor_id?: string; body?: JsonRecord | null } = {}): JsonRecord {
  const method = fields.method ?? "GET";
  const endpoint = fields.endpoint ?? `/v1/tasks/${caseId}`;
  const actorId = fields.actor_id ?? "ops-bot";
  const normalised = method.trim().toUpperCase();
  return {
    case_id: caseId,
    method,
    endpoint,
    actor_id: actorId,
    body: fields.body ?? null,
    expected: {
      outcome: "success",
      status_code: SUCCESS_STATUS[normalised] ?? 200,
      response_body: { status: "accepted", method: normalised, endpoint: endpoint.trim(), actor_id: actorId.trim() },
    },
  };
}

/** A case that simulates a backend outage and expects the retryable failure. */
export function retryableCase(caseId: string): JsonRecord {
  return {
    case_id: caseId,
    method: "GET",
    endpoint: `/v1/tasks/${caseId}`,
    actor_id: "ops-bot",
    simulate_retryable_failure: true,
    expected: {
      outcome: "retryable_failure",
      status_code: 503,
      error_code: "gateway_backend_unavailable",
      response_body: { status: "retryable", reason: "backend_unavailable" },
    },
  };
}

/** A validated fixture of the given cases. */
export function fixtureOf(cases: JsonRecord[], name = "live-fixture"): Fixture {
  return validateFixture({ schema_version: 1, name, cases }, `${name}.json`);
}

/** The one validated case of a single-case fixture. */
export function caseOf(raw: JsonRecord): GatewayCase {
  return fixtureOf([raw]).cases[0] as GatewayCase;
}

/** The parsed non-blank lines of a JSONL file. */
export async function readJsonLines(path: string): Promise<JsonRecord[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as JsonRecord);
}

// last-cycle.jsonl adds per-case durations, the cycle's start and end, and the driver's name.
const TIME_KEYS = new Set([
  "timestamp_unix_ms",
  "updated_unix_ms",
  "cycle_duration_ms",
  "duration_ms",
  "started_unix_ms",
  "finished_unix_ms",
  "driver",
]);

/** `value` without wall-clock fields (and the driver's name), so two runs can be compared exactly. */
export function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !TIME_KEYS.has(key))
        .map(([key, v]) => [key, withoutTimes(v)]),
    );
  }
  return value;
}

/** Every file under `dir` as relative path → text, time fields stripped from JSON(L) files. */
export async function stateSnapshot(dir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const relative = path.slice(dir.length + 1);
    // The state-dir lock holds a pid and time: not part of what a cycle records.
    if (entry.name === ".lock") continue;
    const text = await readFile(path, "utf8");
    if (relative.endsWith(".jsonl")) out[relative] = (await readJsonLines(path)).map(withoutTimes);
    else if (relative.endsWith(".json")) out[relative] = withoutTimes(JSON.parse(text));
    else out[relative] = text;
  }
  return out;
}

/** Waits `ms` milliseconds. */
export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
