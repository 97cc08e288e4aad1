import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const PACKAGE_DIR = fileURLToPath(new URL("../", import.meta.url));

it("the README example runs against the build and prints what the README says", () => {
  const readme = readFileSync(join(PACKAGE_DIR, "README.md"), "utf8");
  const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const printed = /prints\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  // Inside the package, so `@tau/gateway-report` resolves to this package's build.
  const script = join(PACKAGE_DIR, `.readme-${process.pid}.mjs`);
  writeFileSync(script, code);
  try {
    expect(execFileSync(process.execPath, [script], { encoding: "utf8" })).toBe(printed);
  } finally {
    rmSync(script, { force: true });
  }
});
