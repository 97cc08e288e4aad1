import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

/** The built CommonJS entry, loaded by child processes (node -e cannot import TypeScript). */
export const distEntry = fileURLToPath(new URL("../dist/index.cjs", import.meta.url));

/** A fresh temp directory for one test, removed when the test finishes. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "event-store-test-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A `node -e` child whose stdout is read line by line. */
export interface NodeChild {
  readonly process: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** Resolves with the first stdout line (seen so far or later) that matches. */
  waitForLine(matches: (line: string) => boolean): Promise<string>;
  /** Resolves once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `script` in a child node process; `env` is added to its environment together with
 * `EVENT_STORE_DIST` (the path to require). The child is SIGKILLed when the test finishes.
 */
export function spawnNode(script: string, env: Record<string, string> = {}): NodeChild {
  const child = spawn(process.execPath, ["-e", script], {
    env: { ...process.env, ...env, EVENT_STORE_DIST: distEntry },
  });
  const lines: string[] = [];
  let buffered = "";
  let stderr = "";
  const waiters: { matches: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    stderr += text;
  });
  child.stdout.on("data", (text: string) => {
    buffered += text;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.matches(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  if (child.pid === undefined) throw new Error("could not spawn node");
  return {
    process: child,
    pid: child.pid,
    exited,
    waitForLine(matches) {
      const seen = lines.find(matches);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ matches, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`child exited (code ${code}, signal ${signal}) before the expected line; stderr: ${stderr}`)),
        );
      });
    },
  };
}

/** The pid of a child that has already exited: a process that is certainly not alive. */
export async function deadPid(): Promise<number> {
  const child = spawnNode("");
  await child.exited;
  return child.pid;
}
