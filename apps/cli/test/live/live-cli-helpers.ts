import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

/**
 * Helpers for the CLI's live-mode tests: the built CLI as a child process, the reference
 * gateway as a child process, and a recursive reader for secret scans.
 */
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
export const CLI_BIN = join(REPO_ROOT, "apps/cli/bin/tau-gateway.js");
export const FIXTURES_DIR = join(REPO_ROOT, "fixtures/gateway-contract");

if (!existsSync(join(REPO_ROOT, "apps/cli/dist/bin.js"))) {
  throw new Error("apps/cli/dist/bin.js is missing: build first with `cd /work/main && npx turbo run build`");
}

/** What one command left behind. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The parent's environment without TAU_* settings, so every run starts from the defaults. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("TAU_") && key !== "FORCE_COLOR") env[key] = value;
  }
  env.NO_COLOR = "1";
  return env;
}

/** Runs `file args…` to completion; a non-zero exit is a result, not an error. */
export function runCommand(file: string, args: readonly string[], cwd: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: cleanEnv(), timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (error as { code?: unknown }).code : 0;
      if (error && typeof code !== "number") {
        reject(new Error(`${file} ${args.join(" ")} did not exit normally: ${error.message}\n${stderr}`));
        return;
      }
      resolve({ code: code as number, stdout, stderr });
    });
  });
}

/** Runs the built `tau-gateway` CLI with `cwd` as working directory. */
export function runCli(cwd: string, args: readonly string[]): Promise<CommandResult> {
  return runCommand(process.execPath, [CLI_BIN, ...args], cwd);
}

/** A `tau-gateway serve-reference` child process and everything it printed. */
export interface ReferenceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `serve-reference --port 0` and waits for its "listening on URL" line. */
export function startReferenceProcess(cwd: string): Promise<ReferenceProcess> {
  const child = spawn(process.execPath, [CLI_BIN, "serve-reference", "--port", "0"], { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`serve-reference printed no URL within 10 s:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /reference gateway listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1] as string, port: Number(match[2]), child, output: () => output, stop });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve-reference exited with ${code} before listening:\n${output}`));
    });
  });
}

/** A fresh empty directory, removed when the current test finishes. */
export async function makeTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tau-gateway-live-cli-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Every regular file under `dir`, recursively, with its bytes as latin1 text (so nothing is lost). */
export async function filesUnder(dir: string): Promise<{ path: string; text: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: { path: string; text: string }[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.push({ path, text: (await readFile(path)).toString("latin1") });
  }
  return files;
}

/** A loopback port that was just free and is closed again. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True when a TCP connection to 127.0.0.1:port is refused. */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

/** The numbers of the `gateway runner summary:` line. */
export function summaryOf(stdout: string): Record<string, number> {
  const line = stdout.split("\n").find((l) => l.startsWith("gateway runner summary:"));
  if (line === undefined) throw new Error(`no summary line in:\n${stdout}`);
  return Object.fromEntries(
    line
      .slice("gateway runner summary:".length)
      .trim()
      .split(" ")
      .map((pair) => {
        const [key, value] = pair.split("=");
        return [key as string, Number(value)];
      }),
  );
}

/** The line of `stdout` that starts with `prefix`. */
export function lineOf(stdout: string, prefix: string): string {
  const line = stdout.split("\n").find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`no line starting with ${JSON.stringify(prefix)} in:\n${stdout}`);
  return line;
}
