import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

function newestSourceMtime(): number {
  const srcDir = join(packageDir, "src");
  return Math.max(...readdirSync(srcDir).map((name) => statSync(join(srcDir, name)).mtimeMs));
}

function distMtime(): number {
  try {
    return statSync(join(packageDir, "dist", "index.cjs")).mtimeMs;
  } catch {
    return 0;
  }
}

/** Rebuilds dist/ when src/ is newer; under turbo, `build` already ran and this is a no-op. */
export default function setup(): void {
  if (distMtime() >= newestSourceMtime()) return;
  const require = createRequire(import.meta.url);
  const tsupCli = join(dirname(require.resolve("tsup/package.json")), "dist", "cli-default.js");
  const result = spawnSync(process.execPath, [tsupCli], { cwd: packageDir, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`building dist/ for the child-process tests failed (exit ${result.status})`);
}
