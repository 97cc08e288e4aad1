// Tau gateway bench: `npm run bench` (builds first). Plain Node ESM; autocannon and newman are
// dev dependencies of this bench workspace only, for the live-mode comparisons.
//
// Usage: node bench/run.mjs [--only LIST] [--variant NAME=FLAGS]... [--runs N]
//   --only       comma-separated scenarios (default all): cycle, warm, million, variants, inspect,
//                cold, live, nginx
//   --variant    a capability to measure on vs off (repeatable; adds to bench/variants.mjs): the
//                100k-case cycle is run with and without FLAGS (split on spaces; `{out}` becomes a
//                fresh directory per run), interleaved, e.g.
//                --variant "report=--gateway-report {out}/report.html"
//   --runs       runs per scenario (default BENCH_RUNS or 5)
// Env: BENCH_EVENTS_MB (default 1024), BENCH_RUNS (default 5), BENCH_COLD_RUNS (default 10),
//      BENCH_MILLION_RUNS (default 3), BENCH_CHILD_TIMEOUT_MS (default 600000),
//      BENCH_RESULTS (default bench/RESULTS.md),
//      BENCH_BASELINE_CLI: the tau-gateway.js of another build (e.g. a copy of main); the cycle,
//      warm and million scenarios then run it too, interleaved, as a before/after row.
// Every ratio compares medians of runs interleaved in the same process (scenario, floor, scenario,
// floor, ...), so a change of machine load hits both sides alike. CPU seconds (user + sys of the
// child, from /usr/bin/time) are reported beside wall time: on a shared machine they move far less.
import { spawn, execSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, readFileSync, writeFileSync, statSync, openSync, writeSync, closeSync, renameSync, cpSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cpus, totalmem, tmpdir } from "node:os";
import { writeFixture } from "./generate-fixture.mjs";
import VARIANTS from "./variants.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const WORK = join(BENCH, ".work");
const CLI = join(ROOT, "apps/cli/bin/tau-gateway.js");
const BASELINE_CLI = process.env.BENCH_BASELINE_CLI;

