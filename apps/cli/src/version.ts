import { createRequire } from "node:module";

/** The CLI package's version (read from package.json next to dist/). */
export function cliVersion(): string {
  const require = createRequire(import.meta.url);
  return (require("../package.json") as { version: string }).version;
}
