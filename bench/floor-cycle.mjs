// Floor of one simulated cycle: the unavoidable I/O + JSON work for N cases.
// usage: node bench/floor-cycle.mjs FIXTURE WORKDIR
//  1. read + JSON.parse the fixture
//  2. build a state object of the same size as the runner's (N request records,
//     N processed case keys), JSON.stringify it, write to a temp file, fsync, rename
//  3. append N JSON log lines with a single appendFile
import { readFile, open, rename, appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";

const [fixturePath, workDir] = process.argv.slice(2);
await mkdir(workDir, { recursive: true });
const fixture = JSON.parse(await readFile(fixturePath, "utf8"));
const now = Date.now();
const processed_case_keys = [];
const requests = [];
const lines = [];
for (const c of fixture.cases) {
  const case_key = `${c.method}:${c.endpoint}:${c.case_id}`;
  processed_case_keys.push(case_key);
  if (c.expected.outcome !== "success") continue;
  const rec = {
    case_key,
    case_id: c.case_id,
    method: c.method,
    endpoint: c.endpoint,
    actor_id: c.actor_id,
    status_code: c.expected.status_code,
    outcome: c.expected.outcome,
    error_code: "",
    response_body: c.expected.response_body,
    updated_unix_ms: now,
  };
  requests.push(rec);
  lines.push(JSON.stringify({ timestamp_unix_ms: now, direction: "outbound", actor_id: c.actor_id, case_key, status_code: rec.status_code, response_body: rec.response_body }));
}
const state = { schema_version: 1, processed_case_keys, requests, health: { updated_unix_ms: now }, guardrail: { gate: "pass" } };
const text = JSON.stringify(state) + "\n"; // like the runner, which writes state.json compact
const statePath = join(workDir, "state.json");
const tmp = `${statePath}.tmp-${process.pid}`;
const fh = await open(tmp, "w");
await fh.writeFile(text);
await fh.sync();
await fh.close();
await rename(tmp, statePath);
await appendFile(join(workDir, "log.jsonl"), lines.join("\n") + "\n");