const ALL_SCENARIOS = ["cycle", "warm", "million", "variants", "inspect", "cold", "live", "nginx"];
const args = process.argv.slice(2);
const opt = { only: ALL_SCENARIOS, variants: [...VARIANTS], runs: Number(process.env.BENCH_RUNS ?? 5) };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => { const v = args[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
  if (a === "--only") opt.only = value().split(",").map((x) => x.trim()).filter(Boolean);
  else if (a === "--runs") opt.runs = Number(value());
  else if (a === "--variant") {
    const v = value(); const eq = v.indexOf("=");
    if (eq < 1) throw new Error(`--variant wants NAME=FLAGS, got ${v}`);
    opt.variants.push({ name: v.slice(0, eq), flags: v.slice(eq + 1).split(/\s+/).filter(Boolean) });
  } else throw new Error(`unknown argument ${a} (see the head of bench/run.mjs)`);
}
for (const s of opt.only) if (!ALL_SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}; one of ${ALL_SCENARIOS.join(", ")}`);
const wants = (s) => opt.only.includes(s);

const RUNS = opt.runs;
const COLD_RUNS = Math.max(10, Number(process.env.BENCH_COLD_RUNS ?? 10));
const MILLION_RUNS = Number(process.env.BENCH_MILLION_RUNS ?? 3);
const EVENTS_MB = Number(process.env.BENCH_EVENTS_MB ?? 1024);
const CHILD_TIMEOUT_MS = Number(process.env.BENCH_CHILD_TIMEOUT_MS ?? 600_000);
const HAVE_TIME = existsSync("/usr/bin/time");
const t0 = Date.now();

mkdirSync(WORK, { recursive: true });
const log = (...a) => console.error(`[bench +${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);
const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); if (!s.length) return NaN; const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fresh = (dir) => rmSync(dir, { recursive: true, force: true });

/** Run `node ARGS` once; returns {sec, cpu, rssKB, code, stdout}. Wall time is measured here; peak RSS and CPU by /usr/bin/time (or the preload, RSS only). */
function runNode(args, { cwd = ROOT, env = {} } = {}) {
  const rssFile = join(WORK, `rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  let cmd, argv;
  if (HAVE_TIME) { cmd = "/usr/bin/time"; argv = ["-f", "%e %M %U %S", "-o", rssFile, process.execPath, ...args]; }
  else { cmd = process.execPath; argv = ["--import", join(BENCH, "rss-preload.mjs"), ...args]; }
  return new Promise((res) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env, BENCH_RSS_OUT: rssFile }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => { if (stdout.length < 1 << 20) stdout += d; });
    child.stderr.on("data", (d) => { if (stderr.length < 1 << 16) stderr += d; });
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const sec = Number(process.hrtime.bigint() - start) / 1e9;
      let rssKB = NaN, cpu = NaN;
      try {
        const txt = readFileSync(rssFile, "utf8").trim().split("\n").pop().split(/\s+/);
        if (HAVE_TIME) { rssKB = Number(txt[1]); cpu = Number(txt[2]) + Number(txt[3]); } else rssKB = Number(txt[0]);
      } catch {}
      res({ sec, cpu, rssKB, code: signal ? `signal ${signal}` : code, stdout, stderr });
    });
  });
}

/**
 * Runs several measurements interleaved: run 1 of each spec, then run 2 of each, ... so load
 * changes on a shared machine hit every side alike. A spec: {label, args(i), prep?(i), env?,
 * okCodes?, parse?(stdout) -> number}. Stops a spec at its first bad exit code.
 */
async function measureInterleaved(specs, n) {
  const out = specs.map((s) => ({ label: s.label, runs: 0, secs: [], cpus: [], rss: [], values: [], error: null }));
  for (let i = 0; i < n; i++) {
    for (const [k, spec] of specs.entries()) {
      const m = out[k];
      if (m.error) continue;
      if (spec.prep) spec.prep(i);
      const r = await runNode(spec.args(i), { env: spec.env });
      if (!(spec.okCodes ?? [0]).includes(r.code)) {
        m.error = `exit ${r.code}: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ").slice(0, 300)}`;
        log(`${m.label}: run ${i + 1} failed (${m.error})`);
        continue;
      }
      m.runs++; m.secs.push(r.sec); m.cpus.push(r.cpu); m.rss.push(r.rssKB);
      if (spec.parse) m.values.push(spec.parse(r.stdout));
    }
  }
  for (const m of out) {
    m.median = median(m.secs); m.cpu = median(m.cpus); m.value = median(m.values);
    m.peakRssMB = m.rss.length ? Math.max(...m.rss) / 1024 : NaN;
    log(`${m.label}: median ${m.median.toFixed(3)} s (cpu ${Number.isFinite(m.cpu) ? m.cpu.toFixed(2) : "n/a"} s) over ${m.runs} runs, peak RSS ${m.peakRssMB.toFixed(1)} MB`);
  }
  return out;
}

/** A runner and its floor (or a variant and its base): the two sides of one ratio; optionally a baseline build's runs. */
function pair(runner, floor, baseline) {
  const p = { runner, floor, ratio: runner.median / floor.median, cpuRatio: runner.cpu / floor.cpu };
  if (baseline) p.baseline = { runner: baseline, floor, ratio: baseline.median / floor.median, cpuRatio: baseline.cpu / floor.cpu };
  return p;
}

/** The baseline build's side of a runner/floor measurement, when BENCH_BASELINE_CLI is set. */
function baselineSpec(spec, argsFor) {
  return BASELINE_CLI ? [{ ...spec, label: `${spec.label} [baseline]`, args: argsFor }] : [];
}

const cycleArgs = (fixture, stateDir, n, extra = [], cli = CLI) => [cli, "run", "--gateway-fixture", fixture, "--gateway-state-dir", stateDir,
  "--gateway-queue-limit", String(n), "--gateway-processed-case-cap", String(n), ...extra];

function fixtureFile(n, seed = 42, extra = {}) {
  const tag = Object.entries(extra).map(([k, v]) => `-${k}${v === true ? "" : `=${v}`}`).join("");
  const path = join(WORK, `fixture-${n}${seed === 42 ? "" : `-s${seed}`}${tag}.json`);
  if (!existsSync(path)) { log(`generating ${n}-case fixture${tag}...`); writeFixture(path, { cases: n, actors: 16, malformedRatio: 0.02, seed, ...extra }); }
  return path;
}

