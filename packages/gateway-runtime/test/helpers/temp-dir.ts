import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/** A fresh empty directory for the current test, removed when that test finishes. */
export async function makeTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gateway-runtime-test-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A state-dir path for the current test: `<fresh temp dir>/state`, not created yet, so tests
 * also cover the runner creating it. The temp dir around it lets a test check that nothing was
 * written outside the state dir.
 */
export async function makeStateDir(): Promise<string> {
  return join(await makeTempDir(), "state");
}
