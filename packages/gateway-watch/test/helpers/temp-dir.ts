import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadFixture, type Fixture } from "@tau/gateway-contract";
import { GatewayRuntime } from "@tau/gateway-runtime";
import { onTestFinished } from "vitest";

export const FIXTURES_DIR = fileURLToPath(new URL("../../../../fixtures/gateway-contract/", import.meta.url));

/** A fresh empty directory for the current test, removed when that test finishes. */
export async function makeTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gateway-watch-test-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function loadSharedFixture(name: "mixed-outcomes" | "rollout-pass"): Promise<Fixture> {
  return loadFixture(join(FIXTURES_DIR, `${name}.json`));
}

/** A runtime on a fresh state dir, closed when the test finishes. */
export async function openRuntime(options: Partial<Parameters<typeof GatewayRuntime.open>[0]> = {}): Promise<GatewayRuntime> {
  const runtime = await GatewayRuntime.open({ stateDir: join(await makeTempDir(), "state"), onWarning: () => undefined, ...options });
  onTestFinished(() => runtime.close());
  return runtime;
}
