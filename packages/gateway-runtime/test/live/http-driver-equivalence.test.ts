import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, type GatewayCase } from "@tau/gateway-contract";
import type { DriverResult, HttpDriverOptions } from "../../src";
import { caseOf, closedPort, delay, liveDriver, startServer, successCase, type SeenRequest } from "./live-helpers";
import { requestApiDriver } from "./request-api-driver";

// The driver reads answers through undici's dispatch API; it used to go through request(), a
// response stream and an AbortSignal per request. Whatever a target answers, both must observe
// exactly the same thing (outcome, status, body, note, error code, message), and send exactly the
// same request.

const SECRET = "S3cr3t-token-value";
/** maxResponseBytes of these drivers: above the 1 KiB kept of a non-JSON text, so both limits show. */
const CAP = 4096;

/** Answers by the case id, so one server serves every scenario. */
const SCENARIOS: Record<string, (res: ServerResponse, seen: SeenRequest) => unknown> = {
  json: (res) => res.writeHead(200, { "content-type": "application/json" }).end('{"status":"accepted","n":1}'),
  created: (res, seen) => res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ echoed: seen.body })),
  "empty-204": (res) => res.writeHead(204).end(),
  "header-code": (res) => res.writeHead(405, { "x-tau-error-code": "gateway_unsupported_method" }).end('{"status":"rejected"}'),
  "duplicate-header-code": (res) => {
    res.setHeader("x-tau-error-code", ["first_code", "second_code"]);
    res.writeHead(400).end('{"status":"rejected","error_code":"body_code"}');
  },
  "body-code": (res) => res.writeHead(422).end('{"status":"rejected","error_code":"gateway_invalid_request"}'),
  "retry-after": (res) => res.writeHead(503, { "retry-after": "2" }).end('{"status":"retryable"}'),
  "retry-after-twice": (res) => {
    res.setHeader("retry-after", ["3", "9"]);
    res.writeHead(429).end("{}");
  },
  "retry-after-not-retryable": (res) => res.writeHead(404, { "retry-after": "2" }).end("{}"),
  "not-json": (res) => res.writeHead(200, { "content-type": "text/plain" }).end("plain text, not JSON"),
  "not-json-long": (res) => res.writeHead(500, { "content-type": "text/html" }).end("<p>".repeat(1000)),
  "not-json-two-content-types": (res) => {
    res.setHeader("content-type", ["text/plain", "text/html"]);
    res.writeHead(200).end("<html>");
  },
  "bom-json": (res) => res.writeHead(200).end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"status":"accepted"}')])),
  "chunked-utf8-split": async (res) => {
    // "é" is 0xC3 0xA9: its bytes arrive in two chunks.
    res.writeHead(200, { "content-type": "application/json" });
    res.write(Buffer.from([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xc3]));
    await delay(20);
    res.write(Buffer.from([0xa9, 0x22]));
    await delay(20);
    res.end("}");
  },
  "at-cap": (res) => res.writeHead(200).end(`"${"a".repeat(CAP - 2)}"`),
  "over-cap-declared": (res) => res.writeHead(200, { "content-length": String(2 * CAP) }).end("x".repeat(2 * CAP)),
  "over-cap-chunked": async (res) => {
    res.writeHead(200);
    for (let i = 0; i < 8 && !res.destroyed; i++) {
      res.write("y".repeat(CAP / 4));
      await delay(5);
    }
    res.end();
  },
  "too-deep": (res) => res.writeHead(200).end(`${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`),
  "early-hints": (res) => {
    res.writeEarlyHints({ link: "</style.css>; rel=preload" });
    res.writeHead(200).end('{"status":"accepted"}');
  },
  "echo-secret": (res) =>
    res.writeHead(400, { "x-tau-error-code": `bad_${SECRET}` }).end(JSON.stringify({ [SECRET]: `token ${SECRET}`, list: [SECRET] })),
  "reset-before-headers": (res) => {
    res.socket?.destroy();
  },
  "reset-mid-body": async (res) => {
    res.writeHead(200, { "content-length": "100" });
    res.write("0123456789");
    await delay(20);
    res.socket?.destroy();
  },
  "short-body-then-close": (res) => {
    // Declares more than it sends, then closes cleanly.
    res.writeHead(200, { "content-length": "50", connection: "close" });
    res.socket?.end("HTTP/1.1 200 OK\r\n");
  },
  "no-answer": () => undefined,
  "slow-drip": async (res) => {
    // Every byte comes well within undici's body timeout, the whole never within the deadline.
    res.writeHead(200);
    for (let i = 0; i < 40 && !res.destroyed; i++) {
      res.write(" ");
      await delay(25);
    }
    res.end("{}");
  },
};

async function scenarioServer(): Promise<{ url: string; seen: SeenRequest[] }> {
  const server = await startServer(async (seen, res) => {
    const id = String(seen.headers["x-tau-case-id"] ?? "");
    const scenario = SCENARIOS[id.split(":")[0] ?? ""];
    if (scenario) await scenario(res, seen);
    else res.writeHead(599).end();
  });
  return { url: server.url, seen: server.requests };
}

type Outcome = { result: DriverResult } | { thrown: unknown };

async function outcomeOf(run: () => Promise<DriverResult>): Promise<Outcome> {
  try {
    return { result: await run() };
  } catch (thrown) {
    return { thrown };
  }
}

