// Fixture generator: (cases, actors, outcome mix, seed) -> fixture object.
// Mostly success cases with the exact expected response body per behavior;
// a fraction of malformed cases (method TRACE -> 405 gateway_unsupported_method).
import { writeFileSync } from "node:fs";

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUCCESS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const STATUS_BY_METHOD = { POST: 201, DELETE: 202 };

/**
 * `staticAnswer` ({status_code, response_body}) makes every success case expect that one answer,
 * for a target that answers every request alike (the nginx live scenario). `matchers` makes the
 * same cases a v2 fixture whose expected bodies use matchers (string, regex, any) where v1 has
 * exact values: the v2-matchers capability measured against the v1 fixture.
 * @param {{cases?: number, actors?: number, malformedRatio?: number, seed?: number, name?: string, staticAnswer?: {status_code: number, response_body: object}, matchers?: boolean}} opts
 */
export function generateFixture({ cases = 1000, actors = 8, malformedRatio = 0.02, seed = 1, name, staticAnswer, matchers = false } = {}) {
  const version = matchers ? 2 : 1;
  const rnd = mulberry32(seed);
  const out = [];
  for (let i = 0; i < cases; i++) {
    const actor_id = `actor-${Math.floor(rnd() * actors)}`;
    const case_id = `case-${i}`;
    if (rnd() < malformedRatio) {
      out.push({
        schema_version: version,
        case_id,
        method: "TRACE",
        endpoint: "/v1/tasks",
        actor_id,
        expected: {
          outcome: "malformed_input",
          status_code: 405,
          error_code: "gateway_unsupported_method",
          response_body: { status: matchers ? { $match: "string" } : "rejected", reason: "unsupported_method" },
        },
      });
      continue;
    }
    const method = SUCCESS_METHODS[Math.floor(rnd() * SUCCESS_METHODS.length)];
    const endpoint = method === "POST" ? "/v1/tasks" : `/v1/tasks/${i}`;
    const c = { schema_version: version, case_id, method, endpoint, actor_id };
    if (method === "POST" || method === "PUT" || method === "PATCH") {
      c.body = { task: "summarize", priority: rnd() < 0.5 ? "normal" : "high", n: i };
    }
    c.expected = staticAnswer
      ? { outcome: "success", status_code: staticAnswer.status_code, response_body: staticAnswer.response_body }
      : { outcome: "success", status_code: STATUS_BY_METHOD[method] ?? 200, response_body: matchers
          ? { status: { $match: "string" }, method, endpoint: { $match: "regex:/v1/tasks(/[0-9]+)?" }, actor_id: { $match: "any" } }
          : { status: "accepted", method, endpoint, actor_id } };
    out.push(c);
  }
  return {
    schema_version: version,
    name: name ?? `bench-${cases}-s${seed}`,
    description: `Generated bench fixture: ${cases} cases, ${actors} actors, malformed ratio ${malformedRatio}, seed ${seed}.`,
    cases: out,
  };
}

export function writeFixture(path, opts) {
  const fx = generateFixture(opts);
  writeFileSync(path, JSON.stringify(fx));
  return fx;
}

// CLI: node bench/generate-fixture.mjs CASES OUT.json [SEED]
if (import.meta.url === `file://${process.argv[1]}`) {
  const [cases = "1000", outPath = "/dev/stdout", seed = "1"] = process.argv.slice(2);
  writeFixture(outPath, { cases: Number(cases), seed: Number(seed) });
}
