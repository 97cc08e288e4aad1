import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { printableText } from "@tau/gateway";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  caseDamageArb,
  damageFixture,
  damageText,
  type FixtureModel,
  fixtureDamageArb,
  textDamageArb,
  validFixtureArb,
} from "./fixture-arbitraries";
import {
  type JsonObject,
  fixtureOf,
  hasStackTrace,
  runArgs,
  runCli,
  runInProcess,
  scaled,
  SEED,
  successCase,
  suiteDir,
} from "./reliability-helpers";

// behavior.md §1 and §9: whatever the fixture, the CLI exits 0, 2 or 4, names the case and the
// field of every problem, and never shows a stack trace.
const RUNS = scaled(500, 10_000);
const PROCESS_RUNS = scaled(20, 200);
const QUEUE = ["--gateway-queue-limit", "1000"];
const DEFAULT_LIMIT = 256 * 1024 * 1024;

/** One fast-check run: fixture bytes in, CLI outcome out, nothing left on disk. */
interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  path: string;
  /** Whether the run created its state directory. */
  touchedState: boolean;
}

describe("hostile fixtures (behavior.md §1, §9)", () => {
  let work: { dir: string; remove(): Promise<void> };
  let serial = 0;

  beforeAll(async () => {
    work = await suiteDir("tau-hostile-fixtures-");
  });
  afterAll(async () => {
    await work?.remove();
  });

  async function runFixture(bytes: Buffer | string): Promise<Outcome> {
    serial += 1;
    const path = join(work.dir, `fixture-${serial}.json`);
    const stateDir = join(work.dir, `state-${serial}`);
    await writeFile(path, bytes);
    try {
      const result = await runInProcess(runArgs(path, stateDir, QUEUE));
      return { ...result, path, touchedState: existsSync(stateDir) };
    } finally {
      await rm(path, { force: true });
      await rm(stateDir, { recursive: true, force: true });
    }
  }

  /** What every run must show, whatever went in. */
  function expectNeverCrashes(outcome: Outcome): void {
    expect([0, 2, 4], outcome.stderr).toContain(outcome.code);
    expect(hasStackTrace(outcome.stderr), outcome.stderr).toBe(false);
    expect(outcome.stderr).not.toContain("--debug");
    if (outcome.code === 2) {
      expect(outcome.stderr.startsWith(`error: ${outcome.path}: `), outcome.stderr).toBe(true);
      expect(outcome.touchedState, "an invalid fixture must not touch the state dir").toBe(false);
      expect(outcome.stdout).toBe("");
    }
  }

  const params = (runs: number) => ({ numRuns: runs, seed: SEED, endOnFailure: true });

  it(
    `runs valid fixtures with hostile values: exit 0, or 4 naming every drifted case and field (${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(validFixtureArb, async (model: FixtureModel) => {
          const outcome = await runFixture(JSON.stringify(model.value));
          expectNeverCrashes(outcome);
          const drifted = model.cases.filter((c) => c.drift !== null);
          expect(outcome.code, outcome.stderr).toBe(drifted.length > 0 ? 4 : 0);
          expect(outcome.stderr).toBe("");
          expect(outcome.stdout).toContain(`gateway runner summary: discovered=${model.cases.length} `);
          for (const c of drifted) {
            // Control characters of the id are escaped in the diff (behavior.md §10).
            expect(outcome.stdout).toContain(`case ${printableText(JSON.stringify((c.value.case_id as string).trim()))}`);
            expect(outcome.stdout).toMatch(new RegExp(`^    ${c.drift}[:/]`, "m"));
          }
        }),
        params(RUNS),
      );
    },
    scaled(120_000, 3_600_000),
  );

  it(
    `refuses damaged fixtures with exit 2, naming the case and field of every problem (${RUNS} runs)`,
    async () => {
      const damagedArb = fc.record({
        model: validFixtureArb,
        caseDamage: fc.array(caseDamageArb, { minLength: 0, maxLength: 3 }),
        fixtureDamage: fc.option(fixtureDamageArb, { nil: null, freq: 4 }),
      }).filter(({ caseDamage, fixtureDamage }) => caseDamage.length > 0 || fixtureDamage !== null);
      await fc.assert(
        fc.asyncProperty(damagedArb, async ({ model, caseDamage, fixtureDamage }) => {
          const damage = damageFixture(model, caseDamage, fixtureDamage);
          const outcome = await runFixture(JSON.stringify(damage.value));
          expectNeverCrashes(outcome);
          expect(outcome.code, outcome.stderr).toBe(2);
          const issues = damage.issues;
          for (const issue of issues) {
            const where = issue.caseRef ? `${outcome.path}: ${issue.caseRef}: ${issue.field} ` : `${outcome.path}: ${issue.field} `;
            // The CLI escapes control characters of every message it prints (behavior.md §10).
            const shown = printableText(where, { multiline: true });
            expect(outcome.stderr, `expected a message starting "${shown}"`).toContain(shown);
          }
          // Every problem is reported, not only the first.
          const reported = /problems in fixture/.test(outcome.stderr) ? Number(/(\d+) problems in fixture/.exec(outcome.stderr)?.[1]) : 1;
          expect(reported).toBeGreaterThanOrEqual(issues.length);
        }),
        params(RUNS),
      );
    },
    scaled(120_000, 3_600_000),
  );

  it(
    `survives mangled fixture text: truncated, spliced, invalid UTF-8, empty, nested 50k deep (${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(validFixtureArb, textDamageArb, async (model, damage) => {
          const { bytes, mustFail } = damageText(model, damage);
          const outcome = await runFixture(bytes);
          expectNeverCrashes(outcome);
          if (mustFail) {
            expect(outcome.code).toBe(2);
            // A cut inside a multi-byte character is invalid UTF-8, reported by its byte offset.
            expect(outcome.stderr).toMatch(/not valid JSON at line \d+, column \d+: |not valid UTF-8 at byte offset \d+ /);
          }
        }),
        params(RUNS),
      );
    },
    scaled(120_000, 3_600_000),
  );

  it(`holds as a real process too: exit 0, 2 or 4 and no stack trace (${PROCESS_RUNS} runs)`, async () => {
    const anyFixture = fc.oneof(
      validFixtureArb.map((model) => Buffer.from(JSON.stringify(model.value))),
      fc
        .tuple(validFixtureArb, fc.array(caseDamageArb, { minLength: 1, maxLength: 3 }), fc.option(fixtureDamageArb, { nil: null }))
        .map(([model, damage, top]) => Buffer.from(JSON.stringify(damageFixture(model, damage, top).value))),
      fc.tuple(validFixtureArb, textDamageArb).map(([model, damage]) => damageText(model, damage).bytes),
    );
    for (const [n, bytes] of fc.sample(anyFixture, { numRuns: PROCESS_RUNS, seed: SEED }).entries()) {
      const path = join(work.dir, `process-${n}.json`);
      await writeFile(path, bytes);
      const result = await runCli(runArgs(path, join(work.dir, `process-state-${n}`), QUEUE));
      expect([0, 2, 4], `${path}: ${result.stderr}`).toContain(result.code);
      expect(hasStackTrace(result.stderr), result.stderr).toBe(false);
    }
  }, scaled(120_000, 1_800_000));

  describe("--gateway-max-fixture-bytes", () => {
    const small = fixtureOf("small", [successCase("only")]);

    it("refuses a file over the default 256 MiB before reading it (peak memory stays far below its size)", async () => {
      const path = join(work.dir, "huge.json");
      // Sparse: 256 MiB + 1 byte of nothing, costing no disk.
      await writeFile(path, "");
      await truncate(path, DEFAULT_LIMIT + 1);
      const rssFile = join(work.dir, "huge.rss");
      const result = await runCli(runArgs(path, join(work.dir, "huge-state")), { preload: true, env: { TAU_TEST_RSS_FILE: rssFile } });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toBe(
        `error: ${path}: fixture is ${DEFAULT_LIMIT + 1} bytes, over the limit of ${DEFAULT_LIMIT} bytes (raise --gateway-max-fixture-bytes or split the fixture)\n`,
      );
      const peakMiB = Number(await readFile(rssFile, "utf8")) / 1024;
      expect(peakMiB).toBeLessThan(128);
      expect(existsSync(join(work.dir, "huge-state"))).toBe(false);
      await rm(path);
    }, 60_000);

    it("accepts a file of exactly the limit and refuses one byte more, from the flag or its variable", async () => {
      const path = join(work.dir, "small.json");
      await writeFile(path, JSON.stringify(small));
      const size = Buffer.byteLength(JSON.stringify(small));
      const atLimit = await runInProcess(["validate", path, "--gateway-max-fixture-bytes", String(size)]);
      expect(atLimit.code, atLimit.stderr).toBe(0);
      const over = await runInProcess(["validate", path, "--gateway-max-fixture-bytes", String(size - 1)]);
      expect(over.code).toBe(2);
      expect(over.stderr).toContain(`fixture is ${size} bytes, over the limit of ${size - 1} bytes`);
      const fromEnv = await runCli(["validate", path], { env: { TAU_GATEWAY_MAX_FIXTURE_BYTES: String(size - 1) } });
      expect(fromEnv.code).toBe(2);
      expect(fromEnv.stderr).toContain("--gateway-max-fixture-bytes");
      const flagWins = await runCli(["validate", path, "--gateway-max-fixture-bytes", String(size)], { env: { TAU_GATEWAY_MAX_FIXTURE_BYTES: "1" } });
      expect(flagWins.code, flagWins.stderr).toBe(0);
    }, 30_000);

    it("rejects a limit that is not a positive integer as a usage error naming the flag", async () => {
      for (const bad of ["0", "-5", "abc", "1.5", "99999999999999999999"]) {
        const result = await runInProcess(["validate", "--gateway-max-fixture-bytes", bad]);
        expect(result.code, bad).toBe(2);
        expect(result.stderr).toMatch(/^error: --gateway-max-fixture-bytes /);
      }
    });

    it("refuses a non-regular file (a FIFO) that streams more than the limit", async () => {
      const fifo = join(work.dir, "stream.json");
      expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
      const child = startFifoWriter(fifo, 256 * 1024);
      const result = await runCli(["validate", fifo, "--gateway-max-fixture-bytes", "1000"]);
      await child;
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("over the limit of 1000 bytes");
    }, 30_000);
  });

  it("reports a duplicate case_id even when another case has a fractional status_code", async () => {
    const fractional = successCase("fractional");
    (fractional.expected as JsonObject).status_code = 200.5;
    const outcome = await runFixture(JSON.stringify(fixtureOf("dup", [successCase("x"), fractional, successCase(" x ")])));
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('case "fractional": expected.status_code must be an integer');
    expect(outcome.stderr).toContain('case "x": case_id must be unique');
  });

  it("compares a response_body field named __proto__ instead of dropping it", async () => {
    const c = successCase("proto");
    const body = (c.expected as JsonObject).response_body as JsonObject;
    const text = JSON.stringify(fixtureOf("proto", [c])).replace(`"response_body":{`, `"response_body":{"__proto__":{"x":1},`);
    expect(JSON.parse(text).cases[0].expected.response_body).toHaveProperty(["__proto__"]);
    expect(body.status).toBe("accepted");
    const outcome = await runFixture(text);
    expect(outcome.code).toBe(4);
  });

  it("refuses or records a drift whose expected response_body is nested 5,000 deep, never exit 1", async () => {
    const c = successCase("deep");
    const deep = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
    const text = JSON.stringify(fixtureOf("deep", [c])).replace(`"response_body":{`, `"response_body":{"deep":${deep},`);
    const outcome = await runFixture(text);
    expect([2, 4]).toContain(outcome.code);
  });
});

/** Writes `bytes` of JSON-ish text into a FIFO from another process; resolves when done. */
function startFifoWriter(fifo: string, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    const script = `const fs=require("fs");const fd=fs.openSync(process.argv[1],"w");try{fs.writeSync(fd,"[".repeat(${bytes}))}catch{}fs.closeSync(fd)`;
    const child = spawn(process.execPath, ["-e", script, fifo], { stdio: "ignore" });
    child.on("close", () => resolve());
  });
}
