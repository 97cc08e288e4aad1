// Floor of one simulated cycle: the reads and writes any runner must do for the same fixture and
// state directory, each done once, with no validation, no contract check and no sorting.
// usage: node bench/floor-cycle.mjs FIXTURE WORKDIR
//
//  1. read + JSON.parse the fixture
//  2. if WORKDIR/state.json exists (a warm state dir): read + JSON.parse it, and treat a case whose
//     key is among its processed_case_keys as a duplicate (no request record, no channel lines)
//  3. for every new case: one request record (success only), one log line and one context line
//     of its actor; for every case: one last-cycle line
//  4. per actor with new lines: append its log and context lines (one append each, datasync) and
//     write its MEMORY.md (one line per request record of the actor)
//  5. write last-cycle.jsonl and state.json (compact, like the runner) each as temp + fsync + rename
//  6. append one events line (datasync)
//
// The runner writes exactly these files (under channel-store/gateway/<actor>/); the floor writes
// them flat in WORKDIR, which changes nothing about the cost.
import { readFileSync, existsSync, openSync, writeSync, fsyncSync, fdatasyncSync, closeSync, renameSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const [fixturePath, workDir] = process.argv.slice(2);
mkdirSync(workDir, { recursive: true });
const statePath = join(workDir, "state.json");

// Lines go out in pieces of about this size, so the floor never holds a whole file as strings.
const PIECE_CHARS = 1 << 20;
class LineFile {
  constructor(path, flags) { this.path = path; this.fd = openSync(path, flags); this.parts = []; this.chars = 0; }
  add(line) {
    this.parts.push(line);
    this.chars += line.length + 1;
    if (this.chars >= PIECE_CHARS) this.flush();
  }
  flush() {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join("\n") + "\n");
    this.parts = []; this.chars = 0;
  }
  close(sync) { this.flush(); sync(this.fd); closeSync(this.fd); }
}
function replace(path, text) {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  writeSync(fd, text);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

const fixture = JSON.parse(readFileSync(fixturePath, "utf8"));
const previous = existsSync(statePath) ? JSON.parse(readFileSync(statePath, "utf8")) : { processed_case_keys: [], requests: [] };
const processed = new Set(previous.processed_case_keys);
const requests = new Map(previous.requests.map((r) => [r.case_key, r]));

const now = Date.now();
const lastCyclePath = join(workDir, "last-cycle.jsonl");
const lastCycle = new LineFile(`${lastCyclePath}.tmp-${process.pid}`, "w");
lastCycle.add(JSON.stringify({ kind: "cycle", fixture_name: fixture.name, started_unix_ms: now, finished_unix_ms: now }));
const actors = new Map();
// In a function, not at module top level: V8 optimises a hot loop in a function far better.
function walk() {
  for (const c of fixture.cases) {
    const case_key = `${c.method}:${c.endpoint}:${c.case_id}`;
    if (processed.has(case_key)) {
      lastCycle.add(JSON.stringify({ kind: "case", case_key, case_id: c.case_id, method: c.method, endpoint: c.endpoint, actor_id: c.actor_id, result: "duplicate", attempts: 0 }));
      continue;
    }
    processed.add(case_key);
    const e = c.expected;
    lastCycle.add(JSON.stringify({ kind: "case", case_key, case_id: c.case_id, method: c.method, endpoint: c.endpoint, actor_id: c.actor_id,
      result: "applied", attempts: 1, outcome: e.outcome, status_code: e.status_code, error_code: e.error_code ?? "", duration_ms: 0 }));
    if (e.outcome === "success") {
      requests.set(case_key, { case_key, case_id: c.case_id, method: c.method, endpoint: c.endpoint, actor_id: c.actor_id,
        status_code: e.status_code, outcome: e.outcome, error_code: "", response_body: e.response_body, updated_unix_ms: now });
    }
    let a = actors.get(c.actor_id);
    if (!a) {
      const n = actors.size + 1;
      actors.set(c.actor_id, (a = { n, log: new LineFile(join(workDir, `log-${n}.jsonl`), "a"), context: new LineFile(join(workDir, `context-${n}.jsonl`), "a") }));
    }
    a.log.add(JSON.stringify({ timestamp_unix_ms: now, direction: "system", event_key: case_key, source: "tau-gateway-runner",
      payload: { outcome: e.outcome, case_id: c.case_id, method: c.method, endpoint: c.endpoint, status_code: e.status_code, response_body: e.response_body } }));
    a.context.add(JSON.stringify({ timestamp_unix_ms: now, role: "system", text: `gateway case ${c.case_id} applied method=${c.method} endpoint=${c.endpoint} status=${e.status_code}` }));
  }
}
walk();

const byActor = new Map();
for (const r of requests.values()) {
  if (!actors.has(r.actor_id)) continue;
  let list = byActor.get(r.actor_id);
  if (!list) byActor.set(r.actor_id, (list = []));
  list.push(`- ${r.case_id} ${r.method} ${r.endpoint} status=${r.status_code} outcome=${r.outcome}`);
}
for (const [actor, a] of actors) {
  a.log.close(fdatasyncSync);
  a.context.close(fdatasyncSync);
  replace(join(workDir, `MEMORY-${a.n}.md`), `# Tau Gateway Snapshot (${actor})\n\n${(byActor.get(actor) ?? []).join("\n")}\n`);
}
lastCycle.close(fsyncSync);
renameSync(lastCycle.path, lastCyclePath);
const state = { schema_version: 1, processed_case_keys: [...processed], requests: [...requests.values()], health: { updated_unix_ms: now }, guardrail: { gate: "pass" } };
replace(statePath, JSON.stringify(state) + "\n");
const events = new LineFile(join(workDir, "runtime-events.jsonl"), "a");
events.add(JSON.stringify({ timestamp_unix_ms: now, discovered_cases: fixture.cases.length }));
events.close(fdatasyncSync);
