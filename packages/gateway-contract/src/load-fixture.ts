import { FixtureError } from "./errors";
import type { Fixture, FixtureDocument } from "./fixture";
import { decodeFixtureBytes } from "./fixture-encoding";
import { fixtureSha256, type FixtureSource } from "./fixture-source";
import { parseFixture, parseFixtureDocument } from "./parse-fixture";
import { readCapped } from "./read-capped";

/** Default upper bound on a fixture file's size: larger files are refused before reading. */
export const DEFAULT_MAX_FIXTURE_BYTES = 256 * 1024 * 1024;

function ioFailure(path: string, cause: unknown): FixtureError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === "ENOENT") {
    return new FixtureError({
      code: "E_FIXTURE_NOT_FOUND",
      source: path,
      issues: [{ path: "", message: `${path}: fixture file not found (pass an existing file with --gateway-fixture)` }],
      cause,
    });
  }
  const reason = code === "EISDIR" ? "is a directory, not a fixture file" : `cannot be read (${code ?? String(cause)})`;
  return new FixtureError({
    code: "E_FIXTURE_UNREADABLE",
    source: path,
    issues: [{ path: "", message: `${path}: ${reason}` }],
    cause,
  });
}

function tooLarge(path: string, size: string, maxBytes: number): FixtureError {
  return new FixtureError({
    code: "E_FIXTURE_TOO_LARGE",
    source: path,
    issues: [{
      path: "",
      message: `${path}: fixture is ${size}, over the limit of ${maxBytes} bytes (raise --gateway-max-fixture-bytes or split the fixture)`,
    }],
  });
}

async function readBytes(path: string, maxBytes: number | undefined): Promise<Buffer> {
  try {
    const limit = maxBytes ?? DEFAULT_MAX_FIXTURE_BYTES;
    return await readCapped({ path, maxBytes: limit, tooLarge: (size) => tooLarge(path, size, limit) });
  } catch (error) {
    if (FixtureError.isInstance(error)) throw error;
    throw ioFailure(path, error);
  }
}

/** Reads and validates a fixture file, with its source (path and sha256 of its bytes). */
export async function readFixtureFile(
  path: string,
  options: { maxBytes?: number } = {},
): Promise<{ fixture: Fixture; source: FixtureSource }> {
  let bytes: Buffer | undefined = await readBytes(path, options.maxBytes);
  const sha256 = fixtureSha256(bytes);
  const text = decodeFixtureBytes(bytes, path);
  // Hashed and decoded: the bytes can go before the parse builds its objects.
  bytes = undefined;
  const fixture = parseFixture(text, path);
  return { fixture, source: { path, sha256 } };
}

/**
 * Reads and validates a fixture file that may still have v2 cases without `expected` (for
 * recording, updating and editing), with its text, so edits can keep the file's layout.
 */
export async function readFixtureDocument(
  path: string,
  options: { maxBytes?: number } = {},
): Promise<{ document: FixtureDocument; text: string; source: FixtureSource }> {
  let bytes: Buffer | undefined = await readBytes(path, options.maxBytes);
  const sha256 = fixtureSha256(bytes);
  // The same text rules as readFixtureFile: invalid UTF-8 (with its byte offset) and UTF-16 are
  // refused here too, so a fixture to record or edit is never silently re-encoded.
  const text = decodeFixtureBytes(bytes, path);
  bytes = undefined;
  const document = parseFixtureDocument(text, path);
  return { document, text, source: { path, sha256 } };
}

/** Reads and validates a fixture file. Files over `maxBytes` are refused without reading them whole. */
export async function loadFixture(path: string, options: { maxBytes?: number } = {}): Promise<Fixture> {
  return (await readFixtureFile(path, options)).fixture;
}
