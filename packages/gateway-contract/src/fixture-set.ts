import { isAbsolute, resolve } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { caseKey } from "./case-key";
import { FixtureError, type FixtureIssue } from "./errors";
import type { Fixture, FixtureDocument, GatewayCase } from "./fixture";
import type { FixtureSource } from "./fixture-source";
import { readFixtureDocument } from "./load-fixture";
import { requireExpectations } from "./validate-fixture-document";

/** One file of a fixture set: its parsed document, its text (for edits) and its source. */
export interface FixtureSetFile {
  document: FixtureDocument;
  text: string;
  source: FixtureSource;
}

/**
 * The files a list of `--gateway-fixture` values names, in the order given (a glob's matches
 * sorted), each once. A plain path is taken as is (a missing one fails when read); a glob that
 * matches nothing is an error (E_FIXTURE_NOT_FOUND), so a typo cannot run an empty set.
 */
export async function expandFixturePatterns(patterns: readonly string[], options: { cwd?: string } = {}): Promise<string[]> {
  const cwd = options.cwd ?? process.cwd();
  const out: string[] = [];
  for (const pattern of patterns) {
    if (!isDynamicPattern(pattern)) {
      out.push(pattern);
      continue;
    }
    // Absolute patterns give absolute paths, relative ones paths relative to cwd: as the user wrote them.
    const matches = (await glob(pattern, { cwd, onlyFiles: true, expandDirectories: false, absolute: isAbsolute(pattern) })).sort();
    if (matches.length === 0) {
      throw new FixtureError({
        code: "E_FIXTURE_NOT_FOUND",
        source: pattern,
        issues: [{ path: "", message: `${pattern}: the glob matches no file (quote it so the shell does not expand it, and check the directory)` }],
      });
    }
    out.push(...matches);
  }
  // Each file once, in the form it was first named ("a.json" and "./a.json" are one file).
  const seen = new Set<string>();
  return out.filter((path) => {
    const key = resolve(cwd, path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Reads every fixture of a set. Case keys must be unique across the set: a clash is an invalid
 * fixture naming both files and both cases.
 */
export async function readFixtureSet(options: { patterns: readonly string[]; cwd?: string; maxBytes?: number }): Promise<FixtureSetFile[]> {
  const paths = await expandFixturePatterns(options.patterns, options.cwd !== undefined ? { cwd: options.cwd } : {});
  const files: FixtureSetFile[] = [];
  for (const path of paths) files.push(await readFixtureDocument(path, options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}));
  // Only cases of two different files can clash here (within a file, fixtureRules already
  // checked): a single file skips a key computation and a map entry per case.
  if (files.length < 2) return files;
  const seen = new Map<string, { path: string; caseId: string }>();
  const issues: FixtureIssue[] = [];
  for (const file of files) {
    file.document.cases.forEach((c, caseIndex) => {
      const key = caseKey(c);
      const first = seen.get(key);
      const caseId = c.case_id.trim();
      if (first === undefined) seen.set(key, { path: file.source.path, caseId });
      else if (first.path !== file.source.path) {
        issues.push({
          path: `cases[${caseIndex}]`,
          caseId,
          caseIndex,
          message: `${file.source.path}: case ${JSON.stringify(caseId)}: case key ${JSON.stringify(key)} is also used by case ${JSON.stringify(first.caseId)} in ${first.path}; case keys must be unique across the fixture set`,
        });
      }
    });
  }
  if (issues.length > 0) throw new FixtureError({ code: "E_FIXTURE_INVALID", source: issues[0]?.message.split(":")[0] ?? "", issues });
  return files;
}

/**
 * One runnable fixture from a set: every case must have `expected` (E_FIXTURE_UNRECORDED
 * otherwise), and with `tags` only the cases carrying at least one of them are kept.
 */
export function selectFixtureCases(options: { files: readonly FixtureSetFile[]; tags?: readonly string[] }): Fixture {
  const { files } = options;
  const tags = (options.tags ?? []).map((t) => t.trim()).filter((t) => t.length > 0);
  const runnable = files.map((f) => requireExpectations(f.document, f.source.path));
  let cases: GatewayCase[] = runnable.flatMap((f) => f.cases);
  if (tags.length > 0) {
    cases = cases.filter((c) => (c.tags ?? []).some((t) => tags.includes(t.trim())));
    if (cases.length === 0) {
      const where = files.map((f) => f.source.path).join(", ");
      throw new FixtureError({
        code: "E_FIXTURE_INVALID",
        source: where,
        issues: [{ path: "", message: `${where}: no case has any of the tags ${tags.map((t) => JSON.stringify(t)).join(", ")} (tags are a fixture v2 field)` }],
      });
    }
  }
  const first = runnable[0];
  if (first === undefined) throw new FixtureError({ code: "E_FIXTURE_NOT_FOUND", source: "", issues: [{ path: "", message: "no fixture given" }] });
  return {
    schema_version: runnable.some((f) => f.schema_version === 2) ? 2 : 1,
    name: runnable.length === 1 ? first.name : runnable.map((f) => f.name).join(" + "),
    description: runnable.length === 1 ? first.description : `set of ${runnable.length} fixtures`,
    cases,
  };
}
