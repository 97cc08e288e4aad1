import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const PACKAGE_DIR = fileURLToPath(new URL("../", import.meta.url));
const REPO_ROOT = join(PACKAGE_DIR, "..", "..");

describe("the repository README's embedding example", () => {
  let tmp: string | undefined;
  afterEach(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("runs as written and prints the cycle's result and the status reason code", () => {
    const markdown = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const code = /^## Embedding[\s\S]*?^```js\n([\s\S]*?)^```/m.exec(markdown)?.[1];
    expect(code, "README.md has no ```js block under ## Embedding").toBeDefined();

    // The example uses paths relative to the repository root; give it a root of its own.
    tmp = mkdtempSync(join(tmpdir(), "tau-root-readme-"));
    cpSync(join(REPO_ROOT, "fixtures"), join(tmp, "fixtures"), { recursive: true });
    // Inside the package, so `@tau/gateway` resolves through the workspace link.
    const script = join(PACKAGE_DIR, `.root-readme-${process.pid}.mjs`);
    writeFileSync(script, code ?? "");
    let output: string;
    try {
      output = execFileSync(process.execPath, [script], { cwd: tmp, encoding: "utf8", timeout: 60_000 });
    } finally {
      rmSync(script, { force: true });
    }
    expect(output.trim().split("\n")).toEqual(["3 pass healthy", "guardrail_checks_passing"]);
  });
});