// ---------------------------------------------------------------- 1. simulated cycle (fresh state dir)
async function cycleScenario(n) {
  const fixture = fixtureFile(n);
  const stateDir = join(WORK, `cycle-${n}`);
  const floorDir = join(WORK, `floor-cycle-${n}`);
  const runnerSpec = { label: `cycle ${n}`, args: () => cycleArgs(fixture, stateDir, n), prep: () => fresh(stateDir) };
  const [runner, floor, baseline] = await measureInterleaved([
    runnerSpec,
    { label: `floor-cycle ${n}`, args: () => [join(BENCH, "floor-cycle.mjs"), fixture, floorDir], prep: () => fresh(floorDir) },
    ...baselineSpec(runnerSpec, () => cycleArgs(fixture, stateDir, n, [], BASELINE_CLI)),
  ], RUNS);
  fresh(stateDir); fresh(floorDir);
  return pair(runner, floor, baseline);
}

// ---------------------------------------------------------------- 2. warm state dir
/**
 * A second cycle over a state dir that already holds a cycle: over the same 100k cases (all
 * duplicates), or over 100k cases whose first half ran before (the generator is sequential, so
 * the 50k fixture of the same seed is exactly the first half). Runner and floor start from a copy
 * of the same template state dir, made once by the runner.
 */
async function warmScenario(kind, n = 100000) {
  const fixture = fixtureFile(n);
  const before = kind === "duplicates" ? fixture : fixtureFile(n / 2);
  const template = join(WORK, `warm-template-${kind}`);
  fresh(template);
  const made = await runNode(cycleArgs(before, template, n));
  if (made.code !== 0) throw new Error(`warm template (${kind}): exit ${made.code}: ${made.stderr.slice(0, 300)}`);
  const stateDir = join(WORK, `warm-${kind}`);
  const floorDir = join(WORK, `floor-warm-${kind}`);
  const runnerSpec = { label: `warm cycle ${n} (${kind})`, args: () => cycleArgs(fixture, stateDir, n), prep: () => { fresh(stateDir); cpSync(template, stateDir, { recursive: true }); } };
  const [runner, floor, baseline] = await measureInterleaved([
    runnerSpec,
    { label: `floor-warm ${n} (${kind})`, args: () => [join(BENCH, "floor-cycle.mjs"), fixture, floorDir],
      prep: () => { fresh(floorDir); mkdirSync(floorDir, { recursive: true }); cpSync(join(template, "state.json"), join(floorDir, "state.json")); } },
    ...baselineSpec(runnerSpec, () => cycleArgs(fixture, stateDir, n, [], BASELINE_CLI)),
  ], RUNS);
  fresh(stateDir); fresh(floorDir); fresh(template);
  return pair(runner, floor, baseline);
}

// ---------------------------------------------------------------- 3. a million cases
async function millionScenario(n = 1_000_000) {
  const fixture = fixtureFile(n);
  const sizeMB = statSync(fixture).size / 1048576;
  const stateDir = join(WORK, `cycle-${n}`);
  const floorDir = join(WORK, `floor-cycle-${n}`);
  const big = ["--gateway-max-fixture-bytes", String(1 << 30)];
  const runnerSpec = { label: `cycle ${n}`, args: () => cycleArgs(fixture, stateDir, n, big), prep: () => fresh(stateDir) };
  const [runner, floor, baseline] = await measureInterleaved([
    runnerSpec,
    { label: `floor-cycle ${n}`, args: () => [join(BENCH, "floor-cycle.mjs"), fixture, floorDir], prep: () => fresh(floorDir) },
    ...baselineSpec(runnerSpec, () => cycleArgs(fixture, stateDir, n, big, BASELINE_CLI)),
  ], MILLION_RUNS);
  fresh(stateDir); fresh(floorDir);
  return { ...pair(runner, floor, baseline), sizeMB };
}

