// Tau gateway bench: `npm run bench` (builds first). Plain Node ESM; autocannon and newman are
// dev dependencies of this bench workspace only, for the live-mode comparisons.
// Env: BENCH_EVENTS_MB (default 1024), BENCH_RUNS (default 5), BENCH_COLD_RUNS (default 10).
import { spawn, execSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, readFileSync, writeFileSync, statSync, openSync, writeSync, closeSync, renameSync, cpSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cpus, totalmem } from "node:os";
import { writeFixture } from "./generate-fixture.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const WORK = join(BENCH, ".work");
const CLI = join(ROOT, "apps/cli/bin/tau-gateway.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COLD_RUNS = Math.max(10, Number(process.env.BENCH_COLD_RUNS ?? 10));
const EVENTS_MB = Number(process.env.BENCH_EVENTS_MB ?? 1024);
const CHILD_TIMEOUT_MS = Number(process.env.BENCH_CHILD_TIMEOUT_MS ?? 300_000);
const HAVE_TIME = existsSync("/usr/bin/time");
const t0 = Date.now();

mkdirSync(WORK, { recursive: true });
const log = (...a) => console.error(`[bench +${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Run `node ARGS` once; returns {sec, rssKB, code, stdout}. Wall time is measured here, peak RSS by /usr/bin/time or the preload. */
function runNode(args, { cwd = ROOT, env = {} } = {}) {
  const rssFile = join(WORK, `rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  let cmd, argv;
  if (HAVE_TIME) { cmd = "/usr/bin/time"; argv = ["-f", "%e %M", "-o", rssFile, process.execPath, ...args]; }
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
      let rssKB = NaN;
      try {
        const txt = readFileSync(rssFile, "utf8").trim().split("\n").pop();
        rssKB = Number(HAVE_TIME ? txt.split(/\s+/)[1] : txt);
      } catch {}
      res({ sec, rssKB, code: signal ? `signal ${signal}` : code, stdout, stderr });
    });
  });
}

/** Repeat a measurement; `prep(i)` runs untimed before each run. Fails fast on a bad exit code. */
async function measure(label, n, argsFor, { prep, env, okCodes = [0] } = {}) {
  const secs = [], rss = [];
  let error = null;
  for (let i = 0; i < n; i++) {
    if (prep) prep(i);
    const r = await runNode(argsFor(i), { env });
    if (!okCodes.includes(r.code)) {
      error = `exit ${r.code}: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ").slice(0, 300)}`;
      log(`${label}: run ${i + 1} failed (${error})`);
      break;
    }
    secs.push(r.sec); rss.push(r.rssKB);
  }
  const out = { label, runs: secs.length, median: secs.length ? median(secs) : NaN, peakRssMB: rss.length ? Math.max(...rss) / 1024 : NaN, secs, error };
  log(`${label}: median ${out.median.toFixed(3)} s over ${out.runs} runs, peak RSS ${out.peakRssMB.toFixed(1)} MB`);
  return out;
}

// ---------------------------------------------------------------- 1. simulated cycle
async function cycleScenario(n) {
  const fixture = join(WORK, `fixture-${n}.json`);
  writeFixture(fixture, { cases: n, actors: 16, malformedRatio: 0.02, seed: 42 });
  const stateDir = join(WORK, `cycle-${n}`);
  const floorDir = join(WORK, `floor-cycle-${n}`);
  const runner = await measure(`cycle ${n}`, RUNS, () => [CLI, "run", "--gateway-fixture", fixture, "--gateway-state-dir", stateDir,
    "--gateway-queue-limit", String(n), "--gateway-processed-case-cap", String(n)], { prep: () => rmSync(stateDir, { recursive: true, force: true }) });
  const floor = await measure(`floor-cycle ${n}`, RUNS, () => [join(BENCH, "floor-cycle.mjs"), fixture, floorDir],
    { prep: () => rmSync(floorDir, { recursive: true, force: true }) });
  rmSync(stateDir, { recursive: true, force: true }); rmSync(floorDir, { recursive: true, force: true });
  return { runner, floor };
}

// ---------------------------------------------------------------- 2. status inspect
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
  const runner = await measure(`inspect ${EVENTS_MB}MB`, RUNS, () => [CLI, "--gateway-state-dir", dir, "--gateway-status-inspect", "--gateway-status-json"]);
  const floor = await measure(`floor-inspect ${EVENTS_MB}MB`, RUNS, () => [join(BENCH, "floor-inspect.mjs"), events]);
  return { runner, floor, sizeMB };
}

// ---------------------------------------------------------------- 3. cold start
async function coldScenario() {
  const runner = await measure("cold start tau-gateway --help", COLD_RUNS, () => [CLI, "--help"]);
  const floor = await measure("cold start node -e 0", COLD_RUNS, () => ["-e", "0"]);
  return { runner, floor };
}

