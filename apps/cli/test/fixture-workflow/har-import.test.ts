import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReferenceGateway } from "@tau/gateway-reference";
import { chromium } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import { fixtureOf, successCase, summaryOf, workspace } from "../helpers";
import { serve } from "./workflow-helpers";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A page that calls the gateway the way a browser app would, then says it is done. */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>working</title></head>
<body><script>
(async () => {
  const headers = (id) => ({ "x-tau-actor-id": "web-app", "x-tau-case-id": id, "content-type": "application/json" });
  await fetch("/v1/tasks/7", { headers: headers("har-read-task") });
  await fetch("/v1/tasks", { method: "POST", headers: headers("har-create-task"), body: JSON.stringify({ title: "from the browser" }) });
  await fetch("/v1/tasks/7", { method: "PATCH", headers: headers("har-patch-task"), body: JSON.stringify({ done: true }) });
  await fetch("/v1/tasks/9", { method: "DELETE", headers: headers("har-delete-task") });
  document.title = "done";
})();
</script></body></html>`;

/** One origin for page and gateway (no CORS): /app is the page, everything else the reference gateway. */
async function appAndGateway(): Promise<string> {
  const gateway = createReferenceGateway();
  const server = createServer((req, res) => {
    if (req.url === "/app") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
    else gateway.server.emit("request", req, res);
  });
  return serve(server);
}

/** Loads the page in headless Chromium with HAR recording on; the HAR is complete once the context closes. */
async function recordHarWithChromium(url: string, harPath: string): Promise<void> {
  const userDataDir = await mkdtemp(join(tmpdir(), "tau-har-chromium-"));
  onTestFinished(() => rm(userDataDir, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    recordHar: { path: harPath, content: "embed" },
  });
  try {
    const page = await context.newPage();
    await page.goto(`${url}/app`);
    // A string, so this Node-side file needs no DOM types.
    await page.waitForFunction("document.title === \"done\"", undefined, { timeout: 20_000 });
  } finally {
    await context.close();
  }
}

describe("import har", { timeout: 120_000 }, () => {
  it("turns a HAR recorded by headless Chromium into cases that record and then run clean", async () => {
    const url = await appAndGateway();
    const ws = await workspace();
    await recordHarWithChromium(url, ws.path("session.har"));

    const imported = await ws.run(["import", "har", "session.har", "--out", "imported.json"]);
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^imported 4 cases into imported\.json \(skipped \d+ entr(y|ies) that were not JSON requests\)/);
    const fixture = await ws.readJson<{ schema_version: number; cases: Record<string, unknown>[] }>("imported.json");
    expect(fixture.schema_version).toBe(2);
    expect(fixture.cases.map((c) => [c.case_id, c.method, c.endpoint, c.actor_id, c.body, c.expected])).toEqual([
      ["har-read-task", "GET", "/v1/tasks/7", "web-app", undefined, undefined],
      ["har-create-task", "POST", "/v1/tasks", "web-app", { title: "from the browser" }, undefined],
      ["har-patch-task", "PATCH", "/v1/tasks/7", "web-app", { done: true }, undefined],
      ["har-delete-task", "DELETE", "/v1/tasks/9", "web-app", undefined, undefined],
    ]);

    // Ready for record, not for run.
    expect((await ws.run(["run", "--gateway-target-url", url, "--gateway-fixture", "imported.json"])).code).toBe(2);
    expect((await ws.run(["record", "--gateway-target-url", url, "--gateway-fixture", "imported.json", "--out", "recorded.json"])).code).toBe(0);
    const run = await ws.run(["run", "--gateway-target-url", url, "--gateway-fixture", "recorded.json"]);
    expect(run.code).toBe(0);
    expect(summaryOf(run.stdout)).toMatchObject({ discovered: 4, applied: 4, failed: 0 });
  });

  it("says what it found when the file is not HAR (exit 2)", async () => {
    const ws = await workspace();
    await ws.write("fixture.json", fixtureOf("not-har", [successCase("a")]));
    await ws.write("text.har", "GET /v1/tasks\n");
    const fixture = await ws.run(["import", "har", "fixture.json", "--out", "x.json"]);
    expect(fixture.code).toBe(2);
    expect(fixture.stderr).toContain('fixture.json: not a HAR file: found a JSON object with keys "schema_version", "name", "cases", expected {"log": {"entries": [...]}}');
    const text = await ws.run(["import", "har", "text.har", "--out", "x.json"]);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain("text.har: not a HAR file: not JSON at all");
    expect(ws.exists("x.json")).toBe(false);
  });

  it("reads no further than the size limit: an endless device or a large file is exit 2, not out of memory", async () => {
    const ws = await workspace();
    const endless = await ws.run(["import", "har", "/dev/zero", "--out", "x.json"]);
    expect(endless.code).toBe(2);
    expect(endless.stderr).toBe("error: /dev/zero: the HAR file is more than 268435456 bytes, over the limit of 268435456 bytes (raise --gateway-max-fixture-bytes)\n");
    await ws.write("big.har", { log: { entries: [], padding: "x".repeat(2000) } });
    const big = await ws.run(["import", "har", "big.har", "--out", "x.json", "--gateway-max-fixture-bytes", "1000"]);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/^error: big\.har: the HAR file is \d+ bytes, over the limit of 1000 bytes/);
    expect(ws.exists("x.json")).toBe(false);
  });
});
