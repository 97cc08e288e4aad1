// Reports bench: what `--gateway-report` (all four kinds) adds to the 100k-case simulated cycle.
// Standalone: `node bench/reports.mjs` after a build (env BENCH_RUNS, default 5; BENCH_REPORT_CASES,
// default 100000). bench/run.mjs can import `reportsScenario` and add its rows.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFixture } from "./generate-fixture.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const WORK = join(BENCH, ".work");
const CLI = join(ROOT, "apps/cli/bin/tau-gateway.js");
const KINDS = ["junit", "markdown", "html", "json"];
const EXT = { junit: "xml", markdown: "md", html: "html", json: "json" };

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

function timeRun(args) {
  return new Promise((res, rej) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => { if (stderr.length < 4096) stderr += d; });
    child.on("close", (code) => {
      if (code !== 0) rej(new Error(`exit ${code}: ${stderr.trim().slice(0, 300)}`));
      else res(Number(process.hrtime.bigint() - start) / 1e9);
    });
  });
}

/** Runs off and on alternately (`runs` each, fresh state dir every run); returns medians and report sizes. */
export async function reportsScenario({ cases = 100_000, runs = 5, log = console.error } = {}) {
  mkdirSync(WORK, { recursive: true });
  const fixture = join(WORK, `fixture-${cases}.json`);
  writeFixture(fixture, { cases, actors: 16, malformedRatio: 0.02, seed: 42 });
  const stateDir = join(WORK, `reports-state-${cases}`);
  const outDir = join(WORK, `reports-out-${cases}`);
  mkdirSync(outDir, { recursive: true });
  const base = ["run", "--gateway-fixture", fixture, "--gateway-state-dir", stateDir, "--gateway-queue-limit", String(cases), "--gateway-processed-case-cap", String(cases)];
  const reports = KINDS.flatMap((k) => ["--gateway-report", `${k}=${join(outDir, `report.${EXT[k]}`)}`]);
  const off = [], on = [];
  for (let i = 0; i < runs; i++) {
    rmSync(stateDir, { recursive: true, force: true });
    off.push(await timeRun(base));
    rmSync(stateDir, { recursive: true, force: true });
    on.push(await timeRun([...base, ...reports]));
    log(`[reports] run ${i + 1}/${runs}: off ${off[i].toFixed(3)} s, on ${on[i].toFixed(3)} s`);
  }
  const sizes = Object.fromEntries(KINDS.map((k) => [k, statSync(join(outDir, `report.${EXT[k]}`)).size]));
  rmSync(stateDir, { recursive: true, force: true });
  const result = { cases, runs, off: median(off), on: median(on), offRuns: off, onRuns: on, sizes };
  result.overhead = result.on / result.off - 1;
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await reportsScenario({ cases: Number(process.env.BENCH_REPORT_CASES ?? 100_000), runs: Number(process.env.BENCH_RUNS ?? 5) });
  const mb = (b) => (b / 1048576).toFixed(2);
  console.log(`simulated cycle ${r.cases} cases, ${r.runs} runs each (median):`);
  console.log(`  reports off: ${r.off.toFixed(3)} s   (${r.offRuns.map((s) => s.toFixed(3)).join(", ")})`);
  console.log(`  reports on:  ${r.on.toFixed(3)} s   (${r.onRuns.map((s) => s.toFixed(3)).join(", ")})`);
  console.log(`  overhead:    ${(r.overhead * 100).toFixed(1)} %  (target ≤ 10 %) → ${r.overhead <= 0.1 ? "met" : "not met"}`);
  console.log(`  sizes: ${KINDS.map((k) => `${k} ${mb(r.sizes[k])} MB`).join(", ")}`);
}
