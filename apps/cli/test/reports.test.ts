import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { lstat, mkdir, symlink } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { workspace } from "./helpers";

const ALL = ["--gateway-report", "junit=out/junit.xml", "--gateway-report", "markdown=out/summary.md", "--gateway-report", "html=out/report.html", "--gateway-report", "json=out/report.json"];

describe("--gateway-report on run", { timeout: 60_000 }, () => {
  it("writes JUnit, Markdown, HTML and JSON reports of the cycle", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await mkdir(ws.path("out"));
    const result = await ws.run(["run", ...ALL]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);

    const junit = await ws.readText("out/junit.xml");
    execFileSync("xmllint", ["--noout", ws.path("out/junit.xml")]);
    expect(junit).toContain('<testsuite name="mixed-outcomes" tests="3" failures="0" errors="1" skipped="0"');
    expect(junit).toContain('<property name="tau.gate.reason_code" value="retryable_failures_threshold_exceeded"/>');
    expect(junit).toContain('file="fixtures/gateway-contract/mixed-outcomes.json"');

    const md = await ws.readText("out/summary.md");
    expect(md.split("\n")[0]).toBe("## Tau gateway: gate HOLD — <code>retryable_failures_threshold_exceeded</code>");
    expect(md).toContain("| 3 | <code>retryable_failures_threshold_exceeded</code>: retryable failures ≥ 2 | 4 retryable failures | **fired** |");

    const html = await ws.readText("out/report.html");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain('id="report-data"');

    const json = await ws.readJson<{ gate: unknown; summary: Record<string, number>; history: unknown[] }>("out/report.json");
    expect(json.gate).toEqual({ gate: "hold", reason_code: "retryable_failures_threshold_exceeded" });
    expect(json.summary).toMatchObject({ discovered_cases: 3, applied_cases: 1, malformed_cases: 1, failed_cases: 1, retryable_failures: 4 });
    expect(json.history).toHaveLength(1);
  });

  it("takes one KIND=PATH per line from TAU_GATEWAY_REPORT", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const result = await ws.run(["run"], { env: { TAU_GATEWAY_REPORT: "junit=j.xml\n\nmarkdown=s.md\n" } });
    expect(result.code).toBe(0);
    expect(ws.exists("j.xml")).toBe(true);
    expect(ws.exists("s.md")).toBe(true);
  });

  it("refuses a report in a directory that does not exist before running the cycle (exit 2)", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const result = await ws.run(["run", "--gateway-report", "junit=missing/dir/junit.xml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--gateway-report junit=missing\/dir\/junit.xml: directory .*missing\/dir does not exist/);
    expect(ws.exists(".tau/gateway/state.json")).toBe(false);
  });

  it("refuses a report or metrics path that is a directory before running the cycle (exit 2)", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await mkdir(ws.path("out"));
    const report = await ws.run(["run", "--gateway-report", "junit=out"]);
    expect(report.code).toBe(2);
    expect(report.stderr).toBe("error: --gateway-report junit=out: out is a directory; name a file in it\n");
    const textfile = await ws.run(["run", "--gateway-metrics-textfile", "out"]);
    expect(textfile.code).toBe(2);
    expect(textfile.stderr).toBe("error: --gateway-metrics-textfile: out is a directory; name a file in it\n");
    expect(ws.exists(".tau/gateway/state.json")).toBe(false);
  });

  it("writes into a named pipe and through a symlink without replacing either", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    execFileSync("mkfifo", [ws.path("summary.fifo")]);
    await mkdir(ws.path("real"));
    await symlink("real/junit.xml", ws.path("junit.xml"));
    const reader = spawn("cat", [ws.path("summary.fifo")]);
    let piped = "";
    reader.stdout.on("data", (chunk: Buffer) => (piped += chunk.toString("utf8")));
    const closed = new Promise((resolve) => reader.on("close", resolve));
    const result = await ws.run(["run", "--gateway-report", "markdown=summary.fifo", "--gateway-report", "junit=junit.xml"]);
    expect(result.code).toBe(0);
    await closed;
    expect(piped.split("\n")[0]).toBe("## Tau gateway: gate HOLD — <code>retryable_failures_threshold_exceeded</code>");
    expect((await lstat(ws.path("summary.fifo"))).isFIFO()).toBe(true);
    expect((await lstat(ws.path("junit.xml"))).isSymbolicLink()).toBe(true);
    expect(await ws.readText("real/junit.xml")).toContain("<testsuite");
  });

  it("refuses an unknown kind, listing the kinds (exit 2)", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const result = await ws.run(["run", "--gateway-report", "pdf=r.pdf"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--gateway-report: unknown kind "pdf" (kinds: junit, markdown, html, json)');
    const bare = await ws.run(["run", "--gateway-report", "junit"]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("--gateway-report must look like KIND=PATH");
  });

  it("persists the cycle, then exits 1 naming a report it could not write", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    // A full disk, after the cycle: /dev/full takes no byte (ENOSPC), and stays a device.
    const result = await ws.run(["run", "--gateway-report", "junit=ok.xml", "--gateway-report", "html=/dev/full"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("could not write a report: html report /dev/full:");
    expect(result.stderr).toContain("ENOSPC");
    expect((await lstat("/dev/full")).isCharacterDevice()).toBe(true);
    expect(result.stdout).toContain("gateway runner summary:");
    expect(ws.exists("ok.xml")).toBe(true);
    expect(await ws.readJsonl(".tau/gateway/runtime-events.jsonl")).toHaveLength(1);
  });
});

describe("--gateway-report in live mode", { timeout: 60_000 }, () => {
  it("redacts the target header values a target echoes back, in every report", async () => {
    const secret = randomBytes(16).toString("hex");
    // A target that echoes the Authorization header into every body: every case drifts, with the secret in the diff.
    const server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "accepted", echoed: req.headers.authorization ?? "" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const ws = await workspace(["rollout-pass.json"]);
    const result = await ws.run([
      "run", "--gateway-fixture", "fixtures/gateway-contract/rollout-pass.json",
      "--gateway-target-url", url, "--gateway-target-header", `Authorization: Bearer ${secret}`,
      "--gateway-report", "junit=j.xml", "--gateway-report", "markdown=s.md", "--gateway-report", "html=r.html", "--gateway-report", "json=r.json",
    ]);
    expect(result.code, result.stderr).toBe(4);
    for (const file of ["j.xml", "s.md", "r.html", "r.json"]) {
      const text = await ws.readText(file);
      expect(text.includes(secret), `secret in ${file}`).toBe(false);
      expect(text, file).toContain(file.endsWith(".md") ? "&#42;&#42;&#42;" : "***");
    }
    const json = await ws.readJson<{ driver: string; failures: unknown[] }>("r.json");
    expect(json.driver).toBe("http");
    expect(json.failures).toHaveLength(3);
  });
});

describe("tau-gateway report", { timeout: 60_000 }, () => {
  it("renders the same reports later from the state dir", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await mkdir(ws.path("now"));
    await mkdir(ws.path("later"));
    const now = ["--gateway-report", "junit=now/junit.xml", "--gateway-report", "markdown=now/summary.md", "--gateway-report", "json=now/report.json"];
    expect((await ws.run(["run", ...now])).code).toBe(0);
    const later = await ws.run(["report", "--gateway-state-dir", ".tau/gateway", ...now.map((a) => a.replace("now/", "later/"))]);
    expect(later.code).toBe(0);
    expect(later.stdout).toContain("wrote junit report later/junit.xml");
    const strip = (xml: string) => xml.replace(/ time="[^"]*"/g, "").replace(/ timestamp="[^"]*"/g, "");
    expect(strip(await ws.readText("later/junit.xml"))).toBe(strip(await ws.readText("now/junit.xml")));
    expect(await ws.readText("later/summary.md")).toBe(await ws.readText("now/summary.md"));
    const a = await ws.readJson<Record<string, unknown>>("now/report.json");
    const b = await ws.readJson<Record<string, unknown>>("later/report.json");
    expect({ ...b, started_unix_ms: 0, finished_unix_ms: 0 }).toEqual({ ...a, started_unix_ms: 0, finished_unix_ms: 0 });
  });

  it("says to run a cycle first on a state dir without one (exit 1)", async () => {
    const ws = await workspace();
    const result = await ws.run(["report", "--gateway-state-dir", "nowhere", "--gateway-report", "junit=j.xml"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/run the contract runner first|run a cycle first/);
    expect(result.stderr).not.toContain("--debug");
  });

  it("needs at least one --gateway-report (exit 2)", async () => {
    const ws = await workspace();
    const result = await ws.run(["report"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("give at least one --gateway-report KIND=PATH");
  });
});
