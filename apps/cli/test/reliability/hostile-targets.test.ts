import { once } from "node:events";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { fixtureOf, hasStackTrace, runArgs, runCli, scaled, successCase, tempDir, type CliResult } from "./reliability-helpers";

// behavior.md §10: nothing a live target returns may abort a cycle, exhaust memory or leak a
// secret. Each target is a real HTTP server in the test process; the runner is the real CLI.

const SECRET = "S3cr3t-b3ar3r-t0k3n";
const PASSWORD = "hunter2-pw";

/** A loopback HTTP server for one test; `seen` counts requests. */
async function target(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    req.on("end", () => handler(req, res));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function fixtureFile(dir: string, count: number): Promise<string> {
  const path = join(dir, "fixture.json");
  await writeFile(path, JSON.stringify(fixtureOf("hostile-target", Array.from({ length: count }, (_, n) => successCase(`case-${n}`)))));
  return path;
}

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function expectNoSecret(result: CliResult, ...secrets: string[]) {
  for (const secret of secrets) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
}

describe("hostile response bodies", { timeout: 180_000 }, () => {
  it("keeps peak RSS under 256 MB at concurrency 8 against bodies that never end", async () => {
    const dir = await tempDir();
    const server = await target((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(256 * 1024, 0x5b); // "[[[[…": endless and ever deeper
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    const cases = scaled(24, 96);
    const rssFile = join(dir, "rss");
    const result = await runCli(
      runArgs(await fixtureFile(dir, cases), join(dir, "state"), ["--gateway-target-url", server.url, "--gateway-concurrency", "8", "--gateway-retry-max-attempts", "1", "--gateway-queue-limit", String(cases)]),
      { preload: true, env: { TAU_TEST_RSS_FILE: rssFile }, timeoutMs: 170_000 },
    );
    const peakMiB = Number(await readFile(rssFile, "utf8")) / 1024;
    console.log(`figures: endless bodies, ${cases} cases at concurrency 8: peak RSS ${peakMiB.toFixed(0)} MiB, exit ${result.code}`);
    // Every case drifts (its body was cut off): exit 4, never an error of the cycle.
    expect(result.code, result.stderr).toBe(4);
    expect(result.stdout).toContain(`contract_drift=${cases}`);
    expect(result.stdout).toContain("response body is larger than 8388608 bytes");
    expect(peakMiB).toBeLessThanOrEqual(256);
  });

  it("records a 100,000-deep body as drift, persists the cycle, and the next cycle runs too", async () => {
    const dir = await tempDir();
    const deep = `{"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const server = await target((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(deep));
    const stateDir = join(dir, "state");
    const args = runArgs(await fixtureFile(dir, 2), stateDir, ["--gateway-target-url", server.url]);
    for (let run = 1; run <= 2; run++) {
      const result = await runCli(args);
      expect(result.code, result.stderr).toBe(4);
      expect(hasStackTrace(result.stderr)).toBe(false);
      expect(result.stdout).toContain("note: response body nests deeper than 64 levels");
    }
    const status = await runCli(["status", "--json", "--gateway-state-dir", stateDir]);
    expect(JSON.parse(status.stdout)).toMatchObject({ cycle_reports: 2, invalid_cycle_reports: 0, rollout_reason_code: "contract_drift_detected" });
  });

  it("observes a body larger than --gateway-max-response-bytes as drift, saying so", async () => {
    const dir = await tempDir();
    const server = await target((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ pad: "x".repeat(5000) })));
    const result = await runCli(runArgs(await fixtureFile(dir, 1), join(dir, "state"), ["--gateway-target-url", server.url, "--gateway-max-response-bytes", "1000"]));
    expect(result.code, result.stderr).toBe(4);
    expect(result.stdout).toContain("response body is larger than 1000 bytes (--gateway-max-response-bytes)");
  });
});

describe("secrets echoed by the target", { timeout: 60_000 }, () => {
  it("never writes or prints a --gateway-target-header value, even when the target echoes it", async () => {
    const dir = await tempDir();
    const server = await target((req, res) => {
      res
        .writeHead(401, { "content-type": "application/json", "x-tau-error-code": `denied ${SECRET}` })
        .end(JSON.stringify({ error: `bad token ${String(req.headers.authorization)}`, echo: String(req.headers["x-api-key"]) }));
    });
    const stateDir = join(dir, "state");
    const result = await runCli(
      runArgs(await fixtureFile(dir, 2), stateDir, [
        "--gateway-target-url", server.url,
        "--gateway-target-header", `Authorization: Bearer ${SECRET}`,
        "--gateway-target-header", `X-Api-Key: key-${SECRET}`,
      ]),
    );
    expect(String(server.seen[0]?.headers.authorization)).toBe(`Bearer ${SECRET}`);
    expect(result.code, result.stderr).toBe(4);
    // The drift diff is printed, with the echo redacted.
    expect(result.stdout).toContain('"bad token ***"');
    expectNoSecret(result, SECRET);
    const files = await allFiles(stateDir);
    expect(files.some((f) => f.endsWith("log.jsonl"))).toBe(true);
    for (const file of files) expect(await readFile(file, "utf8"), file).not.toContain(SECRET);
  });

  it("turns URL userinfo into a Basic header and redacts it everywhere", async () => {
    const dir = await tempDir();
    const server = await target((req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ saw: req.headers.authorization, pw: PASSWORD }));
    });
    const stateDir = join(dir, "state");
    const url = server.url.replace("http://", `http://ops:${PASSWORD}@`);
    const result = await runCli(runArgs(await fixtureFile(dir, 1), stateDir, ["--gateway-target-url", url]));
    expect(String(server.seen[0]?.headers.authorization)).toBe(`Basic ${Buffer.from(`ops:${PASSWORD}`).toString("base64")}`);
    expect(result.code, result.stderr).toBe(4);
    expectNoSecret(result, PASSWORD, Buffer.from(`ops:${PASSWORD}`).toString("base64"));
    for (const file of await allFiles(stateDir)) expect(await readFile(file, "utf8"), file).not.toContain(PASSWORD);
  });

  it("never echoes the password of an invalid target URL", async () => {
    const dir = await tempDir();
    const result = await runCli(runArgs(await fixtureFile(dir, 1), join(dir, "state"), ["--gateway-target-url", `http://user:${PASSWORD}@127.0.0.1:99999/`]));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("http://***@127.0.0.1:99999/");
    expectNoSecret(result, PASSWORD);
  });
});

describe("Retry-After and timers", { timeout: 60_000 }, () => {
  it("clamps Retry-After: 999999999 to --gateway-retry-max-delay-ms without a TimeoutOverflowWarning", async () => {
    const dir = await tempDir();
    const times: number[] = [];
    const server = await target((_req, res) => {
      times.push(performance.now());
      if (times.length === 1) res.writeHead(503, { "retry-after": "999999999", "content-type": "application/json" }).end("{}");
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "accepted", method: "GET", endpoint: "/v1/items/case-0", actor_id: "ops-bot" }));
    });
    const result = await runCli(runArgs(await fixtureFile(dir, 1), join(dir, "state"), ["--gateway-target-url", server.url, "--gateway-retry-max-delay-ms", "400"]));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("TimeoutOverflowWarning");
    expect(times).toHaveLength(2);
    // It waited the clamped 400 ms, not the 1 ms an overflowing timer fires after.
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(350);
  });
});
