// Merge bench: `node bench/merge.mjs` after a build (wired into `npm run bench` by bench/run.mjs,
// or run alone). Splits a generated fixture over 8 shards run as 8 processes (two at a time: the
// bench machine has 2 cores), then measures `tau-gateway merge` of the 8 state dirs into a fresh
// dir, at two sizes, to check the target (800k cases: ≤ 2 s, ≤ 512 MB) and linear growth.
// Env: BENCH_MERGE_SIZES (default "200000,800000"), BENCH_MERGE_SHARDS (8), BENCH_RUNS (5),
// BENCH_MERGE_PARALLEL (2). Shard dirs are cached in bench/.work/ while their fixture matches.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { availableParallelism, loadavg } from "node:os";
import { writeFixture } from "./generate-fixture.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const WORK = join(BENCH, ".work");
const CLI = join(ROOT, "apps/cli/bin/tau-gateway.js");
const SIZES = (process.env.BENCH_MERGE_SIZES ?? "200000,800000").split(",").map(Number);
const SHARDS = Number(process.env.BENCH_MERGE_SHARDS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PARALLEL = Number(process.env.BENCH_MERGE_PARALLEL ?? 2);
const HAVE_TIME = existsSync("/usr/bin/time");
const t0 = Date.now();
const log = (...a) => console.error(`[bench merge +${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
mkdirSync(WORK, { recursive: true });

/** Runs `node ARGS`; wall time measured here, peak RSS by /usr/bin/time (or the preload). */
function runNode(args, tag) {
  const rssFile = join(WORK, `rss-merge-${tag}.txt`);
  rmSync(rssFile, { force: true });
  const [cmd, argv] = HAVE_TIME
    ? ["/usr/bin/time", ["-f", "%e %M %U %S", "-o", rssFile, process.execPath, ...args]]
    : [process.execPath, ["--import", join(BENCH, "rss-preload.mjs"), ...args]];
  return new Promise((res) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, BENCH_RSS_OUT: rssFile }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => { if (out.length < 1 << 16) out += d; });
    child.stderr.on("data", (d) => { if (out.length < 1 << 16) out += d; });
    child.on("close", (code) => {
      const sec = Number(process.hrtime.bigint() - start) / 1e9;
      let rssKB = NaN;
      let cpuSec = NaN;
      try {
        const txt = readFileSync(rssFile, "utf8").trim().split("\n").pop();
        const fields = txt.split(/\s+/);
        rssKB = Number(HAVE_TIME ? fields[1] : txt);
        // CPU time (user + sys) says more than wall time on a machine shared with other work.
        if (HAVE_TIME) cpuSec = Number(fields[2]) + Number(fields[3]);
      } catch {}
      res({ sec, rssKB, cpuSec, code, out });
    });
  });
}

/** The 8 shard state dirs of an N-case fixture, run as 8 processes; reused while present. */
async function shardDirs(cases) {
  const dir = join(WORK, `merge-${cases}x${SHARDS}`);
  const dirs = Array.from({ length: SHARDS }, (_, i) => join(dir, `shard-${i + 1}`));
  const done = join(dir, "done");
  // Reused only when made by the CLI build being measured: dirs of an older build can lack files
  // the merge reads (e.g. a matching last-cycle.jsonl), which would make the merge look cheaper.
  const builtAt = statSync(join(ROOT, "packages/gateway-runtime/dist/index.js")).mtimeMs;
  if (existsSync(done) && readFileSync(done, "utf8") === String(builtAt)) return dirs;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const fixture = join(dir, "fixture.json");
  writeFixture(fixture, { cases, actors: 16, malformedRatio: 0.02, seed: 42 });
  log(`running ${SHARDS} shards of ${cases} cases, ${PARALLEL} at a time...`);
  const queue = dirs.map((d, i) => [d, i + 1]);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [stateDir, index] = next;
      const r = await runNode([CLI, "run", "--gateway-fixture", fixture, "--gateway-shard", `${index}/${SHARDS}`, "--gateway-state-dir", stateDir,
        "--gateway-queue-limit", String(cases), "--gateway-processed-case-cap", String(cases), "--gateway-max-fixture-bytes", String(2 ** 31)], `shard-${index}`);
      if (r.code !== 0) throw new Error(`shard ${index}/${SHARDS} exited ${r.code}: ${r.out.slice(-500)}`);
      log(`shard ${index}/${SHARDS}: ${r.sec.toFixed(1)} s, peak RSS ${(r.rssKB / 1024).toFixed(0)} MB`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  rmSync(fixture);
  writeFileSync(done, String(builtAt));
  return dirs;
}

async function mergeScenario(cases) {
  const dirs = await shardDirs(cases);
  const merged = join(WORK, `merged-${cases}`);
  const secs = [];
  const rss = [];
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    rmSync(merged, { recursive: true, force: true });
    // Every run starts with nothing waiting to be written back (the shard dirs just made, the
    // last run's output): otherwise its fsync waits behind their writeback.
    execFileSync("sync");
    const r = await runNode([CLI, "merge", "--gateway-state-dir", merged, ...dirs], `merge-${cases}`);
    if (r.code !== 0) throw new Error(`merge exited ${r.code}: ${r.out.slice(-500)}`);
    secs.push(r.sec);
    rss.push(r.rssKB / 1024);
    cpu.push(r.cpuSec);
  }
  let state;
  try {
    state = JSON.parse(readFileSync(join(merged, "state.json"), "utf8"));
  } catch (error) {
    throw new Error(`merged state.json of ${cases} cases does not parse: ${String(error.message).slice(0, 200)}`);
  }
  rmSync(merged, { recursive: true, force: true });
  const result = { cases, shards: SHARDS, runs: secs.length, median: median(secs), cpu: median(cpu), peakRssMB: Math.max(...rss), secs, cpus: cpu, requests: state.requests.length, load: loadavg()[0] };
  log(`merge ${SHARDS} × ${cases / SHARDS}: median ${result.median.toFixed(3)} s (CPU ${result.cpu.toFixed(2)} s), peak RSS ${result.peakRssMB.toFixed(0)} MB, ${result.requests} request records, load ${result.load.toFixed(1)}`);
  return result;
}

const results = [];
for (const size of SIZES) results.push(await mergeScenario(size));
const [small, large] = [results[0], results[results.length - 1]];
const ratio = large.median / small.median;
const cpuRatio = large.cpu / small.cpu;
const target = large.cases >= 800_000 ? (large.median <= 2 && large.peakRssMB <= 512 ? "met" : "not met") : "—";
const lines = [
  "| Scenario | Median s | CPU s (user+sys) | Peak RSS MB | Target | Met / not met |",
  "|---|---|---|---|---|---|",
  ...results.map((r) => `| merge ${r.shards} shard dirs × ${r.cases / r.shards} cases (${r.cases} in all) | ${r.median.toFixed(3)} | ${r.cpu.toFixed(2)} | ${r.peakRssMB.toFixed(0)} | ${r.cases >= 800_000 ? "≤ 2 s, ≤ 512 MB" : "—"} | ${r.cases >= 800_000 ? target : "—"} |`),
  `| merge scaling ${small.cases}→${large.cases} | ${ratio.toFixed(2)}× wall | ${cpuRatio.toFixed(2)}× CPU | — | linear: ≤ ${(1.5 * large.cases / small.cases).toFixed(0)}× for ${(large.cases / small.cases).toFixed(0)}× the cases | ${cpuRatio <= 1.5 * large.cases / small.cases ? "met" : "not met"} |`,
  "",
  ...results.map((r) => `- merge ${r.cases}: ${r.runs} runs, wall ${r.secs.map((s) => s.toFixed(3)).join(", ")} s, CPU ${r.cpus.map((s) => s.toFixed(2)).join(", ")} s, 1-min load average ${r.load.toFixed(1)} on ${availableParallelism()} cores`),
];
console.log(lines.join("\n"));
