import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "junit2json";
import { afterAll, describe, expect, it } from "vitest";
import { renderJunit } from "../src/index";
import { sampleCases, sampleInput } from "./sample-input";

const dir = mkdtempSync(join(tmpdir(), "tau-junit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real xmllint (Debian libxml2-utils): throws with its message when the XML is not well-formed. */
function xmllint(xml: string): void {
  const file = join(dir, `r-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  execFileSync("xmllint", ["--noout", file], { stdio: ["ignore", "ignore", "pipe"] });
}

// junit2json's types are loose; these are the parts the tests read.
interface ParsedCase {
  name: string;
  classname: string;
  file?: string;
  failure?: { message?: string; inner?: string }[];
  error?: { message?: string; type?: string }[];
  skipped?: { message?: string }[];
  flakyFailure?: unknown;
}
interface ParsedSuite {
  name: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  testcase: ParsedCase[];
  properties?: { name: string; value: string }[];
}

async function parsed(xml: string): Promise<ParsedSuite> {
  const doc = (await parse(xml)) as unknown as { testsuite: ParsedSuite[] };
  return doc.testsuite[0] as ParsedSuite;
}

describe("renderJunit", () => {
  it("renders one testcase per case with failure, error, skipped and flakyFailure", () => {
    expect(renderJunit(sampleInput())).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="tau-gateway" tests="7" failures="1" errors="1" skipped="2" time="0.25">
  <testsuite name="checkout" tests="7" failures="1" errors="1" skipped="2" time="0.25" timestamp="2026-09-21T14:23:20.000Z">
    <properties>
      <property name="tau.gate" value="hold"/>
      <property name="tau.gate.reason_code" value="contract_drift_detected"/>
      <property name="tau.threshold.failure_streak" value="2"/>
      <property name="tau.threshold.retryable_failures" value="2"/>
      <property name="tau.health.state" value="degraded"/>
      <property name="tau.health.reason" value="recent transport failures observed (failure_streak=1, last_cycle_failed=2)"/>
      <property name="tau.failure_streak" value="1"/>
      <property name="tau.retryable_failures" value="3"/>
      <property name="tau.driver" value="simulated"/>
      <property name="tau.aborted" value="false"/>
      <property name="tau.fixture.sha256" value="ab12"/>
      <property name="tau.fixture.path.1" value="fixtures/gateway-contract/checkout.json"/>
    </properties>
    <testcase name="applied-ok" classname="checkout GET /v1/orders" file="fixtures/gateway-contract/checkout.json" time="0.002"/>
    <testcase name="bad-method" classname="checkout TRACE /v1/orders" file="fixtures/gateway-contract/checkout.json" time="0.001"/>
    <testcase name="flaky-put" classname="checkout PUT /v1/orders" file="fixtures/gateway-contract/checkout.json" time="0.012">
      <flakyFailure message="attempt 1: retryable_failure 503 gateway_backend_unavailable" type="retryable_failure"/>
    </testcase>
    <testcase name="drifted" classname="checkout POST /v1/payments" file="fixtures/gateway-contract/checkout.json" time="0.003">
      <failure message="contract drift in status_code, response_body" type="contract_drift">status_code: expected 201, observed 500
response_body /amount: expected 5, observed 7</failure>
    </testcase>
    <testcase name="exhausted" classname="checkout GET /v1/stock" file="fixtures/gateway-contract/checkout.json" time="0.004">
      <error message="retries exhausted after 2 attempt(s): 503 gateway_backend_unavailable" type="retries_exhausted">attempt 1: retryable_failure 503 gateway_backend_unavailable
attempt 2: retryable_failure 503 gateway_backend_unavailable</error>
    </testcase>
    <testcase name="seen-before" classname="checkout GET /v1/orders" file="fixtures/gateway-contract/checkout.json" time="0">
      <skipped message="duplicate: its case key was processed in an earlier cycle"/>
    </testcase>
    <testcase name="later" classname="checkout GET /v1/later" file="fixtures/gateway-contract/checkout.json" time="0">
      <skipped message="backlog: beyond the queue limit, left for a later cycle"/>
    </testcase>
  </testsuite>
</testsuites>
`);
  });

  it("is well-formed under xmllint and read by an independent JUnit parser", async () => {
    const xml = renderJunit(sampleInput());
    xmllint(xml);
    const suite = await parsed(xml);
    expect(suite).toMatchObject({ name: "checkout", tests: 7, failures: 1, errors: 1, skipped: 2 });
    expect(suite.testcase.map((c) => c.name)).toEqual(["applied-ok", "bad-method", "flaky-put", "drifted", "exhausted", "seen-before", "later"]);
    const byName = new Map(suite.testcase.map((c) => [c.name, c]));
    expect(byName.get("drifted")?.failure?.[0]?.message).toBe("contract drift in status_code, response_body");
    expect(byName.get("exhausted")?.error?.[0]?.type).toBe("retries_exhausted");
    expect(byName.get("later")?.skipped?.[0]?.message).toMatch(/^backlog/);
    expect(byName.get("drifted")?.file).toBe("fixtures/gateway-contract/checkout.json");
    expect(suite.properties).toContainEqual({ name: "tau.gate.reason_code", value: "contract_drift_detected" });
  });

  it("escapes markup, drops characters XML 1.0 forbids, and stays parseable", async () => {
    const hostile = 'x<&>"\u0000\u0001\u0008\u000b\u001b[31m\ud800\uffff]]></testcase><!--';
    const cases = sampleCases().map((c) => ({ ...c, case_id: `${c.case_id}${hostile}`, endpoint: `/e${hostile}` }));
    const drifted = cases.find((c) => c.result === "drift");
    if (drifted) drifted.differences = [{ field: "response_body", pointer: `/k${hostile}`, expected: hostile, observed: { [hostile]: 1 } }];
    const xml = renderJunit(sampleInput({ cases, fixture: { name: `fx${hostile}`, paths: [`p${hostile}.json`], sha256: null } }));
    xmllint(xml);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\uffff]/);
    const suite = await parsed(xml);
    expect(suite.testcase).toHaveLength(7);
    expect(suite.testcase[0]?.name).toBe('applied-okx<&>"[31m]]></testcase><!--');
  });

  it("gives repeated case ids unique names (GitLab drops repeats)", async () => {
    const [first] = sampleCases();
    const cases = [first, first, first].map((c) => ({ ...c!, case_id: "same" }));
    const suite = await parsed(renderJunit(sampleInput({ cases })));
    expect(suite.testcase.map((c) => c.name)).toEqual(["same", "same (2)", "same (3)"]);
  });

  it("applies the redactor to every string it takes from the input", () => {
    const secret = "s3cr3t-token";
    const cases = sampleCases().map((c) => ({ ...c, endpoint: `${c.endpoint}?k=${secret}`, message: `echo ${secret}` }));
    const drifted = cases.find((c) => c.result === "drift");
    if (drifted) drifted.differences = [{ field: "response_body", pointer: "/auth", expected: "x", observed: `Bearer ${secret}` }];
    const xml = renderJunit(sampleInput({ cases }), { redact: (s) => s.split(secret).join("***") });
    expect(xml).not.toContain(secret);
    expect(xml).toContain("Bearer ***");
  });

  it("reports a transport error as an error of type transport_error", async () => {
    const cases = [{ case_id: "t", method: "GET", endpoint: "/", actor_id: "", result: "failed", attempts: 4, outcome: "transport_error", status_code: 0, error_code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:9" }];
    const suite = await parsed(renderJunit(sampleInput({ cases })));
    expect(suite.testcase[0]?.error?.[0]).toMatchObject({ type: "transport_error", message: "transport error after 4 attempt(s): ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9" });
  });
});

describe("renderJunit with a pending case (fixture v2)", () => {
  it("reports a pending case's drift as skipped, not as a failure", async () => {
    const { renderJunit } = await import("../src");
    const { sampleInput } = await import("./sample-input");
    const input = sampleInput();
    const drifted = input.cases.find((c) => c.result === "drift");
    if (!drifted) throw new Error("the sample has a drifted case");
    const pendingInput = { ...input, cases: input.cases.map((c) => (c === drifted ? { ...c, pending: true } : c)) };
    const before = renderJunit(input);
    const after = renderJunit(pendingInput);
    const count = (xml: string, tag: string) => xml.split(`<${tag}`).length - 1;
    expect(count(after, "failure")).toBe(count(before, "failure") - 1);
    expect(count(after, "skipped")).toBe(count(before, "skipped") + 1);
    expect(after).toContain("pending: the case drifted from its contract");
  });
});
