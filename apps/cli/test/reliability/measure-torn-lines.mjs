// SIGKILL timed into the channel-store writes of a 100k-case cycle; counts the torn lines it
// leaves (the figure in docs/reliability.md). Not part of the suite: `node measure-torn-lines.mjs [TRIALS]`
// after a build. Uses bench/generate-fixture.mjs (16 actors, seed 42) and a temp dir.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFixture } from "../../../../bench/generate-fixture.mjs";

const CLI = fileURLToPath(new URL("../../bin/tau-gateway.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "tau-torn-lines-"));
const fixture = join(work, "fixture-100000.json");
writeFixture(fixture, { cases: 100_000, actors: 16, malformedRatio: 0.02, seed: 42 });
const trials = Number(process.argv[2] ?? 25);
let torn = 0, tornKills = 0, landed = 0;
for (let t = 0; t < trials; t++) {
  const dir = join(work, `state-${t}`);
  rmSync(dir, { recursive: true, force: true });
  const child = spawn(process.execPath, [CLI, "run", "--gateway-fixture", fixture, "--gateway-state-dir", dir, "--gateway-queue-limit", "100000", "--gateway-processed-case-cap", "100000"], { stdio: "ignore" });
  const gw = join(dir, "channel-store", "gateway");
  const extra = Math.floor(Math.random() * 40);
  let killed = false;
  await new Promise((resolve) => {
    const poll = () => {
      if (killed) return;
      if (existsSync(gw)) { killed = true; setTimeout(() => { child.kill("SIGKILL"); resolve(); }, extra); return; }
      setImmediate(poll);
    };
    child.on("exit", () => { killed = true; resolve(); });
    poll();
  });
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.on("exit", r)));
  if (child.signalCode !== "SIGKILL") { console.log(`trial ${t}: finished before the kill`); continue; }
  let bad = 0;
  if (existsSync(gw)) for (const actor of readdirSync(gw)) for (const f of ["log.jsonl", "context.jsonl"]) {
    const p = join(gw, actor, f); if (!existsSync(p)) continue;
    const text = readFileSync(p, "utf8"); if (text.length === 0) continue;
    for (const line of text.split("\n").filter((l, i, a) => i < a.length - 1 || l.length > 0)) { try { JSON.parse(line); } catch { bad++; } }
  }
  landed++;
  if (bad > 0) tornKills++;
  torn += bad;
  console.log(`trial ${t}: kill +${extra} ms after channel-store appeared, torn lines ${bad}, state.json ${existsSync(join(dir, "state.json"))}`);
  rmSync(dir, { recursive: true, force: true });
}
console.log(`summary: ${landed} kills during/after channel-store writes, ${tornKills} left a torn line (${torn} torn lines in all)`);
rmSync(work, { recursive: true, force: true });
