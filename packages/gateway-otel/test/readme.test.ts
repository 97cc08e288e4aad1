import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Runs the README's example as a user would, against the built packages (npm run build first).
const PACKAGE_DIR = fileURLToPath(new URL("../", import.meta.url));

describe("README example", { timeout: 60_000 }, () => {
  it("runs as written and prints what the README promises", () => {
    const markdown = readFileSync(join(PACKAGE_DIR, "README.md"), "utf8");
    const code = /^```js\n([\s\S]*?)^```/m.exec(markdown)?.[1];
    const promised = /^prints\n\n```text\n([\s\S]*?)^```/m.exec(markdown)?.[1];
    expect(code).toBeDefined();
    expect(promised).toBeDefined();
    // Inside the package, so the `@tau/*` imports resolve through the workspace links.
    const script = join(PACKAGE_DIR, `.readme-${process.pid}.mjs`);
    writeFileSync(script, code ?? "");
    try {
      const output = execFileSync(process.execPath, [script], { encoding: "utf8", timeout: 60_000 });
      expect(output).toBe(promised);
    } finally {
      rmSync(script, { force: true });
    }
  });
});
