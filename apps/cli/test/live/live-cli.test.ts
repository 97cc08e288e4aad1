import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createReferenceGateway } from "@tau/gateway-reference";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import {
  closedPort,
  connectionRefused,
  filesUnder,
  FIXTURES_DIR,
  lineOf,
  makeTempDir,
  REPO_ROOT,
  runCli,
  runCommand,
  startReferenceProcess,
  summaryOf,
  type CommandResult,
  type ReferenceProcess,
} from "./live-cli-helpers";

const MIXED = join(FIXTURES_DIR, "mixed-outcomes.json");

/** serve-reference children of the current test; each is stopped after it. */
const servers: ReferenceProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function referenceServer(cwd: string): Promise<ReferenceProcess> {
  const server = await startReferenceProcess(cwd);
  servers.push(server);
  return server;
}

describe("tau-gateway live mode against serve-reference", () => {
  it("gives the simulated run's numbers and leaks the target header value nowhere", { timeout: 30_000 }, async () => {
    const dir = await makeTempDir();
    const secret = randomBytes(18).toString("hex");
    const header = `Authorization: Bearer ${secret}`;
    const server = await referenceServer(dir);
    const outputs: CommandResult[] = [];
    const cli = async (args: string[]) => {
      const result = await runCli(dir, args);
      outputs.push(result);
      return result;
    };
    const liveDir = join(dir, "live-state");
    const simulatedDir = join(dir, "simulated-state");

    const live = await cli([
      "--gateway-contract-runner",
      "--gateway-fixture", MIXED,
      "--gateway-state-dir", liveDir,
      "--gateway-target-url", server.url,
      "--gateway-target-header", header,
    ]);
    expect(live.code, live.stderr).toBe(0);
    const simulated = await cli(["--gateway-contract-runner", "--gateway-fixture", MIXED, "--gateway-state-dir", simulatedDir]);
    expect(simulated.code, simulated.stderr).toBe(0);

    expect(summaryOf(live.stdout)).toEqual(summaryOf(simulated.stdout));
    expect(summaryOf(live.stdout)).toMatchObject({ applied: 1, malformed: 1, retryable_failures: 4, retries: 3, failed: 1 });
    expect(lineOf(live.stdout, "gateway runner health:")).toBe(lineOf(simulated.stdout, "gateway runner health:"));
    expect(lineOf(live.stdout, "gateway runner gate:")).toBe(lineOf(simulated.stdout, "gateway runner gate:"));

    const status = await cli(["--gateway-state-dir", liveDir, "--gateway-status-inspect", "--gateway-status-json"]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ rollout_gate: "hold", rollout_reason_code: "retryable_failures_threshold_exceeded", cycle_reports: 1 });
    const health = await cli(["--gateway-state-dir", liveDir, "--transport-health-inspect", "gateway", "--transport-health-json"]);
    expect(health.code, health.stderr).toBe(0);
    const healthText = await cli(["--gateway-state-dir", liveDir, "--transport-health-inspect", "gateway"]);
    expect(healthText.code, healthText.stderr).toBe(0);

    // Nothing listens here: every case fails on a transport error whose message is logged.
    const refusedPort = await closedPort();
    const refused = await cli([
      "--gateway-contract-runner",
      "--gateway-fixture", MIXED,
      "--gateway-state-dir", join(dir, "refused-state"),
      "--gateway-target-url", `http://127.0.0.1:${refusedPort}`,
      "--gateway-target-header", header,
      "--gateway-retry-max-attempts", "2",
      "--gateway-retry-base-delay-ms", "0",
    ]);
    expect(refused.code, refused.stderr).toBe(0);
    expect(summaryOf(refused.stdout)).toMatchObject({ applied: 0, malformed: 0, failed: 3 });
    const refusedLog = (await filesUnder(join(dir, "refused-state"))).find((f) => f.path.endsWith("log.jsonl"));
    expect(refusedLog?.text).toContain("ECONNREFUSED");

    const malformed = await cli([
      "--gateway-contract-runner",
      "--gateway-fixture", MIXED,
      "--gateway-state-dir", join(dir, "malformed-state"),
      "--gateway-target-url", server.url,
      "--gateway-target-header", `bad header ${secret}`,
    ]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("--gateway-target-header");

    const exit = await server.stop();
    expect(exit).toBe(0);
    expect(await connectionRefused(server.port)).toBe(true);

    const files = await filesUnder(dir);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect(file.text.includes(secret), `secret found in ${file.path}`).toBe(false);
    for (const [i, output] of outputs.entries()) {
      expect(output.stdout.includes(secret), `secret in stdout of command ${i}`).toBe(false);
      expect(output.stderr.includes(secret), `secret in stderr of command ${i}`).toBe(false);
    }
    expect(server.output().includes(secret)).toBe(false);
  });

  it("really sends the header to the target (so the scan above is not vacuous)", { timeout: 20_000 }, async () => {
    const dir = await makeTempDir();
    const secret = randomBytes(18).toString("hex");
    const gateway = createReferenceGateway();
    const seen: (string | undefined)[] = [];
    gateway.server.prependListener("request", (req) => seen.push(req.headers.authorization));
    const url = await gateway.listen({ port: 0 });
    onTestFinished(() => gateway.close());

    const result = await runCli(dir, [
      "--gateway-contract-runner",
      "--gateway-fixture", join(FIXTURES_DIR, "rollout-pass.json"),
      "--gateway-state-dir", join(dir, "state"),
      "--gateway-target-url", url,
      "--gateway-target-header", `Authorization: Bearer ${secret}`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(summaryOf(result.stdout)).toMatchObject({ applied: 3, failed: 0 });
    expect(seen).toHaveLength(3);
    expect(seen.every((value) => value === `Bearer ${secret}`)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it("serve-reference stops on SIGTERM with exit 0 and frees its port", { timeout: 15_000 }, async () => {
    const server = await referenceServer(await makeTempDir());
    expect(await connectionRefused(server.port)).toBe(false);
    expect(await server.stop()).toBe(0);
    expect(await connectionRefused(server.port)).toBe(true);
  });
});

describe("scripts/demo/gateway-live.sh", () => {
  it("passes every step and leaves no server running", { timeout: 40_000 }, async () => {
    const stateDir = join(await makeTempDir(), "demo-state");
    const result = await runCommand("bash", [join(REPO_ROOT, "scripts/demo/gateway-live.sh"), "--state-dir", stateDir, "--timeout-seconds", "30"], REPO_ROOT);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/demo: (\d+)\/\1 steps passed/);
    const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(result.stdout)?.[1];
    expect(port).toBeDefined();
    expect(await connectionRefused(Number(port))).toBe(true);
  });
});
