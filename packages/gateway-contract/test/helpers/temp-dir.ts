import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/** A fresh empty directory for the current test, removed when that test finishes. */
export async function makeTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gateway-contract-test-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