// ---------------------------------------------------------------- 4. live mode
/** Median of a child script's JSON figure over `runs` runs. */
async function medianOf(label, runs, args, field) {
  const values = [];
  for (let i = 0; i < runs; i++) {
    const r = await runNode(args);
    if (r.code !== 0) throw new Error(`${label}: exit ${r.code}: ${r.stderr.slice(0, 300)}`);
    values.push(JSON.parse(r.stdout.trim().split("\n").pop())[field]);
  }
  log(`${label}: median ${median(values).toFixed(0)} ${field} over ${runs} runs (${values.map((v) => v.toFixed(0)).join(", ")})`);
  return median(values);
}

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
    const runner = await measure(`live ${n} cases c=${connections}`, RUNS, () => [CLI, "run", "--gateway-fixture", fixture, "--gateway-state-dir", stateDir,
      "--gateway-target-url", url, "--gateway-concurrency", String(connections), "--gateway-queue-limit", String(n), "--gateway-processed-case-cap", String(n)],
      { prep: () => rmSync(stateDir, { recursive: true, force: true }) });
    rmSync(stateDir, { recursive: true, force: true });
    const autocannonRps = await medianOf(`autocannon ${n} requests c=${connections}`, RUNS, [join(BENCH, "live-autocannon.mjs"), url, fixture, String(connections)], "rps");
    const newmanCps = await medianOf(`newman ${newmanCases} cases`, RUNS, [join(BENCH, "live-newman.mjs"), url, fixture, String(newmanCases)], "cps");
    return { runner, n, connections, autocannonRps, newmanCps, newmanCases };
  } finally {
    server.kill("SIGTERM");
  }
}

// ---------------------------------------------------------------- main
const results = {};
results.cycle = {};
for (const n of [1000, 10000, 100000]) results.cycle[n] = await cycleScenario(n);
results.inspect = await inspectScenario();
results.cold = await coldScenario();
results.live = await liveScenario();

const f = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const mb = (x) => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
const verdict = (conds) => (conds.some((c) => c === null) ? "n/a" : conds.every(Boolean) ? "met" : "not met");
const rows = [];
for (const n of [1000, 10000, 100000]) {
  const { runner, floor } = results.cycle[n];
  const ratio = runner.median / floor.median;
  const is100k = n === 100000;
  const ok = Number.isFinite(ratio) && !runner.error;
  rows.push({ scenario: `simulated cycle ${n / 1000}k cases`, median: f(runner.median), floor: f(floor.median), ratio: f(ratio, 2) + "×",
    rss: `${mb(runner.peakRssMB)} (floor ${mb(floor.peakRssMB)})`,
    target: is100k ? "≤ 2.5× floor, ≤ 512 MB" : "—",
    verdict: is100k ? (ok ? verdict([ratio <= 2.5, runner.peakRssMB <= 512]) : "not met (failed)") : "—" });
}
{
  const a = results.cycle[10000], b = results.cycle[100000];
  const s = b.runner.median / a.runner.median, fs = b.floor.median / a.floor.median;
  rows.push({ scenario: "cycle scaling 10k→100k", median: `${f(s, 2)}× (time ratio)`, floor: `${f(fs, 2)}× (floor)`, ratio: "—", rss: "—",
    target: "≤ 12×", verdict: Number.isFinite(s) ? verdict([s <= 12]) : "not met (failed)" });
}
{
  const { runner, floor, sizeMB } = results.inspect;
  const ratio = runner.median / floor.median;
  const ok = Number.isFinite(ratio) && !runner.error;
  rows.push({ scenario: `status inspect ${sizeMB.toFixed(0)} MB events log`, median: f(runner.median), floor: f(floor.median), ratio: f(ratio, 2) + "×",
    rss: `${mb(runner.peakRssMB)} (floor ${mb(floor.peakRssMB)})`, target: `≤ 1.5× floor, ≤ 128 MB${EVENTS_MB === 1024 ? "" : " (target is for 1 GB)"}`,
    verdict: ok ? verdict([ratio <= 1.5, runner.peakRssMB <= 128]) : `not met (${runner.error ?? "failed"})` });
}
{
  const { runner, floor } = results.cold;
  const ratio = runner.median / floor.median;
  rows.push({ scenario: "CLI cold start (--help vs node -e 0)", median: f(runner.median), floor: f(floor.median), ratio: f(ratio, 2) + "×",
    rss: `${mb(runner.peakRssMB)} (floor ${mb(floor.peakRssMB)})`, target: "≤ 3× node -e 0", verdict: Number.isFinite(ratio) ? verdict([ratio <= 3]) : "not met (failed)" });
}
{
  const { runner, n, connections, autocannonRps, newmanCps, newmanCases } = results.live;
  const cps = n / runner.median;
  const vsAutocannon = cps / autocannonRps;
  const vsNewman = cps / newmanCps;
  rows.push({ scenario: `live mode ${n / 1000}k cases, concurrency ${connections}`, median: f(runner.median), floor: "—", ratio: `${f(cps, 0)} cases/s`,
    rss: mb(runner.peakRssMB), target: "—", verdict: runner.error ? `failed (${runner.error})` : "—" });
  rows.push({ scenario: `live vs autocannon (${f(autocannonRps, 0)} req/s, same server and connections)`, median: "—", floor: "—", ratio: `${f(vsAutocannon * 100, 0)} %`,
    rss: "—", target: "≥ 70 % of autocannon", verdict: runner.error ? "not met (failed)" : verdict([vsAutocannon >= 0.7]) });
  rows.push({ scenario: `live vs newman (${f(newmanCps, 0)} cases/s over ${newmanCases} cases)`, median: "—", floor: "—", ratio: `${f(vsNewman, 1)}×`,
    rss: "—", target: "≥ 10× newman", verdict: runner.error ? "not met (failed)" : verdict([vsNewman >= 10]) });
}