// ---------------------------------------------------------------- 4. capabilities on vs off
/** Each variant's flags on the 100k cycle against the same cycle without them, interleaved. */
async function variantScenarios(n = 100000) {
  const fixture = fixtureFile(n);
  const out = [];
  for (const v of opt.variants) {
    const baseDir = join(WORK, "variant-base"), onDir = join(WORK, `variant-${v.name}`), outDir = join(WORK, `variant-${v.name}-out`);
    const flags = v.flags.map((f) => f.replaceAll("{out}", outDir));
    const [on, off] = await measureInterleaved([
      { label: `cycle ${n} + ${v.name}`, args: () => cycleArgs(v.fixture ? fixtureFile(n, 42, v.fixture) : fixture, onDir, n, flags), prep: () => { fresh(onDir); fresh(outDir); mkdirSync(outDir, { recursive: true }); }, okCodes: v.okCodes },
      { label: `cycle ${n} (base of ${v.name})`, args: () => cycleArgs(fixture, baseDir, n), prep: () => fresh(baseDir), okCodes: v.okCodes },
    ], RUNS);
    fresh(baseDir); fresh(onDir); fresh(outDir);
    out.push({ variant: v, ...pair(on, off) });
  }
  return out;
}

// ---------------------------------------------------------------- 5. status inspect
function ensureEventsStateDir(mb) {
  const dir = join(WORK, `inspect-${mb}mb`);
  const events = join(dir, "runtime-events.jsonl");
  const target = mb * 1024 * 1024;
  if (existsSync(events) && statSync(events).size >= target && existsSync(join(dir, "state.json"))) return { dir, events };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // a real state.json from a small cycle
  const fx = join(WORK, "fixture-inspect.json");
  writeFixture(fx, { cases: 200, actors: 8, seed: 7 });
  execSync(`"${process.execPath}" "${CLI}" run --gateway-fixture "${fx}" --gateway-state-dir "${dir}" --gateway-queue-limit 200`, { stdio: "ignore" });
  const sample = readFileSync(events, "utf8").trim().split("\n")[0];
  const template = JSON.parse(sample);
  log(`generating ${mb} MB events log (template ${sample.length} bytes/line)...`);
  const tmp = `${events}.gen`;
  const fd = openSync(tmp, "w");
  let written = 0, ts = Date.now() - 10_000_000_000, i = 0;
  const CHUNK = 16 * 1024 * 1024;
  const variants = [
    { health_state: "healthy", health_reason: "no recent transport failures observed", rollout_gate: "pass", rollout_reason_code: "guardrail_checks_passing", reason_codes: ["healthy_cycle"] },
    { health_state: "degraded", health_reason: "recent transport failures observed (failure_streak=1, last_cycle_failed=1)", rollout_gate: "hold", rollout_reason_code: "retryable_failures_threshold_exceeded", reason_codes: ["malformed_inputs_observed", "retry_attempted", "retryable_failures_observed", "case_processing_failed"] },
    { health_state: "healthy", health_reason: "no recent transport failures observed", rollout_gate: "hold", rollout_reason_code: "malformed_input_observed", reason_codes: ["malformed_inputs_observed"] },
  ];
  while (written < target) {
    const parts = [];
    let size = 0;
    while (size < CHUNK) {
      const v = variants[i % 7 === 0 ? 1 : i % 5 === 0 ? 2 : 0];
      const d = 64 + (i % 937);
      const line = JSON.stringify({ ...template, timestamp_unix_ms: (ts += 1000 + (i % 13)), ...v,
        discovered_cases: d, queued_cases: d, applied_cases: d - (i % 3), duplicate_skips: i % 11, malformed_cases: i % 3,
        upserted_requests: d - (i % 3), failure_streak: v.health_state === "degraded" ? 1 : 0 }) + "\n";
      parts.push(line); size += line.length; i++;
    }
    const buf = Buffer.from(parts.join(""));
    writeSync(fd, buf); written += buf.length;
  }
  closeSync(fd);
  renameSync(tmp, events);
  log(`generated ${(written / 1048576).toFixed(0)} MB, ${i} lines`);
  return { dir, events };
}

