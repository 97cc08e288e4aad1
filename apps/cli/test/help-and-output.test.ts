import { execFile, execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { envName, OPTIONS } from "../src/options";
import { CLI_BIN, workspace } from "./helpers";

/** util-linux `script` gives the CLI a terminal for stdout; without it the TTY cases are skipped. */
const hasScript = (() => {
  if (process.platform !== "linux") return false;
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Runs `tau-gateway args` with stdout on a pseudo-terminal; `redirect` is appended to the shell command. */
function runOnTerminal(cwd: string, args: string[], env: Record<string, string | undefined>, redirect = ""): Promise<string> {
  const command = `${[process.execPath, CLI_BIN, ...args].map(shellQuote).join(" ")} ${redirect}`;
  const childEnv: Record<string, string | undefined> = { ...process.env, TERM: "xterm", NO_COLOR: undefined, FORCE_COLOR: undefined, ...env };
  for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined || key.startsWith("TAU_")) delete childEnv[key];
  return new Promise((resolve) => {
    execFile("script", ["-qec", command, "/dev/null"], { cwd, env: childEnv as NodeJS.ProcessEnv }, (_error, stdout) => resolve(stdout));
  });
}

const ANSI = /\u001b\[/;

describe("--help", { timeout: 30_000 }, () => {
  it("lists every flag of the option table with its environment variable", async () => {
    const ws = await workspace();
    const help = await ws.run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe("");
    for (const option of OPTIONS) {
      expect(help.stdout, option.name).toMatch(new RegExp(`^\\s+(-\\w, )?--${option.name}(\\s|$)`, "m"));
      if (option.env) expect(help.stdout, option.name).toContain(envName(option.name));
    }
  });

  it("lists the exit codes of behavior.md §9", async () => {
    const ws = await workspace();
    const help = await ws.run(["--help"]);
    const exitCodes = help.stdout.slice(help.stdout.indexOf("Exit codes:"));
    for (const code of ["0", "1", "2", "3", "4", "5"]) expect(exitCodes).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, "m"));
    expect(exitCodes).toMatch(/^\s+3\s+.*--gateway-fail-on-hold/m);
    expect(exitCodes).toMatch(/^\s+4\s+.*drift/m);
    expect(exitCodes).toMatch(/^\s+5\s+.*lock/m);
  });

  it("names the subcommands and the runbook's modes", async () => {
    const ws = await workspace();
    const help = (await ws.run(["--help"])).stdout;
    for (const command of ["run", "health", "status", "channel-store inspect|repair", "validate", "capabilities"]) {
      expect(help).toMatch(new RegExp(`^\\s+${command.replace("|", "\\|")}\\b`, "m"));
    }
    for (const mode of ["--gateway-contract-runner", "--transport-health-inspect", "--gateway-status-inspect"]) expect(help).toContain(mode);
  });
});

describe("--version", { timeout: 30_000 }, () => {
  it("prints the version of apps/cli/package.json", async () => {
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    const ws = await workspace();
    const version = await ws.run(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${pkg.version}\n`);
  });
});

describe("plain output off a terminal", { timeout: 30_000 }, () => {
  it("has no ANSI escapes with NO_COLOR on runs, drift, inspects and errors", async () => {
    const ws = await workspace(["mixed-outcomes.json", "drift-success-body.json"]);
    const outputs = [
      await ws.run(["--gateway-contract-runner"]),
      await ws.run(["run", "--gateway-fixture", "fixtures/gateway-contract/drift-success-body.json", "--gateway-state-dir", "drift"]),
      await ws.run(["--gateway-status-inspect"]),
      await ws.run(["--transport-health-inspect", "gateway"]),
      await ws.run(["--gateway-queue-limit", "0", "run"]),
      await ws.run(["--help"]),
    ];
    for (const { stdout, stderr } of outputs) {
      expect(stdout).not.toMatch(ANSI);
      expect(stderr).not.toMatch(ANSI);
    }
  });

  it("has no ANSI escapes when NO_COLOR is unset but stdout is a pipe", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const run = await ws.run(["--gateway-contract-runner"], { env: { NO_COLOR: undefined } });
    expect(run.stdout).toContain("rollout_gate=hold");
    expect(run.stdout).not.toMatch(ANSI);
    const bad = await ws.run(["--gateway-queue-limit", "0", "run"], { env: { NO_COLOR: undefined } });
    expect(bad.stderr).not.toMatch(ANSI);
  });
});

describe.skipIf(!hasScript)("output on a terminal", { timeout: 30_000 }, () => {
  it("colours stdout on a terminal, but not with NO_COLOR=1", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const coloured = await runOnTerminal(ws.dir, ["--gateway-contract-runner", "--gateway-state-dir", "a"], {});
    expect(coloured).toContain("gateway runner summary:");
    expect(coloured).toMatch(ANSI);
    const plain = await runOnTerminal(ws.dir, ["--gateway-contract-runner", "--gateway-state-dir", "b"], { NO_COLOR: "1" });
    expect(plain).toContain("gateway runner summary:");
    expect(plain).not.toMatch(ANSI);
  });

  it("keeps stderr plain when only stdout is a terminal", async () => {
    const ws = await workspace();
    await runOnTerminal(ws.dir, ["--gateway-queue-limit", "0", "run"], {}, "2>err.log");
    const stderr = await ws.readText("err.log");
    expect(stderr).toContain("--gateway-queue-limit must be greater than 0");
    expect(stderr).not.toMatch(ANSI);
  });
});

describe("a reader of stdout that goes away", { timeout: 60_000 }, () => {
  it("ends the command with its own exit code, not an EPIPE crash (report json=/dev/stdout | head -c 1)", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    expect((await ws.run(["run"])).code).toBe(0);
    const cli = `"${process.execPath}" "${CLI_BIN}"`;
    const script = `${cli} report --gateway-report json=/dev/stdout 2>err.txt | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const status = execFileSync("bash", ["-c", script], { cwd: ws.dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(await ws.readText("err.txt")).toBe("");
    expect(status.trim()).toBe("0");
  });
});
