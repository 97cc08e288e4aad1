import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

describe("scripts/demo/gateway-watch.sh (npm run demo:watch)", () => {
  it("shows the verdict going pass → hold → pass with curl on /gate and /metrics", async () => {
    const dir = await mkdtemp(join(tmpdir(), "demo-watch-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile("bash", ["scripts/demo/gateway-watch.sh", "--state-dir", join(dir, "state"), "--timeout-seconds", "30"], { cwd: REPO_ROOT, timeout: 90_000 }, (error, out) =>
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout: out }),
      );
    });
    expect(stdout).toMatch(/demo: 8\/8 steps passed/);
    expect(code).toBe(0);
    const gates = [...stdout.matchAll(/"verdict":"(pass|hold)"/g)].map((m) => m[1]);
    expect(gates).toEqual(["pass", "hold", "pass"]);
    expect(stdout).toContain('tau_gateway_verdict{verdict="hold"} 1');
  }, 120_000);
});
