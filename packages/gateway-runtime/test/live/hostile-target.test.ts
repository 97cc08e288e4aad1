import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../../src";
import { caseOf, fixtureOf, liveDriver, makeTempDir, openRuntime, readJsonLines, startServer, successCase } from "./live-helpers";

// behavior.md §10: nothing a target answers may abort a cycle, exhaust memory or leak a secret.

const SECRET = "S3cr3t-token-value";

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

describe("hostile response bodies", () => {
  it("cuts a body that never ends at maxResponseBytes and observes it as too large", async () => {
    const server = await startServer((_request, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      res.write("[");
      pump();
    });
    const driver = liveDriver({ targetUrl: server.url, requestTimeoutMs: 10_000, maxResponseBytes: 1024 * 1024 });
    const result = await driver.execute(caseOf(successCase("endless")), { attempt: 1 });
    expect(result).toMatchObject({ outcome: "success", status_code: 200, response_body: null });
    expect((result as { note?: string }).note).toContain("larger than 1048576 bytes");
  });

  it("defaults the cap to 8 MiB", () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(8 * 1024 * 1024);
  });

  it("keeps a 100,000-deep body out of the observation and records the case as drift", async () => {
    const deep = `${'{"x":'.repeat(1)}${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const server = await startServer((_request, res) => void res.writeHead(200, { "content-type": "application/json" }).end(deep));
    const stateDir = await makeTempDir();
    const runtime = await openRuntime({ stateDir });
    const driver = liveDriver({ targetUrl: server.url });
    const report = await runtime.runCycle(fixtureOf([successCase("deep")]), { driver });
    expect(report.summary.contract_drift_cases).toBe(1);
    expect(report.drifts[0]?.note).toContain("nests deeper than 64 levels");
    // The cycle persisted: state.json, the events line and a parseable drift entry.
    const files = (await filesUnder(stateDir)).map((f) => f.slice(stateDir.length + 1)).sort();
    expect(files).toContain("state.json");
    expect(files).toContain("runtime-events.jsonl");
    const logFile = files.find((f) => f.endsWith("log.jsonl")) as string;
    const [entry] = await readJsonLines(join(stateDir, logFile));
    expect(entry?.payload).toMatchObject({ outcome: "contract_drift", note: expect.stringContaining("deeper than 64") });
  });

  it("notes a body that is not JSON and keeps only its start", async () => {
    const server = await startServer((_request, res) => void res.writeHead(200, { "content-type": "text/html" }).end(`<html>${"x".repeat(5000)}`));
    const result = await liveDriver({ targetUrl: server.url }).execute(caseOf(successCase("html")), { attempt: 1 });
    expect((result as { note?: string }).note).toBe("response body is not JSON (content-type: text/html)");
    expect(String((result as { response_body: unknown }).response_body).length).toBeLessThan(1100);
  });

  it("keeps the note of a failed (retryable) answer in the channel-store entry", async () => {
    const server = await startServer((_request, res) => void res.writeHead(503, { "content-type": "text/plain" }).end("down"));
    const stateDir = await makeTempDir();
    const runtime = await openRuntime({ stateDir, settings: { retryMaxAttempts: 1 } });
    await runtime.runCycle(fixtureOf([successCase("down")]), { driver: liveDriver({ targetUrl: server.url }) });
    const logFile = (await filesUnder(stateDir)).find((f) => f.endsWith("log.jsonl")) as string;
    const [entry] = await readJsonLines(logFile);
    expect(entry?.payload).toMatchObject({ outcome: "retryable_failure", note: expect.stringContaining("not JSON") });
  });
});

describe("secrets echoed by the target", () => {
  it("replaces header values in bodies, error codes and drift entries before anything is written", async () => {
    const server = await startServer((request, res) => {
      res
        .writeHead(401, { "content-type": "application/json", "x-tau-error-code": `bad ${SECRET}` })
        .end(JSON.stringify({ error: `bad token ${String(request.headers.authorization)}`, [SECRET]: SECRET, bare: SECRET }));
    });
    const stateDir = await makeTempDir();
    const runtime = await openRuntime({ stateDir });
    const driver = liveDriver({ targetUrl: server.url, headers: { Authorization: `Bearer ${SECRET}` } });
    const report = await runtime.runCycle(fixtureOf([successCase("echo")]), { driver });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(JSON.stringify(report)).not.toContain(SECRET);
    const drift = report.drifts[0];
    expect(JSON.stringify(drift)).toContain("bad token ***");
    for (const file of await filesUnder(stateDir)) expect(await readFile(file, "utf8"), file).not.toContain(SECRET);
  });

  it("turns URL userinfo into a Basic Authorization header and redacts it like a header", async () => {
    const server = await startServer((request, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ saw: request.headers.authorization, pw: "pa ss" }));
    });
    const url = server.url.replace("http://", "http://us%20er:pa%20ss@");
    const driver = liveDriver({ targetUrl: url });
    const result = await driver.execute(caseOf(successCase("basic")), { attempt: 1 });
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from("us er:pa ss").toString("base64")}`);
    expect(result).toMatchObject({ response_body: { saw: "***", pw: "***" } });
    expect(driver.redactor.text(`x ${url} y`)).not.toContain("pa%20ss");
  });

  it("refuses userinfo together with an Authorization header", () => {
    expect(() => liveDriver({ targetUrl: "http://u:p@127.0.0.1:1", headers: { authorization: "Bearer x" } })).toThrow(/either in the URL/);
  });

  it("never echoes the password of an invalid URL", () => {
    expect(() => liveDriver({ targetUrl: "http://user:pw-secret@127.0.0.1:99999/" })).toThrow(/not a valid URL/);
    try {
      liveDriver({ targetUrl: "http://user:pw-secret@127.0.0.1:99999/" });
    } catch (error) {
      expect((error as Error).message).not.toContain("pw-secret");
      expect((error as Error).message).toContain("http://***@127.0.0.1:99999/");
    }
  });
});

describe("timer bounds of the driver", () => {
  it.each([0, 2 ** 31, 3_000_000_000])("refuses requestTimeoutMs %d", (ms) => {
    expect(() => liveDriver({ targetUrl: "http://127.0.0.1:1", requestTimeoutMs: ms })).toThrow(/requestTimeoutMs must be an integer from 1 to 2147483647/);
  });
});
