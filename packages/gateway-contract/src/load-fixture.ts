import { readFile, stat } from "node:fs/promises";
import { FixtureError } from "./errors";
import type { Fixture } from "./fixture-schema";
import { parseFixture } from "./parse-fixture";

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

/** Reads and validates a fixture file. Files over `maxBytes` are refused before being read. */
export async function loadFixture(
  path: string,
  options: { maxBytes?: number } = {},
): Promise<Fixture> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FIXTURE_BYTES;
  let text: string;
  try {
    const info = await stat(path);
    if (info.isFile() && info.size > maxBytes) {
      throw new FixtureError({
        code: "E_FIXTURE_TOO_LARGE",
        source: path,
        issues: [{
          path: "",
          message: `${path}: fixture is ${info.size} bytes, over the limit of ${maxBytes} bytes (raise --gateway-max-fixture-bytes or split the fixture)`,
        }],
      });
    }
    text = await readFile(path, "utf8");
  } catch (error) {
    if (FixtureError.isInstance(error)) throw error;
    throw ioFailure(path, error);
  }
  return parseFixture(text, path);
}
