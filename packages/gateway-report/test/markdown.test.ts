import { describe, expect, it } from "vitest";
import { MARKDOWN_MAX_BYTES, renderMarkdown, type ReportCase } from "../src/index";
import { sampleInput } from "./sample-input";

describe("renderMarkdown", () => {
  it("starts with the verdict, explains each rule, then counters, failures with diffs, flaky cases", () => {
    expect(renderMarkdown(sampleInput())).toBe(`## Tau gateway: gate HOLD — <code>contract_drift_detected</code>

Fixture <code>checkout</code> (<code>fixtures/gateway-contract/checkout.json</code>), driver simulated, health **degraded**: recent transport failures observed (failure_streak=1, last_cycle_failed=2).

### Why the gate decided so

| rule | condition | observed | result |
| ---: | --- | --- | --- |
| 1 | <code>contract_drift_detected</code>: any case drifts from its contract | 1 drifted | **fired** |
| 2 | <code>failure_streak_threshold_exceeded</code>: failure_streak ≥ 2 and failed &#62; 0 | failure_streak 1, failed 2 | not breached |
| 3 | <code>retryable_failures_threshold_exceeded</code>: retryable failures ≥ 2 | 3 retryable failures | breached (lower priority) |
| 4 | <code>malformed_input_observed</code>: malformed &#62; 0 | 1 malformed | breached (lower priority) |
| 5 | <code>pending_drift_observed</code>: no rule above holds, but pending cases drifted | 0 pending drifted | not breached |
| 6 | <code>guardrail_checks_passing</code>: no rule above holds | — | not breached |

### Counters

| counter | value |
| --- | ---: |
| discovered | 7 |
| queued | 6 |
| applied | 2 |
| malformed | 1 |
| failed | 2 |
| drifted | 1 |
| duplicate skips | 1 |
| backlog | 1 |
| retryable failures | 3 |
| retries | 2 |
| recovered after retry | 1 |

### Failures (2)

#### <code>drifted</code> POST /v1/payments — contract drift in status_code, response_body

| field | expected | observed |
| --- | --- | --- |
| <code>status_code</code> | <code>201</code> | <code>500</code> |
| <code>response_body /amount</code> | <code>5</code> | <code>7</code> |

#### <code>exhausted</code> GET /v1/stock — retries exhausted after 2 attempt(s): 503 gateway_backend_unavailable

- attempt 1: retryable_failure 503 gateway_backend_unavailable
- attempt 2: retryable_failure 503 gateway_backend_unavailable

### Flaky cases (1)

- <code>flaky-put</code> PUT /v1/orders: passed on attempt 2 after attempt 1: retryable_failure 503 gateway_backend_unavailable

### Skipped (2)

- 1 × duplicate: its case key was processed in an earlier cycle
- 1 × backlog: beyond the queue limit, left for a later cycle
`);
  });

  it("says pass and which rule let it pass", () => {
    const md = renderMarkdown(
      sampleInput({
        gate: { gate: "pass", reason_code: "guardrail_checks_passing" },
        summary: { ...sampleInput().summary, contract_drift_cases: 0, failed_cases: 0, retryable_failures: 0, malformed_cases: 0 },
        cases: [],
      }),
    );
    expect(md.split("\n")[0]).toBe("## Tau gateway: gate PASS — <code>guardrail_checks_passing</code>");
    expect(md).toContain("| 6 | <code>guardrail_checks_passing</code>: no rule above holds | pass | **pass** |");
    expect(md).toContain("### Failures (0)\n\nNone.");
  });

  it("shows values literally: no HTML, links, emphasis or table breaks from a target", () => {
    const evil = "<img src=x onerror=alert(1)> [link](http://x) *em* | `tick` \\ _u_";
    const cases: ReportCase[] = [
      { case_id: "id\nline2", method: "GET", endpoint: "/x", actor_id: "a", result: "failed", attempts: 1 },
      {
        case_id: `id ${evil}`,
        method: "GET",
        endpoint: "/x",
        actor_id: "a",
        result: "drift",
        attempts: 1,
        differences: [{ field: "response_body", pointer: "/m", expected: "ok", observed: `${evil}\nsecond line` }],
      },
    ];
    const md = renderMarkdown(sampleInput({ cases }));
    expect(md).not.toContain("<img");
    expect(md).not.toContain("](");
    expect(md).not.toContain("*em*");
    expect(md).not.toMatch(/[^\\]\|\s*`tick/);
    expect(md).toContain("&#60;img src=x onerror=alert(1)&#62; &#91;link&#93;(http://x) &#42;em&#42; &#124; &#96;tick&#96; &#92; &#95;u&#95;");
    const row = md.split("\n").find((l) => l.startsWith("| <code>response_body /m</code>"));
    expect(row?.split(" | ")).toHaveLength(3);
    expect(row).toContain("&#92;nsecond line");
    expect(md).toContain("<code>id ⏎ line2</code>");
  });

  it("shows the first 20 failures and counts the rest", () => {
    const cases: ReportCase[] = Array.from({ length: 25 }, (_, i) => ({
      case_id: `f${i}`,
      method: "GET",
      endpoint: "/x",
      actor_id: "",
      result: "failed",
      attempts: 4,
      outcome: "retryable_failure",
      status_code: 503,
      error_code: "gateway_backend_unavailable",
    }));
    const md = renderMarkdown(sampleInput({ cases }));
    expect(md.match(/^#### /gm)).toHaveLength(20);
    expect(md).toContain("<code>f19</code>");
    expect(md).not.toContain("<code>f20</code>");
    expect(md).toContain("… and 5 more failures");
  });

  it("never exceeds 1 MiB, and says it was cut", () => {
    const huge = "é".repeat(200_000);
    const cases: ReportCase[] = Array.from({ length: 20 }, (_, i) => ({
      case_id: `big${i}`,
      method: "GET",
      endpoint: "/x",
      actor_id: "",
      result: "failed",
      attempts: 1,
      outcome: "transport_error",
      error_code: "E",
      message: huge,
      failed_attempts: Array.from({ length: 10 }, (_, a) => ({ attempt: a + 1, outcome: "transport_error", status_code: 0, error_code: "E", message: huge })),
    }));
    const md = renderMarkdown(sampleInput({ cases }));
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(MARKDOWN_MAX_BYTES);
    expect(md).toContain("this summary was cut at 1 MiB");
    expect(md.startsWith("## Tau gateway: gate HOLD")).toBe(true);
  });
});
