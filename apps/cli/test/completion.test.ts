import { execFile, execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { OPTIONS } from "../src/options";
import { COMMANDS } from "../src/registry";
import { workspace, type Workspace } from "./helpers";

const exec = promisify(execFile);
const has = (shell: string) => {
  try {
    execFileSync(shell, ["-c", "true"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

async function script(ws: Workspace, shell: string): Promise<string> {
  const result = await ws.run(["completion", shell]);
  expect(result.code, result.stderr).toBe(0);
  return ws.write(`completion.${shell}`, result.stdout);
}

/** What bash completes for the words typed so far (the last one is being completed). */
async function bashComplete(ws: Workspace, words: string[]): Promise<string[]> {
  const path = ws.path("completion.bash");
  const quoted = words.map((w) => `'${w}'`).join(" ");
  const { stdout } = await exec("bash", ["-c", `source '${path}'; COMP_WORDS=(tau-gateway ${quoted}); COMP_CWORD=${words.length}; _tau_gateway; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: ws.dir });
  return stdout.split("\n").filter(Boolean);
}

/** What fish completes for a command line, without the descriptions. */
async function fishComplete(ws: Workspace, line: string): Promise<string[]> {
  const { stdout } = await exec("fish", ["-c", `source '${ws.path("completion.fish")}'; complete -C '${line}'`], { cwd: ws.dir });
  return stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0] as string);
}

describe("tau-gateway completion bash", { timeout: 60_000 }, () => {
  it("completes commands, sub-actions, flags of a command and flag values", async () => {
    const ws = await workspace();
    await script(ws, "bash");
    expect(await bashComplete(ws, [""])).toEqual(COMMANDS.map((c) => c.name));
    expect(await bashComplete(ws, ["sta"])).toEqual(["status"]);
    expect(await bashComplete(ws, ["--gateway-state-dir", "x", "channel-store", ""])).toEqual(["inspect", "repair"]);
    expect(await bashComplete(ws, ["events", "re"])).toEqual(["repair"]);
    expect(await bashComplete(ws, ["completion", ""])).toEqual(["bash", "zsh", "fish"]);
    expect(await bashComplete(ws, ["help", "ch"])).toEqual(["channel-store"]);
    expect(await bashComplete(ws, ["run", "--gateway-q"])).toEqual(["--gateway-queue-limit"]);
    // status does not take runner flags.
    expect(await bashComplete(ws, ["status", "--gateway-q"])).toEqual([]);
    expect(await bashComplete(ws, ["--color", ""])).toEqual(["auto", "always", "never"]);
    expect(await bashComplete(ws, ["--transport-health-inspect", ""])).toEqual(["gateway"]);
    // A value of a flag is not a command.
    expect(await bashComplete(ws, ["--gateway-queue-limit", ""])).toEqual([]);
  });

  it("completes files for run FIXTURE and every flag of the options table at the top", async () => {
    const ws = await workspace();
    await script(ws, "bash");
    await writeFile(ws.path("my-fixture.json"), "{}");
    expect(await bashComplete(ws, ["run", "my-"])).toEqual(["my-fixture.json"]);
    const all = await bashComplete(ws, ["--"]);
    for (const option of OPTIONS) expect(all).toContain(`--${option.name}`);
  });
});

describe.skipIf(!has("fish"))("tau-gateway completion fish", { timeout: 60_000 }, () => {
  it("completes commands, sub-actions, flags and flag values", async () => {
    const ws = await workspace();
    await script(ws, "fish");
    expect((await fishComplete(ws, "tau-gateway ")).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
    expect(await fishComplete(ws, "tau-gateway stat")).toEqual(["status"]);
    expect((await fishComplete(ws, "tau-gateway events ")).sort()).toEqual(["inspect", "repair"]);
    expect(await fishComplete(ws, "tau-gateway --gateway-queue-")).toEqual(["--gateway-queue-limit"]);
    expect((await fishComplete(ws, "tau-gateway --color ")).sort()).toEqual(["always", "auto", "never"]);
  });
});

describe.skipIf(!has("zsh"))("tau-gateway completion zsh", { timeout: 60_000 }, () => {
  it("is valid zsh that registers _tau_gateway for tau-gateway, listing every command and flag", async () => {
    const ws = await workspace();
    const path = ws.path(await script(ws, "zsh"));
    await exec("zsh", ["-n", path]);
    const { stdout } = await exec("zsh", ["-c", `autoload -U compinit; compinit -u -d '${ws.path(".zcompdump")}'; source '${path}'; print -r -- $_comps[tau-gateway]`], { cwd: ws.dir });
    expect(stdout.trim()).toBe("_tau_gateway");
    const text = await ws.readText("completion.zsh");
    for (const command of COMMANDS) expect(text).toContain(`'${command.name}:`);
    for (const option of OPTIONS) expect(text).toMatch(new RegExp(`'\\*?--${option.name}[=[]`));
  });
});

/**
 * What an interactive zsh shows after typing `line` and TAB, with the script loaded by compinit:
 * the output is read until `until` (a zsh glob) appears, so a completion that never comes fails
 * the test by the exec timeout, and typed-ahead keys never race the completion.
 */
async function zshComplete(ws: Workspace, line: string, until: string): Promise<string> {
  const driver = `
zmodload zsh/zpty
zpty -b z 'zsh -f -i'
zpty -w z 'autoload -U compinit; compinit -u -d ${ws.path(".zcompdump")}; source ${ws.path("completion.zsh")}; PROMPT="> "; print RE""ADY'
zpty -r z out '*READY*'
zpty -w -n z $'${line}\t'
zpty -r z out '${until}'
print -r -- "$out"
zpty -d z
`;
  const { stdout } = await exec("zsh", ["-f", "-c", driver], { cwd: ws.dir, timeout: 20_000 });
  return stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
}

describe.skipIf(!has("zsh"))("tau-gateway completion zsh, interactively", { timeout: 90_000 }, () => {
  it("completes commands, sub-actions, flags and flag values in a real zsh", async () => {
    const ws = await workspace();
    await script(ws, "zsh");
    expect(await zshComplete(ws, "tau-gateway sta", "*status*")).toContain("status");
    const events = await zshComplete(ws, "tau-gateway events ", "*repair*");
    expect(events).toMatch(/inspect\s+repair/);
    expect(events).not.toContain("command not found");
    expect(await zshComplete(ws, "tau-gateway run --gateway-queue-", "*limit*")).toContain("--gateway-queue-limit");
    expect(await zshComplete(ws, "tau-gateway --color ", "*never*")).toMatch(/always\s+auto\s+never/);
  });
});

describe("tau-gateway completion, bad shell", { timeout: 30_000 }, () => {
  it("exits 2 naming the supported shells", async () => {
    const ws = await workspace();
    const result = await ws.run(["completion", "powershell"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("bash, zsh, fish");
  });
});