async function inspectScenario() {
  const { dir, events } = ensureEventsStateDir(EVENTS_MB);
  const sizeMB = statSync(events).size / 1048576;
  const [runner, floor] = await measureInterleaved([
    { label: `inspect ${EVENTS_MB}MB`, args: () => [CLI, "--gateway-state-dir", dir, "--gateway-status-inspect", "--gateway-status-json"] },
    { label: `floor-inspect ${EVENTS_MB}MB`, args: () => [join(BENCH, "floor-inspect.mjs"), events] },
  ], RUNS);
  return { ...pair(runner, floor), sizeMB };
}

// ---------------------------------------------------------------- 6. cold start
async function coldScenario() {
  const [runner, floor] = await measureInterleaved([
    { label: "cold start tau-gateway --help", args: () => [CLI, "--help"] },
    { label: "cold start node -e 0", args: () => ["-e", "0"] },
  ], COLD_RUNS);
  return pair(runner, floor);
}

// ---------------------------------------------------------------- 7. live mode against the reference gateway
const lastJson = (field) => (stdout) => JSON.parse(stdout.trim().split("\n").pop())[field];

async function liveScenario(n = 20000, newmanCases = 500, connections = 8) {
  const fixture = join(WORK, `fixture-live-${n}.json`);
  writeFixture(fixture, { cases: n, actors: 16, malformedRatio: 0.02, seed: 99 });
  const server = spawn(process.execPath, [CLI, "serve-reference", "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const url = await new Promise((res, rej) => {
      let buf = "";
      const timer = setTimeout(() => rej(new Error(`serve-reference printed no URL: ${buf}`)), 15_000);
      server.stdout.on("data", (d) => { buf += d; const m = buf.match(/https?:\/\/\S+/); if (m) { clearTimeout(timer); res(m[0]); } });
      server.on("exit", (c) => rej(new Error(`serve-reference exited ${c}: ${buf}`)));
    });
    log(`reference gateway at ${url}`);
    const stateDir = join(WORK, "live-state");
    // Wall time of the whole CLI run: startup, fixture validation, every request, persistence.
    const [runner, autocannon] = await measureInterleaved([
      { label: `live ${n} cases c=${connections}`, prep: () => fresh(stateDir),
        args: () => cycleArgs(fixture, stateDir, n, ["--gateway-target-url", url, "--gateway-concurrency", String(connections)]) },
      { label: `autocannon ${n} requests c=${connections}`, args: () => [join(BENCH, "live-autocannon.mjs"), url, fixture, String(connections)], parse: lastJson("rps") },
    ], RUNS);
    fresh(stateDir);
    const [newman] = await measureInterleaved([
      { label: `newman ${newmanCases} cases`, args: () => [join(BENCH, "live-newman.mjs"), url, fixture, String(newmanCases)], parse: lastJson("cps") },
    ], RUNS);
    return { runner, n, connections, autocannonRps: autocannon.value, autocannon, newmanCps: newman.value, newman, newmanCases };
  } finally {
    server.kill("SIGTERM");
  }
}

