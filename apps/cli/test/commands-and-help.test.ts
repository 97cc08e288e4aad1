import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/registry";
import { hasStackTrace, workspace } from "./helpers";

describe("the command registry drives help", { timeout: 60_000 }, () => {
  it("lists every registered command with its summary in --help", async () => {
    const ws = await workspace();
    const help = (await ws.run(["--help"])).stdout;
    for (const command of COMMANDS) {
      expect(help, command.name).toMatch(new RegExp(`^  ${command.name}\\b.*${command.summary.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"));
    }
  });

  it("prints one command's usage, flags and examples for `help CMD`, `CMD --help` and `CMD -h` alike", async () => {
    const ws = await workspace();
    for (const command of COMMANDS) {
      const viaHelp = await ws.run(["help", command.name]);
      const viaFlag = await ws.run([command.name, "--help"]);
      const viaShort = await ws.run([command.name, "-h"]);
      expect(viaHelp.code, command.name).toBe(0);
      expect(viaFlag.stdout).toBe(viaHelp.stdout);
      expect(viaShort.stdout).toBe(viaHelp.stdout);
      expect(viaHelp.stdout).toContain(`tau-gateway ${command.usage}`);
      for (const example of command.examples) expect(viaHelp.stdout).toContain(example);
      for (const option of command.options) expect(viaHelp.stdout).toMatch(new RegExp(`^\\s+(-\\w, )?--${option}\\b`, "m"));
      // Per-command help is not the whole help.
      expect(viaHelp.stdout).not.toContain("Exit codes:\n");
    }
  });

  it("shows the legacy mode form in the help of its command, and `--MODE --help` is that help", async () => {
    const ws = await workspace();
    const run = (await ws.run(["help", "run"])).stdout;
    expect(run).toContain("tau-gateway --gateway-contract-runner");
    expect((await ws.run(["--gateway-contract-runner", "--help"])).stdout).toBe(run);
    expect((await ws.run(["help", "status"])).stdout).toContain("tau-gateway --gateway-status-inspect");
    expect((await ws.run(["help", "channel-store"])).stdout).toContain("tau-gateway --channel-store-repair gateway/ACTOR");
  });

  it("prints the whole help for `help` alone, -h alone and --help alone", async () => {
    const ws = await workspace();
    const full = (await ws.run(["--help"])).stdout;
    expect(full).toContain("Exit codes:");
    expect((await ws.run(["-h"])).stdout).toBe(full);
    expect((await ws.run(["help"])).stdout).toBe(full);
  });

  it("prints the version for -v as for --version", async () => {
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    const ws = await workspace();
    const short = await ws.run(["-v"]);
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(`${pkg.version}\n`);
  });
});

describe("mistyped commands", { timeout: 30_000 }, () => {
  it.each([
    ["stauts", "status"],
    ["rnu", "run"],
    ["valdate", "validate"],
    ["chanel-store", "channel-store"],
    ["event", "events"],
    ["completoin", "completion"],
    ["init-", "init"],
  ])("%s suggests %s (exit 2)", async (typo, meant) => {
    const ws = await workspace();
    const result = await ws.run([typo]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`unknown command "${typo}" (did you mean ${meant}?)`);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it("suggests nothing for a word far from every command, and suggests for `help TYPO` and `TYPO --help` too", async () => {
    const ws = await workspace();
    const far = await ws.run(["frobnicate"]);
    expect(far.code).toBe(2);
    expect(far.stderr).not.toContain("did you mean");
    for (const args of [["help", "stauts"], ["stauts", "--help"]]) {
      const result = await ws.run(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("did you mean status?");
    }
  });

  it("names the usage when a command lacks its arguments or gets too many", async () => {
    const ws = await workspace();
    const missing = await ws.run(["events"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("usage: tau-gateway events inspect|repair");
    const extra = await ws.run(["run", "a.json", "b.json"]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('unexpected argument "b.json" after "run"');
  });
});

describe("cold start", () => {
  it("loads no library for --help: bin.js statically imports nothing that reaches @tau/* or a command", async () => {
    // What a module imports statically is loaded before it runs; commands and libraries must be
    // behind dynamic import() so --help, --version, help and completion stay cheap.
    const dist = new URL("../dist/", import.meta.url);
    const seen = new Set<string>();
    const visit = async (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = await readFile(new URL(file, dist), "utf8");
      for (const match of text.matchAll(/^import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["'];?$/gm)) {
        const specifier = match[1] as string;
        expect(specifier, `${file} imports ${specifier} statically`).not.toMatch(/^@tau\//);
        if (specifier.startsWith("./")) await visit(specifier.slice(2));
      }
    };
    await visit("bin.js");
    expect(seen.size).toBeGreaterThan(1);
    for (const file of seen) expect(file).not.toMatch(/^(run|status|health|validate|init|events|channel-store|serve-reference)-/);
  });
});
