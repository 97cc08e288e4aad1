import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { colorEnabled, type Io } from "../src/io";
import { createProgress, PLAIN_PROGRESS_INTERVAL_MS } from "../src/progress";
import { workspace } from "./helpers";

const ANSI = /\u001b\[/;

describe("--color and FORCE_COLOR", { timeout: 60_000 }, () => {
  it("colours a pipe with --color=always or FORCE_COLOR=1, not with --color=never or NO_COLOR", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const always = await ws.run(["run", "--color=always", "--gateway-state-dir", "a"], { env: { NO_COLOR: undefined } });
    expect(always.stdout).toMatch(ANSI);
    const forced = await ws.run(["run", "--gateway-state-dir", "b"], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(forced.stdout).toMatch(ANSI);
    const never = await ws.run(["run", "--color", "never", "--gateway-state-dir", "c"], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(never.stdout).not.toMatch(ANSI);
    const noColor = await ws.run(["run", "--gateway-state-dir", "d"], { env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(noColor.stdout).not.toMatch(ANSI);
    // Errors are coloured by the same choice.
    const error = await ws.run(["run", "--color=always", "--gateway-queue-limit", "0"]);
    expect(error.stderr).toMatch(ANSI);
  });

  it("rejects a --color value other than auto, always or never (exit 2)", async () => {
    const ws = await workspace();
    const result = await ws.run(["status", "--color=sometimes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--color must be one of auto, always, never (found "sometimes")');
  });

  it("decides per stream: terminal, NO_COLOR, FORCE_COLOR=0, TERM=dumb", () => {
    expect(colorEnabled({ choice: "auto", env: {}, isTTY: true })).toBe(true);
    expect(colorEnabled({ choice: "auto", env: {}, isTTY: false })).toBe(false);
    expect(colorEnabled({ choice: "auto", env: { TERM: "dumb" }, isTTY: true })).toBe(false);
    expect(colorEnabled({ choice: "auto", env: { NO_COLOR: "" }, isTTY: true })).toBe(true);
    expect(colorEnabled({ choice: "auto", env: { FORCE_COLOR: "0" }, isTTY: true })).toBe(false);
    expect(colorEnabled({ choice: "auto", env: { FORCE_COLOR: "" }, isTTY: false })).toBe(true);
    expect(colorEnabled({ choice: "always", env: { NO_COLOR: "1" }, isTTY: false })).toBe(true);
    expect(colorEnabled({ choice: "never", env: { FORCE_COLOR: "1" }, isTTY: true })).toBe(false);
  });
});

/** An Io that records stderr; `tty` decides which kind of progress it gets. */
function recordingIo(tty: boolean): { io: Io; stderr: string[] } {
  const stderr: string[] = [];
  return { io: { out() {}, err: (text) => void stderr.push(text), env: {}, stderrIsTTY: tty, colors: pc.createColors(false) }, stderr };
}

describe("progress on stderr", () => {
  it("writes one plain line every few seconds when stderr is not a terminal", () => {
    let now = 0;
    const { io, stderr } = recordingIo(false);
    const progress = createProgress(io, { label: "gateway runner:", now: () => now });
    for (let done = 1; done <= 1000; done++) {
      now += 37; // 37 s for the whole cycle
      progress.update(done, 1000);
    }
    progress.stop();
    expect(stderr.length).toBe(Math.floor((1000 * 37) / PLAIN_PROGRESS_INTERVAL_MS));
    for (const line of stderr) expect(line).toMatch(/^gateway runner: \d+\/1000 cases \(\d+%\) after \d+s\n$/);
    expect(stderr.join("")).not.toMatch(/\r|\u001b/);
  });

  it("writes nothing for a cycle shorter than the interval", () => {
    let now = 0;
    const { io, stderr } = recordingIo(false);
    const progress = createProgress(io, { label: "x", now: () => now });
    for (let done = 1; done <= 100; done++) progress.update(done, 100), (now += 10);
    expect(stderr).toEqual([]);
  });

  it("redraws one line on a terminal and clears it at the end", () => {
    let now = 0;
    const { io, stderr } = recordingIo(true);
    const progress = createProgress(io, { label: "gateway runner:", now: () => now });
    for (let done = 1; done <= 50; done++) progress.update(done, 50), (now += 100);
    progress.stop();
    expect(stderr[0]).toMatch(/^\rgateway runner: \d+\/50 cases$/);
    expect(stderr.at(-1)).toBe("\r\u001b[2K");
  });

  it("writes nothing at all with --quiet, on a terminal or not", () => {
    for (const tty of [true, false]) {
      let now = 0;
      const { io, stderr } = recordingIo(tty);
      const progress = createProgress(io, { label: "x", quiet: true, now: () => now });
      for (let done = 1; done <= 100; done++) progress.update(done, 100), (now += 1000);
      progress.stop();
      expect(stderr).toEqual([]);
    }
  });

  it("accepts --quiet and -q on run, leaving stdout as it is", { timeout: 60_000 }, async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const plain = await ws.run(["run", "--gateway-state-dir", "a"]);
    for (const flag of ["--quiet", "-q"]) {
      const quiet = await ws.run(["run", flag, "--gateway-state-dir", `q${flag}`]);
      expect(quiet.code).toBe(0);
      expect(quiet.stderr).toBe("");
      expect(quiet.stdout).toBe(plain.stdout);
    }
  });
});
