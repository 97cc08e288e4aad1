// Watch-mode cost: does a watch cycle over a 20k-case fixture at concurrency 8 keep >= 90 % of a
// `run` cycle's live throughput? `node bench/watch-throughput.mjs` after `npm run build`
// (kept apart from run.mjs, which the perf scenarios own).
// Env: BENCH_WATCH_CASES (default 20000), BENCH_RUNS (default 5).
//
// Both sides run in this process against the same reference gateway (a child process), with the
// same HTTP driver settings; each side's first cycle is a warm-up and not counted. The two sides
// take turns going first (see the loop), so neither always pays for the other's leftovers.
//   run:   a fresh state dir per cycle, GatewayRuntime.runCycle (what `run` does), persistence included.
//   watch: one GatewayWatcher (reverify, timed driver + metrics, verdict) on its own state dir,
//          timed per loop iteration (watcher.run() with count 1), its history kept between calls.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GatewayRuntime, GatewayWatcher, httpDriver, loadFixture } from "@tau/gateway";
import { writeFixture } from "./generate-fixture.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const WORK = join(BENCH, ".work");
const CLI = join(ROOT, "apps/cli/bin/tau-gateway.js");
const CASES = Number(process.env.BENCH_WATCH_CASES ?? 20000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CONNECTIONS = 8;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const log = (...a) => console.error("[watch-bench]", ...a);

export async function watchThroughputScenario({ cases = CASES, runs = RUNS } = {}) {
  mkdirSync(WORK, { recursive: true });
  const fixturePath = join(WORK, `fixture-watch-${cases}.json`);
  writeFixture(fixturePath, { cases, actors: 16, malformedRatio: 0.02, seed: 99 });
  const fixture = await loadFixture(fixturePath, { maxBytes: 1 << 30 });
  const settings = { queueLimit: cases, processedCaseCap: cases, concurrency: CONNECTIONS, retryBaseDelayMs: 200, retryJitter: true };
  const server = spawn(process.execPath, [CLI, "serve-reference", "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const url = await new Promise((res, rej) => {
      let buf = "";
      server.stdout.on("data", (d) => { buf += d; const m = buf.match(/https?:\/\/\S+/); if (m) res(m[0]); });
      server.on("exit", (c) => rej(new Error(`serve-reference exited ${c}: ${buf}`)));
    });
    const driver = httpDriver({ targetUrl: url, requestTimeoutMs: 10_000, connections: CONNECTIONS });
    try {
      // Interleaved (run, watch, run, watch, ...) so that load from other processes on the
      // machine falls on both sides alike; cycle 0 of each is a warm-up.
      const runSecs = [];
      const watchSecs = [];
      // CPU seconds of this process per cycle: what the watch adds (metrics, verdict, reverify) is
      // CPU work here, and CPU time is far less disturbed by other load on the machine than wall time.
      const runCpu = [];
      const watchCpu = [];
      const cpuSec = (since) => { const u = process.cpuUsage(since); return (u.user + u.system) / 1e6; };
      const runDir = join(WORK, "watch-bench-run");
      const watchDir = join(WORK, "watch-bench-watch");
      rmSync(watchDir, { recursive: true, force: true });
      const watchRuntime = await GatewayRuntime.open({ stateDir: watchDir, settings });
      // count 1: each run() is one loop iteration (cycle, metrics, verdict); the watcher keeps its history across calls.
      const watcher = new GatewayWatcher({ runtime: watchRuntime, fixture, driver, settings: { intervalMs: 0, count: 1, minCycles: 1 } });
      try {
        const runSide = async () => {
          rmSync(runDir, { recursive: true, force: true });
          const runtime = await GatewayRuntime.open({ stateDir: runDir, settings });
          const cpu = process.cpuUsage();
          const start = process.hrtime.bigint();
          await runtime.runCycle(fixture, { driver });
          const sec = Number(process.hrtime.bigint() - start) / 1e9;
          const cpuSecs = cpuSec(cpu);
          await runtime.close();
          return { sec, cpuSecs };
        };
        const watchSide = async (i) => {
          const cpu = process.cpuUsage();
          const start = process.hrtime.bigint();
          const summary = await watcher.run();
          const sec = Number(process.hrtime.bigint() - start) / 1e9;
          const cpuSecs = cpuSec(cpu);
          if (summary.completedCycles !== i + 1) throw new Error(`watch cycle ${i} did not complete`);
          return { sec, cpuSecs };
        };
        for (let i = 0; i <= runs; i++) {
          // The order alternates (run first, then watch first): whichever side goes second pays for
          // the first one's garbage collection and the kernel's writeback of its files, so a fixed
          // order would charge that to one side only.
          const runFirst = i % 2 === 0;
          let run;
          let watch;
          if (runFirst) {
            run = await runSide();
            watch = await watchSide(i);
          } else {
            watch = await watchSide(i);
            run = await runSide();
          }
          if (i > 0) {
            runSecs.push(run.sec);
            watchSecs.push(watch.sec);
            runCpu.push(run.cpuSecs);
            watchCpu.push(watch.cpuSecs);
          }
          log(
            `pair ${i}${i === 0 ? " (warm-up)" : ""}, ${runFirst ? "run first" : "watch first"}: ` +
              `run ${run.sec.toFixed(2)} s (cpu ${run.cpuSecs.toFixed(2)} s), watch ${watch.sec.toFixed(2)} s (cpu ${watch.cpuSecs.toFixed(2)} s)`,
          );
        }
      } finally {
        await watchRuntime.close();
        rmSync(watchDir, { recursive: true, force: true });
        rmSync(runDir, { recursive: true, force: true });
      }
      const runCps = cases / median(runSecs);
      const watchCps = cases / median(watchSecs);
      const pairRatios = runSecs.map((r, i) => r / watchSecs[i]);
      const cpuRatio = median(runCpu) / median(watchCpu);
      return { cases, connections: CONNECTIONS, runs, runCps, watchCps, ratio: watchCps / runCps, pairRatio: median(pairRatios), cpuRatio, runCpu: median(runCpu), watchCpu: median(watchCpu), runSecs, watchSecs };
    } finally {
      await driver.close();
    }
  } finally {
    server.kill("SIGTERM");
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await watchThroughputScenario();
  console.log(
    `watch throughput, ${r.cases} cases at concurrency ${r.connections}, median of ${r.runs}: ` +
      `run ${r.runCps.toFixed(0)} cases/s, watch ${r.watchCps.toFixed(0)} cases/s, watch/run ${(r.ratio * 100).toFixed(1)} % ` +
      `(median of the per-pair ratios ${(r.pairRatio * 100).toFixed(1)} %); ` +
      `CPU per cycle in the runner process: run ${r.runCpu.toFixed(2)} s, watch ${r.watchCpu.toFixed(2)} s, run/watch ${(r.cpuRatio * 100).toFixed(1)} %`,
  );
}
