import { spawnSync } from "node:child_process";

/** Runs the real `promtool check metrics` on a Prometheus text exposition. */
export function promtoolCheck(text: string): { code: number | null; output: string } {
  const result = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  if (result.error) throw new Error(`promtool is not installed (Debian package prometheus): ${result.error.message}`);
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}
