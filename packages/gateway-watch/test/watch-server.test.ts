import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { createWatchServer, GatewayWatcher, WatchError } from "../src";
import { promtoolCheck } from "./helpers/promtool";
import { loadSharedFixture, openRuntime } from "./helpers/temp-dir";
import { servedWatcher } from "./helpers/watch-server";

describe("watch server routes (behavior.md §11)", () => {
  it("/gate answers 200 with the verdict for pass, for GET, HEAD and POST (Flagger webhooks)", async () => {
    const { url } = await servedWatcher({ fixture: "rollout-pass" });
    const get = await fetch(`${url}/gate`);
    expect(get.status).toBe(200);
    const body = (await get.json()) as Record<string, unknown>;
    expect(body).toEqual({ verdict: "pass", reason_code: "guardrail_checks_passing", cycles: 1, updated_unix_ms: expect.any(Number) });
    const post = await fetch(`${url}/gate`, { method: "POST", body: JSON.stringify({ name: "podinfo", phase: "Progressing" }) });
    expect(post.status).toBe(200);
    const head = await fetch(`${url}/gate?x=1`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("/gate answers 503 for hold and for inconclusive, with the verdict as JSON", async () => {
    const held = await servedWatcher({ fixture: "mixed-outcomes" });
    const hold = await fetch(`${held.url}/gate`);
    expect(hold.status).toBe(503);
    expect(await hold.json()).toMatchObject({ verdict: "hold", reason_code: "retryable_failures_threshold_exceeded" });

    const early = await servedWatcher({ fixture: "rollout-pass", cycles: 1, minCycles: 3 });
    const inconclusive = await fetch(`${early.url}/gate`);
    expect(inconclusive.status).toBe(503);
    expect(await inconclusive.json()).toMatchObject({ verdict: "inconclusive", reason_code: "min_cycles_not_reached", cycles: 1 });
  });

  it("/status is always 200: the status report plus the verdict, even before any cycle", async () => {
    const { url } = await servedWatcher({ fixture: "mixed-outcomes" });
    const status = await fetch(`${url}/status`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      rollout_gate: "hold",
      cycle_reports: 1,
      events_log_files: 1,
      health: { failure_streak: 1 },
      verdict: { verdict: "hold", cycles: 1 },
    });
    const before = await servedWatcher({ cycles: 0 });
    const empty = await fetch(`${before.url}/status`);
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ verdict: { verdict: "inconclusive", reason_code: "min_cycles_not_reached", cycles: 0, updated_unix_ms: null } });
  });

  it("/metrics is Prometheus text that promtool accepts, with bounded labels only", async () => {
    const { url } = await servedWatcher({ fixture: "mixed-outcomes", cycles: 2 });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const check = promtoolCheck(text);
    expect(check.output).toBe("");
    expect(check.code).toBe(0);
    for (const line of [
      'tau_gateway_cases_total{outcome="applied"} 2',
      'tau_gateway_cases_total{outcome="malformed"} 2',
      'tau_gateway_cases_total{outcome="failed"} 2',
      'tau_gateway_cases_total{outcome="duplicate"} 0',
      "tau_gateway_retry_attempts_total 6",
      "tau_gateway_retryable_failures_total 8",
      "tau_gateway_contract_drift_cases_total 0",
      'tau_gateway_cycles_total{result="completed"} 2',
      "tau_gateway_cycle_duration_seconds_count 2",
      "tau_gateway_failure_streak 2",
      'tau_gateway_health{state="degraded"} 1',
      'tau_gateway_health{state="failing"} 0',
      'tau_gateway_verdict{verdict="hold"} 1',
      'tau_gateway_verdict{verdict="pass"} 0',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/^tau_gateway_last_cycle_timestamp_seconds \d{10}(\.\d+)?$/m);
    expect(text).toMatch(/tau_gateway_request_duration_seconds_count\{method="POST",status_class="2xx"\} 2/);
    expect(text).toMatch(/tau_gateway_request_duration_seconds_count\{method="GET",status_class="5xx"\} 8/);
    // No case or actor ever becomes a label: the series count does not grow with the fixture.
    expect(text).not.toMatch(/case_id|actor|gateway-success/);
    // Nothing from prom-client's global registry (process_*, nodejs_*) leaks in.
    expect(text).not.toMatch(/^(process|nodejs)_/m);
  });

  it("/metrics before any cycle is valid too (promtool), and the verdict reads inconclusive", async () => {
    const { url } = await servedWatcher({ cycles: 0 });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(promtoolCheck(text)).toEqual({ code: 0, output: "" });
    expect(text).toContain('tau_gateway_verdict{verdict="inconclusive"} 1');
    expect(text).toContain('tau_gateway_cycles_total{result="completed"} 0');
    const head = await fetch(`${url}/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("/healthz answers ok; unknown paths 404; other methods 405 with Allow", async () => {
    const { url } = await servedWatcher({});
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/gate/`)).status).toBe(404);
    const del = await fetch(`${url}/status`, { method: "DELETE" });
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, HEAD");
    const put = await fetch(`${url}/gate`, { method: "PUT" });
    expect(put.headers.get("allow")).toBe("GET, HEAD, POST");
  });

  it("refuses request bodies over 64 KiB with 413", async () => {
    const { url } = await servedWatcher({});
    const response = await fetch(`${url}/gate`, { method: "POST", body: "x".repeat(65 * 1024) });
    expect(response.status).toBe(413);
  });

  it("with a token, every route but /healthz needs Authorization: Bearer <token>", async () => {
    const { url } = await servedWatcher({ server: { token: "s3cret" } });
    for (const path of ["/gate", "/status", "/metrics"]) {
      const denied = await fetch(`${url}${path}`);
      expect(denied.status, path).toBe(401);
      expect(denied.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect((await fetch(`${url}${path}`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      expect((await fetch(`${url}${path}`, { headers: { authorization: "Bearer s3cret" } })).status).toBe(200);
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it("refuses to listen on a non-loopback address without a token or insecure", async () => {
    const runtime = await openRuntime();
    const watcher = new GatewayWatcher({ runtime, fixture: await loadSharedFixture("rollout-pass") });
    const server = createWatchServer({ watcher });
    await expect(server.listen({ host: "0.0.0.0", port: 0 })).rejects.toSatisfy((e: unknown) => WatchError.isInstance(e) && e.code === "E_INSECURE_LISTEN");
    expect(server.server.listening).toBe(false);
    const insecure = createWatchServer({ watcher, insecure: true });
    await insecure.listen({ host: "0.0.0.0", port: 0 });
    await insecure.close(100);
  });

  it("close() cuts a connection that does not finish within the deadline", async () => {
    const runtime = await openRuntime();
    const watcher = new GatewayWatcher({ runtime, fixture: await loadSharedFixture("rollout-pass") });
    const server = createWatchServer({ watcher });
    const url = new URL(await server.listen({ host: "127.0.0.1", port: 0 }));
    // A client that sends headers and a body it never finishes keeps its request open.
    const hanging = request({ host: url.hostname, port: url.port, path: "/gate", method: "POST", headers: { "content-length": "100" } });
    hanging.on("error", () => undefined);
    hanging.write("partial");
    await new Promise((r) => setTimeout(r, 50));
    await server.close(200);
    expect(server.server.listening).toBe(false);
    hanging.destroy();
  });
});
