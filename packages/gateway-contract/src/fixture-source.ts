import { createHash } from "node:crypto";

/** Where a fixture came from: its path as given and the SHA-256 of its bytes (hex). */
export interface FixtureSource {
  path: string;
  sha256: string;
}

/** SHA-256 (hex) of a fixture file's bytes. */
export function fixtureSha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * One digest for the fixture content a cycle ran: the file's own sha256 for one fixture; for a
 * set, the sha256 of the files' digests sorted and joined by newlines. Paths are left out so
 * shards on other machines (other checkouts) agree whenever the content is the same.
 */
export function combinedFixtureSha256(sources: readonly FixtureSource[]): string {
  if (sources.length === 1) return (sources[0] as FixtureSource).sha256;
  return fixtureSha256(sources.map((s) => s.sha256).sort().join("\n"));
}