const header = ["Scenario", "Median s", "Floor s", "Ratio", "Peak RSS MB", "Target", "Met / not met"];
const keys = ["scenario", "median", "floor", "ratio", "rss", "target", "verdict"];
const md = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${keys.map((k) => r[k]).join(" | ")} |`)].join("\n");

// plain-text table for the terminal
const widths = keys.map((k, i) => Math.max(header[i].length, ...rows.map((r) => String(r[k]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
console.log("\n" + line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of rows) console.log(line(keys.map((k) => r[k])));

const sh = (c) => { try { return execSync(c, { encoding: "utf8" }).trim(); } catch { return "n/a"; } };
const cpuModel = (() => { try { return (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) || [])[1] ?? cpus()[0]?.model; } catch { return cpus()[0]?.model; } })();
const date = sh("date -u");
const detail = (m) => `${m.label}: ${m.runs} runs, ${m.secs.map((s) => s.toFixed(3)).join(", ")} s${m.error ? ` — ERROR ${m.error}` : ""}`;
const all = [...Object.values(results.cycle).flatMap((c) => [c.runner, c.floor]), results.inspect.runner, results.inspect.floor, results.cold.runner, results.cold.floor, results.live.runner];
const notMet = rows.filter((r) => r.verdict.startsWith("not met") || r.verdict.startsWith("failed"));

const doc = `# Tau gateway bench results

Generated by \`npm run bench\` (bench/run.mjs). Real figures from the last full run; re-run to refresh.

- Date: ${date}
- Machine: ${sh("nproc")} CPUs (nproc), ${cpuModel}, ${(totalmem() / 1073741824).toFixed(1)} GiB total memory
- Node: ${process.version}; peak RSS via ${HAVE_TIME ? "`/usr/bin/time -f \"%e %M\"`" : "`--import bench/rss-preload.mjs` (process.resourceUsage().maxRSS)"}; wall time measured by the parent around each child (so it includes Node startup)
- Runs: ${RUNS} per scenario (median), ${COLD_RUNS} for cold start; events log ${results.inspect.sizeMB.toFixed(0)} MB (BENCH_EVENTS_MB=${EVENTS_MB})
- Total bench time: ${((Date.now() - t0) / 1000).toFixed(0)} s

${md}

## Not met

${notMet.length ? notMet.map((r) => `- **${r.scenario}**: ${r.ratio !== "—" ? `ratio ${r.ratio}, ` : `${r.median}, `}peak RSS ${r.rss} MB; target ${r.target}.`).join("\n") : "- everything measured met its target."}

## What each scenario measures

1. **Simulated cycle** — \`tau-gateway run --gateway-queue-limit N --gateway-processed-case-cap N\` on a generated fixture (bench/generate-fixture.mjs: 98 % success across GET/POST/PUT/PATCH/DELETE with the exact expected bodies, 2 % TRACE → 405 \`gateway_unsupported_method\`, 16 actors, seed 42), fresh state dir each run. Floor (bench/floor-cycle.mjs, same run): read + JSON.parse the same fixture, JSON.stringify (compact, like state.json) a state object with the same N request records, write temp + fsync + rename, one appendFile of N JSON log lines.
2. **Status inspect** — \`--gateway-status-inspect --gateway-status-json\` over a state dir whose runtime-events.jsonl is a generated log of realistic cycle-report lines (generated once into bench/.work/, reused while its size matches). Floor (bench/floor-inspect.mjs): streaming read, split lines, JSON.parse each.
3. **Cold start** — \`tau-gateway --help\` vs \`node -e 0\`.
4. **Live mode** — \`tau-gateway serve-reference --port 0\` plus a live \`run --gateway-target-url URL --gateway-concurrency 8\` on a 20k-case fixture; cases/s = 20000 / median wall time (includes process startup, fixture validation and state persistence). Against the same server: **autocannon** (bench/live-autocannon.mjs) sends the same 20k requests (method, path, body, actor and case headers) over the same 8 connections, and **newman** (bench/live-newman.mjs) runs the first 500 cases as a Postman collection, each with a test of its expected status and body.

## Raw runs

${all.map((m) => `- ${detail(m)}`).join("\n")}

## Future work

- Cycle scenario measures only a fresh state dir; a warm state dir (dedup against an existing processed-case set) is not measured.
`;
writeFileSync(join(BENCH, "RESULTS.md"), doc);
log(`wrote ${join(BENCH, "RESULTS.md")}`);
