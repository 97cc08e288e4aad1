import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureOf, hasStackTrace, runArgs, runCli, successCase, tempDir, type CliResult } from "./reliability-helpers";

// behavior.md §1, §4, §10: what JSON.parse and a UTF-8 decoder hide silently is an invalid
// fixture (exit 2, naming where); fixture strings cannot drive the terminal or MEMORY.md.

function expectInvalid(result: CliResult, path: string, ...fragments: string[]) {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr.startsWith(`error: ${path}: `), result.stderr).toBe(true);
  expect(hasStackTrace(result.stderr)).toBe(false);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

async function runOn(bytes: string | Buffer, extra: string[] = []): Promise<{ result: CliResult; path: string; stateDir: string }> {
  const dir = await tempDir();
  const path = join(dir, "fixture.json");
  await writeFile(path, bytes);
  const stateDir = join(dir, "state");
  return { result: await runCli(runArgs(path, stateDir, extra)), path, stateDir };
}

const valid = JSON.stringify(fixtureOf("text", [successCase("case-a"), successCase("case-b")]));

describe("fixture text", { timeout: 60_000 }, () => {
  it("refuses a second `cases` array (the first was silently dropped) naming the key", async () => {
    const text = valid.replace(/}$/, `,"cases":[${JSON.stringify(successCase("only"))}]}`);
    const { result, path } = await runOn(text);
    expectInvalid(result, path, "cases appears more than once in the same object");
  });

  it("refuses a duplicate key inside a case, naming the case and field", async () => {
    const { result, path } = await runOn(valid.replace('"actor_id":"ops-bot"', '"actor_id":"ops-bot","actor_id":"eve"'));
    expectInvalid(result, path, 'case "case-a": actor_id appears more than once');
  });

  it("reports 1e309 as written, not as Infinity", async () => {
    const { result, path } = await runOn(valid.replace('"status_code":200', '"status_code":1e309'));
    expectInvalid(result, path, 'case "case-a": expected.status_code is the number 1e309');
    expect(result.stderr).not.toContain("Infinity");
  });

  it("refuses invalid UTF-8 with its byte offset instead of merging bob\\xff and bob\\xfe into U+FFFD", async () => {
    const at = Buffer.from(valid).indexOf("ops-bot") + 3;
    const bytes = Buffer.concat([Buffer.from(valid).subarray(0, at), Buffer.from([0xff]), Buffer.from(valid).subarray(at)]);
    const { result, path, stateDir } = await runOn(bytes);
    expectInvalid(result, path, `not valid UTF-8 at byte offset ${at}`);
    await expect(readdir(stateDir)).rejects.toThrow();
  });

  it("says a UTF-16 fixture is not UTF-8", async () => {
    const { result, path } = await runOn(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid, "utf16le")]));
    expectInvalid(result, path, "not UTF-8: the file looks like UTF-16");
  });

  it("refuses colliding case keys (/a:b + c and /a + b:c), naming both cases", async () => {
    const text = JSON.stringify(fixtureOf("collide", [successCase("c", { endpoint: "/a:b" }), successCase("b:c", { endpoint: "/a" })]));
    const { result, path } = await runOn(text);
    expectInvalid(result, path, 'case "b:c"', 'case key "GET:/a:b:c"', 'case "c" (index 0)');
  });

  it("keeps the message of a 2 MB unknown field name short", async () => {
    const { result, path } = await runOn(valid.replace(/}$/, `,"${"z".repeat(2 * 1024 * 1024)}":1}`));
    expectInvalid(result, path, "is not a known field");
    expect(result.stderr.length).toBeLessThan(2000);
  });
});

describe("control characters from the fixture", { timeout: 60_000 }, () => {
  const hostileId = "evil\u001b[2J\u001b[31m\nfake line\r\u009b1m";

  it("are escaped in the drift diff on stdout", async () => {
    const drifting = successCase(hostileId);
    (drifting.expected as { status_code: number }).status_code = 201;
    const { result } = await runOn(JSON.stringify(fixtureOf("ansi", [drifting])));
    expect(result.code, result.stderr).toBe(4);
    expect(result.stdout).toContain("evil\\u001b[2J\\u001b[31m\\nfake line\\r\\u009b1m");
    expect(result.stdout).not.toMatch(/[\u001b\r\u009b]/);
    expect(result.stdout).not.toContain("\nfake line");
  });

  it("cannot add lines to MEMORY.md", async () => {
    const { result, stateDir } = await runOn(JSON.stringify(fixtureOf("ansi", [successCase(hostileId, { endpoint: "/x\n- forged status=200 outcome=success" })])));
    expect(result.code, result.stderr).toBe(0);
    const memory = await readFile(join(stateDir, "channel-store", "gateway", "ops-bot", "MEMORY.md"), "utf8");
    const lines = memory.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe("- evil\\u001b[2J\\u001b[31m\\nfake line\\r\\u009b1m GET /x\\n- forged status=200 outcome=success status=200 outcome=success");
  });
});
