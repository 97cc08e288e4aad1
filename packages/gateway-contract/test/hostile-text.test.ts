import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FixtureError, readFixtureFile } from "../src/index";
import { parseJsonText } from "../src/json-text";
import { INLINE_SOURCE, issuesOf, rejectionOf, successCase, validFixture } from "./helpers/fixture-builders";
import { makeTempDir } from "./helpers/temp-dir";

// behavior.md §10: what JSON.parse and a UTF-8 decoder hide silently is an invalid fixture.

describe("parseJsonText", () => {
  it("parses like JSON.parse and finds nothing in clean text, colons and escaped quotes in strings included", () => {
    const text = '{"a:b": "c:\\"d:", "e": [1, {"f": "\\\\"}], "g": {"h": null}}';
    expect(parseJsonText(text)).toEqual({ value: JSON.parse(text), issues: [] });
  });

  it("reports every duplicate key with its path, where JSON.parse keeps only the last", () => {
    const text = '{"cases": [{"x": 1}, {"y": {"z": 1, "z": 2}}], "cases": [], "__proto__": 1, "__proto__": 2}';
    const { issues } = parseJsonText(text);
    expect(issues.map((i) => [i.kind, i.path])).toEqual([
      ["duplicate_key", ["cases", 1, "y", "z"]],
      ["duplicate_key", ["cases"]],
      ["duplicate_key", ["__proto__"]],
    ]);
    expect(text.slice(issues[0]?.offset, (issues[0]?.offset ?? 0) + 3)).toBe('"z"');
  });

  it("reports a number too large for a double as written", () => {
    const { issues } = parseJsonText('{"a": [1e309, -2E+400, 1.5]}');
    expect(issues.map((i) => [i.path, i.literal])).toEqual([
      [["a", 0], "1e309"],
      [["a", 1], "-2E+400"],
    ]);
  });
});

describe("parseFixture on what JSON.parse hides", () => {
  it("rejects a second `cases` array instead of letting it drop the first", () => {
    const text = `{"schema_version": 1, "name": "n", "cases": [${JSON.stringify(successCase())}], "cases": [${JSON.stringify(successCase({ case_id: "other" }))}]}`;
    const error = rejectionOf(text);
    expect(error.code).toBe("E_FIXTURE_INVALID");
    expect(error.issues.map((i) => i.path)).toEqual(["cases"]);
    expect(error.message).toContain(`${INLINE_SOURCE}: cases appears more than once in the same object (again at line 1, column`);
  });

  it("names the case and field of a duplicate key inside a case", () => {
    const text = JSON.stringify(validFixture()).replace('"status_code":200', '"status_code":200,"status_code":201');
    const error = rejectionOf(text);
    expect(error.issues[0]).toMatchObject({ path: "cases[0].expected.status_code", caseId: "gateway-read-task" });
    expect(error.issues[0]?.message).toContain('case "gateway-read-task": expected.status_code appears more than once');
  });

  it("reports 1e309 as the literal, not as Infinity", () => {
    const text = JSON.stringify(validFixture()).replace('"status_code":200', '"status_code":1e309');
    const error = rejectionOf(text);
    expect(error.message).toContain("expected.status_code is the number 1e309");
    expect(error.message).not.toContain("Infinity");
    expect(error.issues).toHaveLength(1);
  });

  it("cuts a 2 MB unknown field name short in the message", () => {
    const name = `x${"y".repeat(2 * 1024 * 1024)}`;
    const error = rejectionOf(JSON.stringify(validFixture({ [name]: 1 })));
    expect(error.message).toContain("is not a known field");
    expect(error.message.length).toBeLessThan(1000);
  });

  it("quotes a field name holding an ANSI escape or a line break, so it stays on its line", () => {
    const error = rejectionOf(JSON.stringify(validFixture({ "bad\u001b[31m\nname": 1 })));
    expect(error.message).toContain('"bad\\u001b[31m\\nname" is not a known field');
    expect(error.message).not.toMatch(/[\u001b\n]/);
  });
});

describe("case keys (behavior.md §1, §4)", () => {
  it("rejects two cases whose keys collide, naming both", () => {
    const issues = issuesOf(
      validFixture({
        cases: [successCase({ case_id: "c", endpoint: "/a:b" }), successCase({ case_id: "b:c", endpoint: "/a" })],
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: "cases[1].case_id", caseId: "b:c" });
    expect(issues[0]?.message).toContain('case "b:c": case_id gives the case key "GET:/a:b:c", which case "c" (index 0) already has');
  });

  it("compares keys normalised: method upper-cased and trimmed, endpoint and id trimmed", () => {
    const issues = issuesOf(
      validFixture({
        cases: [successCase({ case_id: "c ", method: " get", endpoint: "/a:b" }), successCase({ case_id: "b:c", method: "GET", endpoint: " /a" })],
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(["cases[1].case_id"]);
  });
});

describe("fixture encoding", () => {
  async function rejection(bytes: Uint8Array): Promise<FixtureError> {
    const path = join(await makeTempDir(), "f.json");
    await writeFile(path, bytes);
    try {
      await readFixtureFile(path);
    } catch (error) {
      if (FixtureError.isInstance(error)) return error;
      throw error;
    }
    return expect.unreachable("expected the fixture to be rejected");
  }
  const text = JSON.stringify(validFixture());

  it("rejects invalid UTF-8 with its byte offset instead of turning it into U+FFFD", async () => {
    const good = Buffer.from(text);
    const at = text.indexOf("gateway-read-task") + 7;
    const bytes = Buffer.concat([good.subarray(0, at), Buffer.from([0xff]), good.subarray(at)]);
    const error = await rejection(bytes);
    expect(error.code).toBe("E_FIXTURE_ENCODING");
    expect(error.message).toContain(`not valid UTF-8 at byte offset ${at} (line 1, byte 0xFF)`);
  });

  it.each([
    ["an overlong encoding", [0xc0, 0xaf]],
    ["a UTF-16 surrogate", [0xed, 0xa0, 0x80]],
    ["a truncated sequence", [0xe2, 0x82]],
  ])("rejects %s at its offset", async (_name, bad) => {
    const error = await rejection(Buffer.concat([Buffer.from('{"name": "'), Buffer.from(bad), Buffer.from('"}')]));
    expect(error.message).toContain("not valid UTF-8 at byte offset 10");
  });

  it.each([
    ["UTF-16 (little-endian, byte order mark FF FE)", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])],
    ["UTF-16 (big-endian, byte order mark FE FF)", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()])],
    ["UTF-16 (little-endian, no byte order mark", Buffer.from(text, "utf16le")],
    ["UTF-16 (big-endian, no byte order mark", Buffer.from(text, "utf16le").swap16()],
  ])("says a file is not UTF-8 but looks like %s", async (what, bytes) => {
    const error = await rejection(bytes);
    expect(error.message).toContain(`not UTF-8: the file looks like ${what}`);
  });

  it("still accepts UTF-8 with and without a byte order mark, non-ASCII included", async () => {
    const dir = await makeTempDir();
    const body = JSON.stringify(validFixture({ name: "naïve ☃ 𝄞" }));
    await writeFile(join(dir, "a.json"), body);
    await writeFile(join(dir, "b.json"), `\uFEFF${body}`);
    expect((await readFixtureFile(join(dir, "a.json"))).fixture.name).toBe("naïve ☃ 𝄞");
    expect((await readFixtureFile(join(dir, "b.json"))).fixture.name).toBe("naïve ☃ 𝄞");
  });
});
