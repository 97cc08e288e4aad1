import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OPTIONS } from "../../src/options";
import { fixtureOf, readState, runArgs, runCli, runInProcess, successCase, tempDir } from "./reliability-helpers";

// behavior.md §10: every millisecond flag is bounded by what a timer holds (2^31 − 1 ms); a
// larger one is a usage error naming the flag and its bound. Ports are 0..65535. Flags that do
// nothing in the chosen mode are said so on stderr.

const MAX_TIMER_MS = 2 ** 31 - 1;
const MS_FLAGS = OPTIONS.filter((o) => o.name.endsWith("-ms")).map((o) => o.name);

async function fixture(): Promise<{ path: string; dir: string }> {
  const dir = await tempDir();
  const path = join(dir, "f.json");
  await writeFile(path, JSON.stringify(fixtureOf("bounds", [successCase("a")])));
  return { path, dir };
}

describe("timer bounds", { timeout: 60_000 }, () => {
  it("gives every -ms flag the timer bound, so future flags get it too", () => {
    expect(MS_FLAGS.length).toBeGreaterThanOrEqual(4);
    for (const spec of OPTIONS.filter((o) => o.name.endsWith("-ms"))) expect(spec.max, spec.name).toBe(MAX_TIMER_MS);
  });

  it.each(MS_FLAGS.flatMap((flag) => [[flag, "2147483648"], [flag, "3000000000"], [flag, "9007199254740991"], [flag, "99999999999999999999"]]))(
    "%s %s is a usage error naming the flag and its bound",
    async (flag, value) => {
      const { path, dir } = await fixture();
      const command = flag === "latency-ms" ? ["serve-reference", "--port", "0"] : runArgs(path, join(dir, "state"));
      const result = await runInProcess([...command, `--${flag}`, value]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`--${flag} must be at most 2147483647`);
    },
  );

  it("accepts exactly 2^31 - 1", async () => {
    const { path, dir } = await fixture();
    const result = await runInProcess(runArgs(path, join(dir, "state"), ["--gateway-retry-max-delay-ms", String(MAX_TIMER_MS), "--gateway-retry-base-delay-ms", String(MAX_TIMER_MS)]));
    expect(result.code, result.stderr).toBe(0);
  });

  it("bounds a value from the environment too, naming the variable", async () => {
    const { path, dir } = await fixture();
    const result = await runCli(runArgs(path, join(dir, "state")), { env: { TAU_GATEWAY_REQUEST_TIMEOUT_MS: "3000000000" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--gateway-request-timeout-ms (from TAU_GATEWAY_REQUEST_TIMEOUT_MS) must be at most 2147483647");
  });
});

describe("ports and flags that do nothing", { timeout: 60_000 }, () => {
  it("refuses serve-reference --port 70000 with exit 2", async () => {
    const result = await runCli(["serve-reference", "--port", "70000"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--port must be at most 65535 (found 70000)");
  });

  it("warns about live-only flags without a target URL, and serve flags on run, and still runs", async () => {
    const { path, dir } = await fixture();
    const result = await runCli(
      runArgs(path, join(dir, "state"), ["--gateway-target-header", "Authorization: Bearer hidden-value", "--gateway-request-timeout-ms", "5000", "--port", "9000"]),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("warning: --gateway-target-header does nothing without --gateway-target-url");
    expect(result.stderr).toContain("warning: --gateway-request-timeout-ms does nothing without --gateway-target-url");
    expect(result.stderr).toContain("warning: --port does nothing for run; ignored");
    expect(result.stderr).not.toContain("hidden-value");
  });

  it("an interrupted or fresh gate prints guardrail_state_missing, which the runbook's gate table lists", async () => {
    const { readFile } = await import("node:fs/promises");
    const runbook = await readFile(new URL("../../../../docs/gateway-ops.md", import.meta.url), "utf8");
    expect(runbook).toMatch(/\| `hold` \| `guardrail_state_missing` \|/);
  });
});

describe("status counts (behavior.md §8)", { timeout: 60_000 }, () => {
  it("counts get and GET as one method and trims error codes", async () => {
    const { path, dir } = await fixture();
    const stateDir = join(dir, "state");
    expect((await runCli(runArgs(path, stateDir))).code).toBe(0);
    const state = await readState(stateDir);
    const [record] = state.requests as Record<string, unknown>[];
    state.requests = [
      { ...record, case_key: "k1", method: "get", error_code: " gateway_invalid_request " },
      { ...record, case_key: "k2", method: " GET", error_code: "gateway_invalid_request" },
      { ...record, case_key: "k3", method: "", status_code: 0 },
    ];
    await writeFile(join(stateDir, "state.json"), JSON.stringify(state));
    const status = JSON.parse((await runCli(["status", "--json", "--gateway-state-dir", stateDir])).stdout);
    expect(status.method_counts).toEqual({ GET: 2 });
    expect(status.error_code_counts).toEqual({ gateway_invalid_request: 2 });
    expect(status.status_code_counts).toEqual({ "200": 2 });
  });
});
