import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The README example imports `@tau/gateway` the way an embedder does, so it needs the built
// package (and the four packages it re-exports): turbo builds before testing; by hand, run
// `npm run build` at the repository root (or `npx tsup` here once the others are built).
const PACKAGE_DIR = fileURLToPath(new URL("../", import.meta.url));
const README = join(PACKAGE_DIR, "README.md");
const BUILD_HINT = "dist/ is missing: run `npm run build` at the repository root first";

/** The body of the first fenced block whose info string starts with one of `languages`. */
function firstBlock(markdown: string, languages: readonly string[], from = 0): { code: string; end: number } | undefined {
  const fence = /^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  fence.lastIndex = from;
  for (let match = fence.exec(markdown); match; match = fence.exec(markdown)) {
    const language = (match[1] ?? "").trim().split(/\s+/)[0] ?? "";
    if (languages.includes(language)) return { code: match[2] ?? "", end: fence.lastIndex };
  }
  return undefined;
}

describe("README example", () => {
  const markdown = readFileSync(README, "utf8");
  const example = firstBlock(markdown, ["js", "mjs", "javascript"]);
  // The output the README promises: the first ```text block after the example.
  const promised = example ? firstBlock(markdown, ["text"], example.end) : undefined;

  let tmp: string;
  let output: string;

  beforeAll(() => {
    expect(existsSync(join(PACKAGE_DIR, "dist", "index.js")), BUILD_HINT).toBe(true);
    expect(example, "README.md has no ```js code block").toBeDefined();
    // The script lives inside the package so `@tau/gateway` resolves through the workspace
    // link; its state directory (mkdtemp under os.tmpdir()) goes to our own temp dir.
    tmp = mkdtempSync(join(tmpdir(), "tau-gateway-readme-"));
    const script = join(PACKAGE_DIR, `.readme-example-${process.pid}.mjs`);
    writeFileSync(script, example?.code ?? "");
    try {
      output = execFileSync(process.execPath, [script], {
        cwd: PACKAGE_DIR,
        encoding: "utf8",
        env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 60_000,
      });
    } finally {
      rmSync(script, { force: true });
    }
  });

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("imports only @tau/gateway (and node built-ins)", () => {
    const specifiers = [...(example?.code ?? "").matchAll(/\bfrom\s+["']([^"']+)["']/g)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    for (const specifier of specifiers) expect(specifier).toMatch(/^(node:|@tau\/gateway$)/);
  });

  it("runs one cycle and prints the summary, health and gate", () => {
    expect(output).toContain("summary: discovered=1 applied=1 failed=0 drift=0");
    expect(output).toContain("health: healthy (no recent transport failures observed)");
    expect(output).toContain("gate: rollout_gate=pass rollout_reason_code=guardrail_checks_passing");
    expect(output).toContain("status: cycle_reports=1 request_count=1 rollout_gate=pass");
  });

  it("prints exactly what the README says it prints", () => {
    expect(promised, "README.md has no ```text block after the example").toBeDefined();
    expect(output.trimEnd()).toBe(promised?.code.trimEnd());
  });

  it("leaves a complete state directory behind, with the lock released", () => {
    const [stateDirName, ...others] = readdirSync(tmp);
    expect(others).toEqual([]);
    const stateDir = join(tmp, stateDirName ?? "");
    expect(readdirSync(stateDir).sort()).toEqual(["channel-store", "last-cycle.jsonl", "runtime-events.jsonl", "state.json"]);
    expect(readdirSync(join(stateDir, "channel-store", "gateway", "ops-bot")).sort()).toEqual([
      "MEMORY.md",
      "context.jsonl",
      "log.jsonl",
    ]);
    const events = readFileSync(join(stateDir, "runtime-events.jsonl"), "utf8").trim().split("\n");
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0] ?? "")).toMatchObject({
      health_state: "healthy",
      rollout_gate: "pass",
      rollout_reason_code: "guardrail_checks_passing",
      reason_codes: ["healthy_cycle"],
      applied_cases: 1,
    });
  });
});
