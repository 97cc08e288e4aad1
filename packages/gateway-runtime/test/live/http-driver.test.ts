import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import type { DriverResult } from "../../src";
import {
  caseOf,
  closedPort,
  liveDriver,
  retryableCase,
  startServer,
  successCase,
  type SeenRequest,
} from "./live-helpers";

/** A server that answers every request with `status`, optional headers and a JSON body. */
async function answering(status: number, options: { headers?: Record<string, string>; body?: string } = {}) {
  return startServer((_request, res) => {
    res.writeHead(status, { "content-type": "application/json", ...options.headers }).end(options.body ?? "");
  });
}

async function executeOnce(url: string, raw = successCase("c1"), headers: Record<string, string> = {}): Promise<DriverResult> {
  const driver = liveDriver({ targetUrl: url, headers, requestTimeoutMs: 2_000 });
  return driver.execute(caseOf(raw), { attempt: 1 });
}

describe("httpDriver status mapping", () => {
  it.each([200, 201, 204])("maps %i to success", async (status) => {
    const server = await answering(status, { body: status === 204 ? "" : '{"status":"accepted"}' });
    const result = await executeOnce(server.url);
    expect(result).toMatchObject({ outcome: "success", status_code: status, error_code: "" });
    if (status === 204) expect(result).toMatchObject({ response_body: null });
    else expect(result).toMatchObject({ response_body: { status: "accepted" } });
  });

  it.each([400, 404, 405, 422])("maps %i to malformed_input", async (status) => {
    const server = await answering(status, { body: '{"status":"rejected"}' });
    expect(await executeOnce(server.url)).toMatchObject({ outcome: "malformed_input", status_code: status, response_body: { status: "rejected" } });
  });

  it.each([408, 425, 429, 500, 502, 503])("maps %i to retryable_failure", async (status) => {
    const server = await answering(status, { body: '{"status":"retryable"}' });
    expect(await executeOnce(server.url)).toMatchObject({ outcome: "retryable_failure", status_code: status });
  });

  it("does not follow a 3xx redirect: it is a non-retryable answer (malformed_input) with its own status", async () => {
    const target = await answering(200, { body: '{"status":"accepted"}' });
    const server = await answering(302, { headers: { location: `${target.url}/elsewhere` }, body: "{}" });
    expect(await executeOnce(server.url)).toMatchObject({ outcome: "malformed_input", status_code: 302 });
    expect(target.requests).toHaveLength(0);
  });
});

describe("httpDriver error codes", () => {
  it("takes the error code from the x-tau-error-code header", async () => {
    const server = await answering(405, { headers: { "x-tau-error-code": "gateway_unsupported_method" }, body: '{"status":"rejected"}' });
    expect(await executeOnce(server.url)).toMatchObject({ error_code: "gateway_unsupported_method" });
  });

  it("takes the error code from the body's error_code when there is no header", async () => {
    const server = await answering(400, { body: '{"status":"rejected","error_code":"gateway_invalid_request"}' });
    const result = await executeOnce(server.url);
    expect(result).toMatchObject({ error_code: "gateway_invalid_request", response_body: { error_code: "gateway_invalid_request" } });
  });

  it("prefers the header over the body when both name a code", async () => {
    const server = await answering(503, {
      headers: { "x-tau-error-code": "gateway_backend_unavailable" },
      body: '{"error_code":"gateway_invalid_request"}',
    });
    expect(await executeOnce(server.url)).toMatchObject({ error_code: "gateway_backend_unavailable" });
  });

  it("reports an empty error code when neither names one", async () => {
    const server = await answering(500, { body: '{"status":"broken"}' });
    expect(await executeOnce(server.url)).toMatchObject({ outcome: "retryable_failure", error_code: "" });
  });
});

describe("httpDriver request shape", () => {
  async function captured(raw: Record<string, unknown>, options: { targetPath?: string; headers?: Record<string, string> } = {}): Promise<SeenRequest> {
    const server = await answering(200, { body: "{}" });
    await executeOnce(`${server.url}${options.targetPath ?? ""}`, raw, options.headers);
    expect(server.requests).toHaveLength(1);
    return server.requests[0] as SeenRequest;
  }

  it("sends the upper-cased method to the target path prefix plus the endpoint, with a JSON body", async () => {
    const seen = await captured(successCase("create", { method: " post ", endpoint: "/v1/tasks", body: { task: "deploy", ring: 1 } }), {
      targetPath: "/api/",
    });
    expect(seen.method).toBe("POST");
    expect(seen.url).toBe("/api/v1/tasks");
    expect(seen.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen.body)).toEqual({ task: "deploy", ring: 1 });
  });

  it("sends neither a body nor a content-type when the case body is null", async () => {
    const seen = await captured(successCase("read", { method: "get", endpoint: "/v1/tasks/7" }));
    expect(seen.method).toBe("GET");
    expect(seen.url).toBe("/v1/tasks/7");
    expect(seen.body).toBe("");
    expect(seen.headers["content-type"]).toBeUndefined();
  });

  it("carries the actor and case ids in x-tau-* headers and x-tau-simulate only for a simulated failure", async () => {
    const plain = await captured(successCase("plain-case", { actor_id: "release-bot" }));
    expect(plain.headers["x-tau-actor-id"]).toBe("release-bot");
    expect(plain.headers["x-tau-case-id"]).toBe("plain-case");
    expect(plain.headers["x-tau-simulate"]).toBeUndefined();

    const simulated = await captured(retryableCase("outage-case"));
    expect(simulated.headers["x-tau-simulate"]).toBe("retryable_failure");
    expect(simulated.headers["x-tau-case-id"]).toBe("outage-case");
  });

  it("sends the extra headers it was given", async () => {
    const seen = await captured(successCase("auth"), { headers: { Authorization: "Bearer token-123", "X-Tenant": "blue" } });
    expect(seen.headers.authorization).toBe("Bearer token-123");
    expect(seen.headers["x-tenant"]).toBe("blue");
    expect(seen.headers.accept).toBe("application/json");
  });
});