// ---------------------------------------------------------------- 8. live mode against nginx
/** A free loopback port: bind port 0, read it, close (nginx binds it right after). */
function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}
async function waitForPort(port, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((res) => { const c = createConnection({ port, host: "127.0.0.1" }, () => { c.end(); res(true); }); c.on("error", () => res(false)); });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nginx did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The one answer nginx gives to every request; the nginx fixture expects exactly it. */
const NGINX_BODY = { status: "accepted", gateway: "nginx" };

/**
 * nginx from Debian as the target (setup: `command -v nginx || apt-get install -y nginx-light`):
 * one worker, every request answered 200 with one static JSON body, config generated into a
 * temp dir, run in the foreground as a child of this process. Unlike the reference gateway (a
 * Node server, itself the bottleneck) nginx leaves the client as the limit.
 */
async function nginxScenario(n = 20000, connections = 8) {
  const nginx = (() => { try { return execSync("command -v nginx", { encoding: "utf8", shell: "/bin/sh" }).trim(); } catch { return ""; } })();
  if (!nginx) return { skipped: "nginx not installed (apt-get install -y nginx-light)" };
  const fixture = join(WORK, `fixture-nginx-${n}.json`);
  writeFixture(fixture, { cases: n, actors: 16, malformedRatio: 0, seed: 77, staticAnswer: { status_code: 200, response_body: NGINX_BODY } });
  const dir = mkdtempSync(join(tmpdir(), "tau-bench-nginx-"));
  const port = await freePort();
  writeFileSync(join(dir, "nginx.conf"), `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:${port};
    location / {
      default_type application/json;
      return 200 '${JSON.stringify(NGINX_BODY)}';
    }
  }
}
`);
  const server = spawn(nginx, ["-p", dir, "-e", join(dir, "error.log"), "-c", join(dir, "nginx.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  let serverErr = "";
  server.stderr.on("data", (d) => { serverErr += d; });
  try {
    await waitForPort(port);
    const url = `http://127.0.0.1:${port}`;
    log(`nginx at ${url}`);
    const stateDir = join(WORK, "nginx-state");
    const [runner, autocannon] = await measureInterleaved([
      { label: `nginx: live ${n} cases c=${connections}`, prep: () => fresh(stateDir),
        args: () => cycleArgs(fixture, stateDir, n, ["--gateway-target-url", url, "--gateway-concurrency", String(connections)]) },
      { label: `nginx: autocannon ${n} requests c=${connections}`, args: () => [join(BENCH, "live-autocannon.mjs"), url, fixture, String(connections)], parse: lastJson("rps") },
    ], RUNS);
    fresh(stateDir);
    return { runner, autocannon, n, connections, autocannonRps: autocannon.value };
  } catch (error) {
    throw new Error(`${error.message}; nginx said: ${serverErr.slice(0, 300)}`);
  } finally {
    server.kill("SIGQUIT");
    await new Promise((r) => (server.exitCode !== null ? r() : server.once("exit", r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- main
const results = {};
if (wants("cycle")) { results.cycle = {}; for (const n of [1000, 10000, 100000]) results.cycle[n] = await cycleScenario(n); }
if (wants("warm")) results.warm = { duplicates: await warmScenario("duplicates"), half: await warmScenario("half-new") };
if (wants("million")) results.million = await millionScenario();
if (wants("variants")) results.variants = await variantScenarios();
if (wants("inspect")) results.inspect = await inspectScenario();
if (wants("cold")) results.cold = await coldScenario();
if (wants("live")) results.live = await liveScenario();
if (wants("nginx")) results.nginx = await nginxScenario();

const f = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const mb = (x) => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
const x = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "n/a");
const verdict = (conds) => (conds.some((c) => c === null || Number.isNaN(c)) ? "n/a" : conds.every(Boolean) ? "met" : "not met");
const failed = (...ms) => ms.find((m) => m?.error)?.error;
const rows = [];
/** One table row for a runner/floor pair; `checks(p)` gives the target's conditions. */
function pairRow(scenario, p, target, checks) {
  pairRowOnly(scenario, p, target, checks);
  if (p.baseline) pairRowOnly(`${scenario} — baseline build (BENCH_BASELINE_CLI)`, p.baseline, target, checks);
}
function pairRowOnly(scenario, p, target, checks) {
  const err = failed(p.runner, p.floor);
  rows.push({ scenario, median: f(p.runner.median), floor: f(p.floor.median), ratio: x(p.ratio), cpu: x(p.cpuRatio),
    rss: `${mb(p.runner.peakRssMB)} (floor ${mb(p.floor.peakRssMB)})`, target,
    verdict: err ? `not met (failed: ${err.slice(0, 120)})` : checks ? verdict(checks(p)) : "—" });
}
if (results.cycle) {
  for (const n of [1000, 10000, 100000]) {
    const p = results.cycle[n];
    if (n === 100000) pairRow("simulated cycle 100k cases", p, "≤ 1.5× floor, RSS ≤ 1.3× floor's", (q) => [q.ratio <= 1.5, q.runner.peakRssMB <= 1.3 * q.floor.peakRssMB]);
    else pairRow(`simulated cycle ${n / 1000}k cases`, p, "—");
  }
  const a = results.cycle[10000], b = results.cycle[100000];
  const s = b.runner.median / a.runner.median, fs = b.floor.median / a.floor.median;
  rows.push({ scenario: "cycle scaling 10k→100k", median: `${f(s, 2)}× (time ratio)`, floor: `${f(fs, 2)}× (floor)`, ratio: "—", cpu: "—", rss: "—",
    target: "≤ 12×", verdict: Number.isFinite(s) ? verdict([s <= 12]) : "not met (failed)" });
}
if (results.warm) {
  pairRow("warm state, 100k cases all duplicates", results.warm.duplicates, "≤ 1.5× floor", (q) => [q.ratio <= 1.5]);
  pairRow("warm state, 100k cases half new", results.warm.half, "≤ 1.5× floor", (q) => [q.ratio <= 1.5]);
}
if (results.million) {
  pairRow(`simulated cycle 1M cases (${results.million.sizeMB.toFixed(0)} MB fixture)`, results.million, "≤ 1.5× floor, RSS ≤ 1536 MB",
    (q) => [q.ratio <= 1.5, q.runner.peakRssMB <= 1536]);
}
if (results.variants) {
  for (const v of results.variants) {
    rows.push({ scenario: `100k cycle with ${v.variant.name} (${v.variant.fixture ? `the same cases as a v2 fixture with matchers` : `\`${v.variant.flags.join(" ")}\``}) vs without`, median: f(v.runner.median), floor: `${f(v.floor.median)} (off)`,
      ratio: x(v.ratio), cpu: x(v.cpuRatio), rss: `${mb(v.runner.peakRssMB)} (off ${mb(v.floor.peakRssMB)})`, target: "≤ 1.10× off",
      verdict: failed(v.runner, v.floor) ? `not met (failed: ${failed(v.runner, v.floor).slice(0, 120)})` : verdict([v.ratio <= 1.1]) });
  }
}
if (results.inspect) {
  const p = results.inspect;
  pairRow(`status inspect ${p.sizeMB.toFixed(0)} MB events log`, p, `≤ 1.2× floor, ≤ 128 MB${EVENTS_MB === 1024 ? "" : " (target is for 1 GB)"}`,
    (q) => [q.ratio <= 1.2, q.runner.peakRssMB <= 128]);
}
if (results.cold) pairRow("CLI cold start (--help vs node -e 0)", results.cold, "≤ 3× node -e 0", (q) => [q.ratio <= 3]);
if (results.live) {
  const { runner, n, connections, autocannonRps, newmanCps, newmanCases, autocannon, newman } = results.live;
  const cps = n / runner.median;
  const err = failed(runner, autocannon);
  rows.push({ scenario: `live mode ${n / 1000}k cases, concurrency ${connections}, reference gateway`, median: f(runner.median), floor: "—", ratio: `${f(cps, 0)} cases/s`, cpu: "—",
    rss: mb(runner.peakRssMB), target: "—", verdict: err ? `failed (${err})` : "—" });
  rows.push({ scenario: `live vs autocannon (${f(autocannonRps, 0)} req/s, same server and connections)`, median: "—", floor: "—", ratio: `${f((cps / autocannonRps) * 100, 0)} %`, cpu: "—",
    rss: "—", target: "≥ 100 % of autocannon", verdict: err ? "not met (failed)" : verdict([cps / autocannonRps >= 1]) });
  rows.push({ scenario: `live vs newman (${f(newmanCps, 0)} cases/s over ${newmanCases} cases)`, median: "—", floor: "—", ratio: `${f(cps / newmanCps, 1)}×`, cpu: "—",
    rss: "—", target: "≥ 10× newman", verdict: failed(runner, newman) ? "not met (failed)" : verdict([cps / newmanCps >= 10]) });
}
if (results.nginx) {
  const r = results.nginx;
  if (r.skipped) rows.push({ scenario: "live mode against nginx", median: "—", floor: "—", ratio: "—", cpu: "—", rss: "—", target: "≥ 85 % of autocannon", verdict: `n/a (${r.skipped})` });
  else {
    const cps = r.n / r.runner.median;
    const err = failed(r.runner, r.autocannon);
    rows.push({ scenario: `live mode ${r.n / 1000}k cases, concurrency ${r.connections}, nginx (1 worker, static JSON)`, median: f(r.runner.median), floor: "—", ratio: `${f(cps, 0)} cases/s`, cpu: "—",
      rss: mb(r.runner.peakRssMB), target: "—", verdict: err ? `failed (${err})` : "—" });
    rows.push({ scenario: `nginx: live vs autocannon (${f(r.autocannonRps, 0)} req/s, same server and connections)`, median: "—", floor: "—", ratio: `${f((cps / r.autocannonRps) * 100, 0)} %`, cpu: "—",
      rss: "—", target: "≥ 85 % of autocannon", verdict: err ? "not met (failed)" : verdict([cps / r.autocannonRps >= 0.85]) });
  }
}

const header = ["Scenario", "Median s", "Floor s", "Ratio", "CPU ratio", "Peak RSS MB", "Target", "Met / not met"];
const keys = ["scenario", "median", "floor", "ratio", "cpu", "rss", "target", "verdict"];
const md = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${keys.map((k) => r[k]).join(" | ")} |`)].join("\n");

// plain-text table for the terminal
const widths = keys.map((k, i) => Math.max(header[i].length, ...rows.map((r) => String(r[k]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
console.log("\n" + line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of rows) console.log(line(keys.map((k) => r[k])));

const sh = (c) => { try { return execSync(c, { encoding: "utf8" }).trim(); } catch { return "n/a"; } };
const cpuModel = (() => { try { return (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) || [])[1] ?? cpus()[0]?.model; } catch { return cpus()[0]?.model; } })();
const detail = (m) => `${m.label}: ${m.runs} runs, wall ${m.secs.map((s) => s.toFixed(3)).join(", ")} s; cpu ${m.cpus.map((s) => f(s, 2)).join(", ")} s; peak RSS ${m.rss.map((k) => mb(k / 1024)).join(", ")} MB${m.values.length ? `; value ${m.values.map((v) => f(v, 0)).join(", ")}` : ""}${m.error ? ` — ERROR ${m.error}` : ""}`;
const all = [];
const collect = (o) => { if (!o || typeof o !== "object") return; if (Array.isArray(o.secs) && o.label) { if (!all.includes(o)) all.push(o); return; } for (const v of Object.values(o)) collect(v); };
collect(results);
const notMet = rows.filter((r) => r.verdict.startsWith("not met") || r.verdict.startsWith("failed"));
const notRun = ALL_SCENARIOS.filter((s) => !wants(s));

const doc = `# Tau gateway bench results

Generated by \`npm run bench\` (bench/run.mjs). Real figures from the last run; re-run to refresh.

- Date: ${sh("date -u")}
- Machine: ${sh("nproc")} CPUs (nproc), ${cpuModel}, ${(totalmem() / 1073741824).toFixed(1)} GiB total memory; load average at the end: ${sh("cut -d' ' -f1-3 /proc/loadavg")}
- Node: ${process.version}; peak RSS and CPU seconds (user + sys) via ${HAVE_TIME ? "`/usr/bin/time -f \"%e %M %U %S\"`" : "`--import bench/rss-preload.mjs` (process.resourceUsage().maxRSS; no CPU figures)"}; wall time measured by the parent around each child (so it includes Node startup)
- Runs: ${RUNS} per scenario (median), ${COLD_RUNS} for cold start, ${MILLION_RUNS} for 1M cases; sides of each ratio interleaved; events log ${results.inspect ? results.inspect.sizeMB.toFixed(0) : "—"} MB (BENCH_EVENTS_MB=${EVENTS_MB})
- Baseline build: ${BASELINE_CLI ?? "none"}
- Scenarios: ${opt.only.join(", ")}${notRun.length ? ` (not run this time: ${notRun.join(", ")})` : ""}; variants: ${opt.variants.length ? opt.variants.map((v) => v.name).join(", ") : "none"}
- Total bench time: ${((Date.now() - t0) / 1000).toFixed(0)} s

${md}

## Not met

${notMet.length ? notMet.map((r) => `- **${r.scenario}**: ${r.ratio !== "—" ? `ratio ${r.ratio}, ` : `${r.median}, `}peak RSS ${r.rss} MB; target ${r.target}.`).join("\n") : "- everything measured met its target."}

## What each scenario measures

See bench/README.md.

## Raw runs

${all.map((m) => `- ${detail(m)}`).join("\n")}
`;
const outPath = process.env.BENCH_RESULTS ?? join(BENCH, "RESULTS.md");
writeFileSync(outPath, doc);
log(`wrote ${outPath}`);