/** What the driver and the request()-based reference give for one case, one after the other. */
async function both(url: string, gatewayCase: GatewayCase, options: Partial<HttpDriverOptions> = {}) {
  const settings = { targetUrl: url, requestTimeoutMs: 2_000, maxResponseBytes: CAP, ...options };
  const driver = liveDriver(settings);
  const reference = requestApiDriver(settings);
  try {
    const actual = await outcomeOf(() => driver.execute(gatewayCase, { attempt: 1 }));
    const expected = await outcomeOf(() => reference.execute(gatewayCase, { attempt: 1 }));
    return { actual, expected };
  } finally {
    await reference.close();
  }
}

const caseFor = (scenario: string, fields: Parameters<typeof successCase>[1] = {}) => caseOf(successCase(scenario, fields));

/** A case with a method outside the supported set: only a malformed_input expectation allows it. */
const oddMethodCase = (scenario: string, method: string) =>
  caseOf({
    case_id: scenario,
    method,
    endpoint: "/v1/tasks/odd",
    actor_id: "ops-bot",
    expected: { outcome: "malformed_input", status_code: 405, error_code: "gateway_unsupported_method", response_body: { status: "rejected" } },
  });

describe("httpDriver observes exactly what the request()-based driver observed", { timeout: 60_000 }, () => {
  it.each(Object.keys(SCENARIOS).filter((s) => !["no-answer", "slow-drip"].includes(s)))("%s", async (scenario) => {
    const { url } = await scenarioServer();
    const { actual, expected } = await both(url, caseFor(scenario));
    expect("result" in actual).toBe(true);
    expect(actual).toEqual(expected);
  });

  it.each(["no-answer", "slow-drip"])("%s: a transport_error timeout after the request timeout", async (scenario) => {
    const { url } = await scenarioServer();
    const { actual, expected } = await both(url, caseFor(scenario), { requestTimeoutMs: 300 });
    expect(actual).toEqual({ result: { outcome: "transport_error", error_code: "timeout", message: expect.stringContaining("no answer within 300 ms") } });
    expect(actual).toEqual(expected);
  });

  it("sends the same request: method, path with prefix and encoding, headers, body", async () => {
    const { url, seen } = await scenarioServer();
    const gatewayCase = caseOf({
      ...successCase("created", { method: " post ", endpoint: " /v1/tåsks/a b?q=1 ", actor_id: "actör\u00e9", body: { name: "x", n: [1, 2] } }),
      case_id: "created: ünïcode ",
      simulate_retryable_failure: true,
      expected: { outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable", response_body: { status: "retryable" } },
    });
    const { actual, expected } = await both(`${url}/prefix/`, gatewayCase, { headers: { authorization: `Bearer ${SECRET}`, "x-extra": "1" } });
    expect(actual).toEqual(expected);
    expect(seen).toHaveLength(2);
    const [mine, theirs] = seen.map(({ method, url: path, headers, body }) => ({ method, path, headers, body }));
    expect(mine).toEqual(theirs);
    expect(mine?.path).toBe("/prefix/v1/t%C3%A5sks/a%20b?q=1");
  });

  it("carries an endpoint without a leading slash in a header, as before", async () => {
    const { url, seen } = await scenarioServer();
    const { actual, expected } = await both(url, caseFor("json", { endpoint: "no-slash/é" }));
    expect(actual).toEqual(expected);
    expect(seen[0]?.headers).toEqual(seen[1]?.headers);
    expect(seen[0]?.url).toBe("/");
  });

  it("redacts a header value the target echoes, in body, keys and error code", async () => {
    const { url } = await scenarioServer();
    const { actual, expected } = await both(url, caseFor("echo-secret"), { headers: { authorization: `Bearer ${SECRET}` } });
    expect(JSON.stringify(actual)).not.toContain(SECRET);
    expect(actual).toEqual(expected);
  });

  it("reports a refused connection with the same code and message", async () => {
    const port = await closedPort();
    const { actual, expected } = await both(`http://127.0.0.1:${port}/base`, caseFor("json"));
    expect(actual).toMatchObject({ result: { outcome: "transport_error", error_code: "ECONNREFUSED" } });
    expect(actual).toEqual(expected);
  });

  it.each(["CONNECT", "BREW"])("sends (or refuses) the method %s the same way", async (method) => {
    const { url } = await scenarioServer();
    const { actual, expected } = await both(url, oddMethodCase("json", method));
    expect(actual).toEqual(expected);
  });

  it("rejects with the reason of the cycle's signal when it aborts mid-request, as before", async () => {
    const { url } = await scenarioServer();
    const settings = { targetUrl: url, requestTimeoutMs: 5_000 };
    const reference = requestApiDriver(settings);
    for (const driver of [liveDriver(settings), reference]) {
      const controller = new AbortController();
      const reason = new Error("interrupted");
      const pending = driver.execute(caseFor("no-answer"), { attempt: 1, signal: controller.signal });
      setTimeout(() => controller.abort(reason), 50);
      await expect(pending).rejects.toBe(reason);
    }
    await reference.close();
  });

  it("keeps the connections of many concurrent requests apart: every answer belongs to its request", async () => {
    const server = await startServer(async (seen, res) => {
      await delay(Number(seen.headers["x-tau-case-id"]?.toString().slice(1)) % 7);
      res.writeHead(200).end(JSON.stringify({ id: seen.headers["x-tau-case-id"] }));
    });
    const driver = liveDriver({ targetUrl: server.url, connections: 4 });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => driver.execute(caseFor(`c${i}`), { attempt: 1 })));
    expect(results.map((r) => (r as { response_body: { id: string } }).response_body.id)).toEqual(Array.from({ length: 200 }, (_, i) => `c${i}`));
  });
});
