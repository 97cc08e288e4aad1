import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_FIXTURE_BYTES, FixtureError, loadFixture, readFixtureDocument, readFixtureFile, readFixtureSet } from "../src/index";
import { validFixture } from "./helpers/fixture-builders";
import { makeTempDir } from "./helpers/temp-dir";

async function rejectionOf(promise: Promise<unknown>): Promise<FixtureError> {
  try {
    await promise;
  } catch (error) {
    if (FixtureError.isInstance(error)) return error;
    throw error;
  }
  return expect.unreachable("expected loadFixture to reject");
}

describe("loadFixture", () => {
  it("reads and validates a fixture file", async () => {
    const path = join(await makeTempDir(), "fixture.json");
    await writeFile(path, JSON.stringify(validFixture({ name: "on-disk" }), null, 2));
    const fixture = await loadFixture(path);
    expect(fixture.name).toBe("on-disk");
    expect(fixture.cases[0]?.body).toBeNull();
  });

  it("accepts a file that starts with a UTF-8 byte order mark", async () => {
    const path = join(await makeTempDir(), "bom.json");
    await writeFile(path, `\uFEFF${JSON.stringify(validFixture())}`, "utf8");
    await expect(loadFixture(path)).resolves.toMatchObject({ name: "inline" });
  });

  it("names the file path in every issue of an invalid fixture", async () => {
    const path = join(await makeTempDir(), "broken.json");
    await writeFile(path, JSON.stringify(validFixture({ schema_version: 3, name: "" })));
    const error = await rejectionOf(loadFixture(path));
    expect(error.code).toBe("E_FIXTURE_INVALID");
    expect(error.source).toBe(path);
    expect(error.issues).toHaveLength(2);
    for (const issue of error.issues) expect(issue.message.startsWith(`${path}: `)).toBe(true);
  });

  it("reports line and column of a file that is not valid JSON", async () => {
    const path = join(await makeTempDir(), "syntax.json");
    await writeFile(path, '{\n  "schema_version": 1,\n  "name": "x",\n}\n');
    const error = await rejectionOf(loadFixture(path));
    expect(error.code).toBe("E_FIXTURE_JSON");
    expect(error.message).toBe(`${path}: not valid JSON at line 4, column 1: expected a double-quoted property name, found "}"`);
  });

  it("reports a missing file as E_FIXTURE_NOT_FOUND with the path and what to do", async () => {
    const path = join(await makeTempDir(), "absent.json");
    const error = await rejectionOf(loadFixture(path));
    expect(error.code).toBe("E_FIXTURE_NOT_FOUND");
    expect(error.source).toBe(path);
    expect(error.message).toBe(`${path}: fixture file not found (pass an existing file with --gateway-fixture)`);
    expect(error.issues).toEqual([{ path: "", message: error.message }]);
    expect(error.cause).toMatchObject({ code: "ENOENT" });
  });

  it("reports a directory as E_FIXTURE_UNREADABLE", async () => {
    const dir = await makeTempDir();
    const error = await rejectionOf(loadFixture(dir));
    expect(error.code).toBe("E_FIXTURE_UNREADABLE");
    expect(error.message).toBe(`${dir}: is a directory, not a fixture file`);
    expect(error.cause).toMatchObject({ code: "EISDIR" });
  });

  it("refuses a file over maxBytes as E_FIXTURE_TOO_LARGE without reading it", async () => {
    const path = join(await makeTempDir(), "large.json");
    // Not even JSON: a rejection for size proves the content was never looked at.
    await writeFile(path, "x".repeat(11));
    const error = await rejectionOf(loadFixture(path, { maxBytes: 10 }));
    expect(error.code).toBe("E_FIXTURE_TOO_LARGE");
    expect(error.message).toBe(
      `${path}: fixture is 11 bytes, over the limit of 10 bytes (raise --gateway-max-fixture-bytes or split the fixture)`,
    );
  });

  it("stops reading an endless source (a device) at the limit instead of reading it whole", async () => {
    const error = await rejectionOf(loadFixture("/dev/zero", { maxBytes: 1000 }));
    expect(error.code).toBe("E_FIXTURE_TOO_LARGE");
    expect(error.message).toContain("more than 1000 bytes");
  });

  it("reads a file of exactly maxBytes", async () => {
    const path = join(await makeTempDir(), "exact.json");
    const text = JSON.stringify(validFixture());
    await writeFile(path, text);
    const size = Buffer.byteLength(text);
    await expect(loadFixture(path, { maxBytes: size })).resolves.toMatchObject({ name: "inline" });
  });

  it("gives the sha256 of the file's bytes and its exact text, for a file of several MiB", async () => {
    const path = join(await makeTempDir(), "large.json");
    const fixture = validFixture({ name: "large" });
    const one = (fixture.cases as Record<string, unknown>[])[0];
    // Multi-byte text straddling every 1 MiB boundary, and a size that is no power of two.
    fixture.cases = Array.from({ length: 9000 }, (_, n) => ({ ...one, case_id: `case-${n}`, actor_id: `actör-${n % 7} ${"é😀".repeat(n % 50)}` }));
    const text = JSON.stringify(fixture, null, 1);
    await writeFile(path, text);
    const bytes = Buffer.from(text, "utf8");
    expect(bytes.length).toBeGreaterThan(3 * 1024 * 1024);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const read = await readFixtureFile(path);
    expect(read.source).toEqual({ path, sha256 });
    expect(read.fixture.cases).toHaveLength(9000);
    const document = await readFixtureDocument(path);
    expect(document.text).toBe(text);
    expect(document.source.sha256).toBe(sha256);
  });

  it("counts bytes, not characters, against maxBytes", async () => {
    const path = join(await makeTempDir(), "unicode.json");
    const text = JSON.stringify(validFixture({ name: "é".repeat(10) }));
    await writeFile(path, text);
    const error = await rejectionOf(loadFixture(path, { maxBytes: text.length }));
    expect(error.code).toBe("E_FIXTURE_TOO_LARGE");
  });

  it("allows 256 MiB by default", () => {
    expect(DEFAULT_MAX_FIXTURE_BYTES).toBe(256 * 1024 * 1024);
  });
});

