// Reports bench: what `--gateway-report` (all four kinds) adds to the 100k-case simulated cycle.
// Standalone: `node bench/reports.mjs` after a build (env BENCH_RUNS, default 5; BENCH_REPORT_CASES,
// default 100000). bench/run.mjs can import `reportsScenario` and add its rows.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFixture } from "./generate-fixture.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const WORK = join(BENCH, ".work");
const CLI = join(ROOT, "apps/cli/bin/tau-gateway.js");
const KINDS = ["junit", "markdown", "html", "json"];
const EXT = { junit: "xml", markdown: "md", html: "html", json: "json" };

// CPU time (user + sys) as well as wall time: on a shared machine the wall time of a run depends
// on the neighbours, its CPU time much less.
const HAVE_TIME = existsSync("/usr/bin/time");
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** One CLI run: { wall, cpu } in seconds (cpu is NaN without /usr/bin/time). */
function timeRun(args) {
  const cpuFile = join(WORK, `reports-cpu-${process.pid}.txt`);
  const [cmd, argv] = HAVE_TIME ? ["/usr/bin/time", ["-f", "%U %S", "-o", cpuFile, process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
  return new Promise((res, rej) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => { if (stderr.length < 4096) stderr += d; });
    child.on("close", (code) => {
      if (code !== 0) return rej(new Error(`exit ${code}: ${stderr.trim().slice(0, 300)}`));
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      let cpu = NaN;
      if (HAVE_TIME) {
        const [user, sys] = readFileSync(cpuFile, "utf8").trim().split("\n").pop().split(/\s+/).map(Number);
        cpu = user + sys;
      }
      res({ wall, cpu });
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
    log(`[reports] run ${i + 1}/${runs}: off ${off[i].wall.toFixed(3)} s (cpu ${off[i].cpu.toFixed(2)}), on ${on[i].wall.toFixed(3)} s (cpu ${on[i].cpu.toFixed(2)})`);
  }
  const sizes = Object.fromEntries(KINDS.map((k) => [k, statSync(join(outDir, `report.${EXT[k]}`)).size]));
  rmSync(stateDir, { recursive: true, force: true });
  const wall = (xs) => xs.map((x) => x.wall);
  const cpu = (xs) => xs.map((x) => x.cpu);
  const result = {
    cases, runs, sizes,
    off: median(wall(off)), on: median(wall(on)), offRuns: wall(off), onRuns: wall(on),
    offCpu: median(cpu(off)), onCpu: median(cpu(on)), offCpuRuns: cpu(off), onCpuRuns: cpu(on),
  };
  result.overhead = result.on / result.off - 1;
  result.cpuOverhead = result.onCpu / result.offCpu - 1;
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await reportsScenario({ cases: Number(process.env.BENCH_REPORT_CASES ?? 100_000), runs: Number(process.env.BENCH_RUNS ?? 5) });
  const mb = (b) => (b / 1048576).toFixed(2);
  console.log(`simulated cycle ${r.cases} cases, ${r.runs} runs each (median):`);
  console.log(`  reports off: ${r.off.toFixed(3)} s   (${r.offRuns.map((s) => s.toFixed(3)).join(", ")})`);
  console.log(`  reports on:  ${r.on.toFixed(3)} s   (${r.onRuns.map((s) => s.toFixed(3)).join(", ")})`);
  console.log(`  overhead:    ${(r.overhead * 100).toFixed(1)} % wall  (target ≤ 10 %) → ${r.overhead <= 0.1 ? "met" : "not met"}`);
  console.log(`  cpu (user+sys): off ${r.offCpu.toFixed(2)} s, on ${r.onCpu.toFixed(2)} s → ${(r.cpuOverhead * 100).toFixed(1)} %  (${r.offCpuRuns.map((s) => s.toFixed(2)).join(", ")} | ${r.onCpuRuns.map((s) => s.toFixed(2)).join(", ")})`);
  console.log(`  sizes: ${KINDS.map((k) => `${k} ${mb(r.sizes[k])} MB`).join(", ")}`);
}
