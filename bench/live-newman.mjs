// newman (Postman's runner) replaying the same cases as a Postman collection against the
// reference gateway, each with a test of its expected status code and body.
// usage: node bench/live-newman.mjs URL FIXTURE MAX_CASES. Prints { cases, seconds, cps }.
import { readFileSync } from "node:fs";
import newman from "newman";

const [url, fixturePath, maxCases] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(fixturePath, "utf8")).cases.slice(0, Number(maxCases));
const target = new URL(url);
const item = cases.map((c) => ({
  name: c.case_id,
  request: {
    method: c.method.trim().toUpperCase(),
    header: [
      { key: "x-tau-actor-id", value: c.actor_id },
      { key: "x-tau-case-id", value: c.case_id },
      ...(c.body ? [{ key: "content-type", value: "application/json" }] : []),
    ],
    url: { raw: `${url}${c.endpoint}`, protocol: "http", host: [target.hostname], port: target.port, path: c.endpoint.replace(/^\//, "").split("/") },
    ...(c.body ? { body: { mode: "raw", raw: JSON.stringify(c.body) } } : {}),
  },
  event: [{
    listen: "test",
    script: {
      exec: [
        `pm.test("contract", function () {`,
        `  pm.response.to.have.status(${c.expected.status_code});`,
        `  pm.expect(pm.response.json()).to.eql(${JSON.stringify(c.expected.response_body)});`,
        `});`,
      ],
    },
  }],
}));
const collection = { info: { name: "tau-gateway-bench", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" }, item };
const start = process.hrtime.bigint();
newman.run({ collection, reporters: [] }, (error, summary) => {
  if (error) throw error;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const failed = summary.run.failures.length;
  console.log(JSON.stringify({ cases: cases.length, seconds, cps: cases.length / seconds, failed }));
});
