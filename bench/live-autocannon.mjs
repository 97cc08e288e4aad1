// autocannon against the reference gateway with the runner's connection count: the raw HTTP
// ceiling of the same server. usage: node bench/live-autocannon.mjs URL FIXTURE CONNECTIONS
// Prints one JSON line: { requests, seconds, rps }.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const [url, fixturePath, connections] = process.argv.slice(2);
const fixture = JSON.parse(readFileSync(fixturePath, "utf8"));
// The same requests the runner sends: method, endpoint, JSON body, actor and case headers.
const requests = fixture.cases.map((c) => ({
  method: c.method.trim().toUpperCase(),
  path: c.endpoint.trim(),
  headers: {
    "x-tau-actor-id": c.actor_id,
    "x-tau-case-id": c.case_id,
    accept: "application/json",
    ...(c.body ? { "content-type": "application/json" } : {}),
  },
  ...(c.body ? { body: JSON.stringify(c.body) } : {}),
}));
const result = await autocannon({ url, connections: Number(connections), amount: requests.length, requests });
const seconds = result.duration;
console.log(JSON.stringify({ requests: result.requests.total, seconds, rps: result.requests.total / seconds, non2xx: result.non2xx }));
