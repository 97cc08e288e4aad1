import { execFile } from "node:child_process";
import { cp, readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CLI_BIN, REPO_FIXTURES_DIR, workspace } from "./helpers";

const exec = promisify(execFile);
const RUNBOOK = new URL("../../../docs/gateway-ops.md", import.meta.url);

/** One fenced ```bash block of the runbook and what its marker asks. */
interface Block {
  line: number;
  code: string;
  skip?: string;
  exit: number;
}

/**
 * The ```bash blocks in document order (indented ones in lists too). The line just above a fence
 * may be `<!-- runbook-test: skip (why) -->` or `<!-- runbook-test: exit N -->`.
 */
function bashBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```bash\s*$/.exec(lines[i] as string);
    if (!open) continue;
    const indent = open[1] as string;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && (lines[j] as string).trim() !== "```"; j++) body.push((lines[j] as string).slice(indent.length));
    const marker = /^\s*<!-- runbook-test: (skip \((.+)\)|exit (\d+)) -->\s*$/.exec(lines[i - 1] ?? "");
    blocks.push({ line: i + 1, code: body.join("\n"), ...(marker?.[2] ? { skip: marker[2] } : {}), exit: marker?.[3] ? Number(marker[3]) : 0 });
    i = j;
  }
  return blocks;
}

// `npx tau-gateway` and `tau-gateway` are the CLI built from this repository; any other npx is refused.
const PRELUDE = `set -e -o pipefail
npx() { if [ "$1" = tau-gateway ]; then shift; node "$TAU_CLI_BIN" "$@"; else echo "runbook-test: npx $* is not available here" >&2; return 127; fi; }
tau-gateway() { node "$TAU_CLI_BIN" "$@"; }
`;

describe("docs/gateway-ops.md", { timeout: 120_000 }, () => {
  it("marks every skipped block with a reason, and has runnable blocks", async () => {
    const blocks = bashBlocks(await readFile(RUNBOOK, "utf8"));
    expect(blocks.filter((b) => !b.skip).length).toBeGreaterThanOrEqual(10);
    for (const block of blocks.filter((b) => b.skip)) expect(block.skip?.trim().length, `line ${block.line}`).toBeGreaterThan(10);
  });

  it("runs every ```bash block as written, in order, with the exit code it is marked with", async () => {
    const blocks = bashBlocks(await readFile(RUNBOOK, "utf8"));
    // A scratch copy of the repository root as the runbook sees it: the fixtures and one default cycle.
    const ws = await workspace();
    await cp(REPO_FIXTURES_DIR, ws.path("fixtures/gateway-contract"), { recursive: true });
    expect((await ws.run(["run"])).code).toBe(0);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: ws.dir, NO_COLOR: "1", TAU_CLI_BIN: CLI_BIN };
    for (const block of blocks.filter((b) => !b.skip)) {
      let code = 0;
      let output = "";
      try {
        const result = await exec("bash", ["-c", PRELUDE + block.code], { cwd: ws.dir, env, timeout: 60_000 });
        output = result.stdout + result.stderr;
      } catch (error) {
        const failure = error as { code?: number; stdout?: string; stderr?: string };
        code = typeof failure.code === "number" ? failure.code : -1;
        output = `${failure.stdout ?? ""}${failure.stderr ?? ""}`;
      }
      expect(code, `block at docs/gateway-ops.md:${block.line}\n${block.code}\n---\n${output}`).toBe(block.exit);
    }
  });
});

describe("warnings quoted by the runbook", { timeout: 60_000 }, () => {
  /** The runbook's quoted line as a pattern: `...` is any text, `<unix_ms>` a number (or that placeholder, which the inspect error prints as is). */
  function quoted(markdown: string, prefix: string, containing: string): RegExp {
    const quote = markdown
      .split("\n")
      .flatMap((line) => [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string))
     .find((q) => q.startsWith(prefix) && q.includes(containing));
    if (!quote) throw new Error(`the runbook quotes no line starting ${JSON.stringify(prefix)} with ${JSON.stringify(containing)}`);
    const escaped = quote.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\.\\\.\\\./g, ".*").replace(/<unix_ms>/g, "(?:<unix_ms>|\\d+)");
    return new RegExp(`^${escaped}$`, "m");
  }

  it("quotes the corrupt-state and newer-schema warnings, and the inspect error, exactly as the CLI prints them", async () => {
    const markdown = await readFile(RUNBOOK, "utf8");
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["run"]);

    await ws.write(".tau/gateway/state.json", "{not json");
    const inspect = await ws.run(["status"]);
    expect(inspect.stderr).toMatch(quoted(markdown, "error: .tau/gateway/state.json is not usable", "next contract-runner cycle"));
    const corrupt = await ws.run(["run"]);
    expect(corrupt.stderr).toMatch(quoted(markdown, "warning: .tau/gateway/state.json is not usable", "not valid JSON"));

    const state = await ws.readJson(".tau/gateway/state.json");
    await ws.write(".tau/gateway/state.json", { ...state, schema_version: 2 });
    const newer = await ws.run(["run"]);
    expect(newer.stderr).toMatch(quoted(markdown, "warning: .tau/gateway/state.json is not usable", "schema_version"));
  });
});