/** A v2 fixture whose case has no expected yet: what record, --gateway-update and drift accept read. */
const toRecord = (name = "to-record") =>
  JSON.stringify({ schema_version: 2, name, cases: [{ case_id: "read", method: "GET", endpoint: "/v1/tasks/7", actor_id: "ops-bot" }] }, null, 2);

describe("readFixtureDocument (record, update, drift accept, fixture sets)", () => {
  it("refuses invalid UTF-8 with the byte offset, as readFixtureFile does", async () => {
    const path = join(await makeTempDir(), "latin1.json");
    const bytes = Buffer.from(toRecord("caf\u00e9"), "latin1");
    await writeFile(path, bytes);
    const offset = bytes.indexOf(0xe9);
    for (const read of [readFixtureDocument(path), readFixtureSet({ patterns: [path] })]) {
      const error = await rejectionOf(read);
      expect(error.code).toBe("E_FIXTURE_ENCODING");
      expect(error.message).toContain(`not valid UTF-8 at byte offset ${offset}`);
    }
  });

  it("refuses a UTF-16 file, naming the encoding", async () => {
    const path = join(await makeTempDir(), "utf16.json");
    await writeFile(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(toRecord(), "utf16le")]));
    const error = await rejectionOf(readFixtureDocument(path));
    expect(error.code).toBe("E_FIXTURE_ENCODING");
    expect(error.message).toContain("UTF-16 (little-endian");
  });

  it("refuses duplicate keys and numbers too large for a double in a fixture to record", async () => {
    const dir = await makeTempDir();
    const duplicate = join(dir, "duplicate.json");
    await writeFile(duplicate, toRecord().replace('"name": "to-record"', '"name": "first", "name": "to-record"'));
    const dupError = await rejectionOf(readFixtureDocument(duplicate));
    expect(dupError.code).toBe("E_FIXTURE_INVALID");
    expect(dupError.message).toContain("name appears more than once in the same object");

    const huge = join(dir, "huge.json");
    await writeFile(huge, toRecord().replace('"actor_id": "ops-bot"', '"actor_id": "ops-bot", "body": {"n": 1e309}'));
    const hugeError = await rejectionOf(readFixtureDocument(huge));
    expect(hugeError.code).toBe("E_FIXTURE_INVALID");
    expect(hugeError.message).toContain("1e309");
    // The value the text issue explains (Infinity) is reported once, not again by the schema.
    expect(hugeError.issues).toHaveLength(1);
  });

  it("reads a valid v2 fixture without expected, with its text as written", async () => {
    const path = join(await makeTempDir(), "ok.json");
    await writeFile(path, toRecord());
    const read = await readFixtureDocument(path);
    expect(read.text).toBe(toRecord());
    expect(read.document.cases[0]?.expected).toBeUndefined();
  });
});