describe("httpDriver Retry-After", () => {
  it("reads delta-seconds into retry_after_ms", async () => {
    const server = await answering(503, { headers: { "retry-after": "3" }, body: "{}" });
    expect(await executeOnce(server.url)).toMatchObject({ outcome: "retryable_failure", retry_after_ms: 3000 });
  });

  it("reads an HTTP date into the milliseconds left until it", async () => {
    const when = new Date(Date.now() + 5_000).toUTCString();
    const server = await answering(429, { headers: { "retry-after": when }, body: "{}" });
    const result = await executeOnce(server.url);
    // HTTP dates have whole seconds: the wait is somewhat under 5 s, never more.
    expect(result.retry_after_ms).toBeGreaterThan(3_000);
    expect(result.retry_after_ms).toBeLessThanOrEqual(5_000);
  });

  it("ignores Retry-After on an answer that is not retryable", async () => {
    const server = await answering(200, { headers: { "retry-after": "3" }, body: "{}" });
    expect(await executeOnce(server.url)).not.toHaveProperty("retry_after_ms");
  });
});

describe("httpDriver transport errors", () => {
  it("gives up on a server that never answers after the request timeout: transport_error timeout", async () => {
    const server = await startServer(() => undefined);
    const driver = liveDriver({ targetUrl: server.url, requestTimeoutMs: 200 });
    const started = performance.now();
    const result = await driver.execute(caseOf(successCase("slow")), { attempt: 1 });
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ outcome: "transport_error", error_code: "timeout" });
    expect(result.outcome === "transport_error" && result.message).toContain("200 ms");
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(3_000);
    expect(server.requests).toHaveLength(1);
  });

  it("reports a refused connection as transport_error ECONNREFUSED", async () => {
    const port = await closedPort();
    const result = await executeOnce(`http://127.0.0.1:${port}`);
    expect(result).toMatchObject({ outcome: "transport_error", error_code: "ECONNREFUSED" });
    expect(result.outcome === "transport_error" && result.message).toMatch(/ECONNREFUSED/);
  });

  it("never puts a header value in a transport error message, even when the endpoint contains it", async () => {
    const secret = `s3cret-${Math.random().toString(36).slice(2)}`;
    const port = await closedPort();
    const raw = successCase("leaky", { endpoint: `/v1/tokens/${secret}` });
    const result = await executeOnce(`http://127.0.0.1:${port}`, raw, { "X-Api-Key": secret });
    expect(result.outcome).toBe("transport_error");
    const message = result.outcome === "transport_error" ? result.message : "";
    expect(message).not.toContain(secret);
    expect(message).toContain("***");
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it("keeps an Authorization value out of the message of a refused connection", async () => {
    const secret = `Bearer ${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    const port = await closedPort();
    const result = await executeOnce(`http://127.0.0.1:${port}`, successCase("auth"), { Authorization: secret });
    expect(result.outcome).toBe("transport_error");
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(result)).not.toContain(secret.slice("Bearer ".length));
  });

  it("refuses an invalid target URL with a message that names it", () => {
    expect(() => liveDriver({ targetUrl: "not a url" })).toThrow(/not a valid URL/);
    expect(() => liveDriver({ targetUrl: "ftp://127.0.0.1/" })).toThrow(/http:\/\/ or https:\/\//);
  });
});

describe("httpDriver non-JSON bodies", () => {
  it("keeps the text as response_body and notes that it is not JSON", async () => {
    const server = await startServer((_request, res) => {
      res.writeHead(200, { "content-type": "text/html" }).end("<html>maintenance</html>");
    });
    const result = await executeOnce(server.url);
    expect(result).toMatchObject({ outcome: "success", status_code: 200, response_body: "<html>maintenance</html>" });
    expect(result.outcome !== "transport_error" && result.note).toMatch(/not JSON/);
    expect(result.outcome !== "transport_error" && result.note).toContain("text/html");
  });

  it("cuts a long non-JSON body short", async () => {
    const server = await startServer((_request, res) => {
      res.writeHead(502, { "content-type": "text/plain" }).end("x".repeat(5_000));
    });
    const result = await executeOnce(server.url);
    expect(result.outcome).toBe("retryable_failure");
    const body = result.outcome === "transport_error" ? "" : String(result.response_body);
    expect(body.length).toBeLessThan(1_100);
    expect(body.endsWith("...")).toBe(true);
  });
});
