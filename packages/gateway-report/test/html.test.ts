import { describe, expect, it } from "vitest";
import { HTML_CSP, renderHtml, renderJson, type ReportCase } from "../src/index";
import { sampleHistory, sampleInput } from "./sample-input";

/** `n` cases like a generated fixture: mostly successes, 2 % drift with a body diff, some flaky. */
function manyCases(n: number): ReportCase[] {
  return Array.from({ length: n }, (_, i): ReportCase => {
    const c: ReportCase = {
      case_id: `case-${String(i).padStart(6, "0")}`,
      method: ["GET", "POST", "PUT", "PATCH", "DELETE"][i % 5] as string,
      endpoint: `/v1/resources/${i % 997}`,
      actor_id: `actor-${i % 16}`,
      result: "applied",
      attempts: 1,
      outcome: "success",
      status_code: 200,
      error_code: "",
      duration_ms: (i % 50) / 10,
    };
    if (i % 50 === 7) {
      c.result = "drift";
      c.differences = [{ field: "response_body", pointer: "/status", expected: "accepted", observed: "queued" }];
    }
    if (i % 40 === 3) c.failed_attempts = [{ attempt: 1, outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable" }];
    return c;
  });
}

function dataBlock(html: string): string {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  return match?.[1] ?? "";
}

describe("renderHtml", () => {
  it("stays under 2 MB for 10,000 cases, with 200 cycles of history", () => {
    const html = renderHtml(sampleInput({ cases: manyCases(10_000), history: sampleHistory(200) }));
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024);
  });

  it("embeds the data once, under a CSP that forbids the network", () => {
    const html = renderHtml(sampleInput());
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`);
    expect(HTML_CSP).toContain("default-src 'none'");
    expect(html.match(/id="report-data"/g)).toHaveLength(1);
    expect(html).not.toMatch(/\b(?:src|href)=["']?(?:https?:)?\/\//);
    expect(JSON.parse(dataBlock(html)).gate).toEqual({ gate: "hold", reason_code: "contract_drift_detected" });
  });

  it("cannot be closed or commented out by a string in the data", () => {
    const evil = "</script><!--<script>";
    const html = renderHtml(sampleInput({ fixture: { name: evil, paths: [evil], sha256: null } }));
    const block = dataBlock(html);
    expect(block).not.toContain("<");
    expect(JSON.parse(block).fixture.name).toBe(evil);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
  });

  it("redacts every string it embeds", () => {
    const secret = "tok-9f8e";
    const cases = manyCases(3).map((c) => ({ ...c, endpoint: `/x?t=${secret}`, message: secret }));
    const redact = (s: string) => s.split(secret).join("***");
    expect(renderHtml(sampleInput({ cases }), { redact })).not.toContain(secret);
    expect(renderJson(sampleInput({ cases }), { redact })).not.toContain(secret);
  });
});

describe("renderJson", () => {
  it("has the verdict, each rule, the counts per result and every failing or flaky case", () => {
    const report = JSON.parse(renderJson(sampleInput()));
    expect(report.gate).toEqual({ gate: "hold", reason_code: "contract_drift_detected" });
    expect(report.rules.filter((r: { fired: boolean }) => r.fired).map((r: { reason_code: string }) => r.reason_code)).toEqual(["contract_drift_detected"]);
    expect(report.results).toEqual({ applied: 2, malformed: 1, drift: 1, failed: 1, duplicate: 1, backlog: 1 });
    expect(report.failures.map((c: ReportCase) => c.case_id)).toEqual(["drifted", "exhausted"]);
    expect(report.flaky.map((c: ReportCase) => c.case_id)).toEqual(["flaky-put"]);
    expect(report.history).toHaveLength(10);
  });
});
