const MARKER = Symbol.for("tau.gateway-contract.fixture-error");

/** One problem found in a fixture. */
export interface FixtureIssue {
  /** Dotted path of the field, e.g. `cases[2].expected.status_code`; empty for the whole file. */
  path: string;
  /** The case's `case_id` when the problem is inside a case that has one. */
  caseId?: string;
  /** Index of the case in `cases` when the problem is inside a case. */
  caseIndex?: number;
  /** What was expected and what was found, with the location prefix. */
  message: string;
}

export type FixtureErrorCode =
  | "E_FIXTURE_INVALID"
  | "E_FIXTURE_JSON"
  | "E_FIXTURE_ENCODING"
  | "E_FIXTURE_NOT_FOUND"
  | "E_FIXTURE_UNREADABLE"
  | "E_FIXTURE_TOO_LARGE"
  /** A v2 fixture with cases that have no `expected` yet: it can be recorded, not run. */
  | "E_FIXTURE_UNRECORDED"
  /** A fixture file could not be edited as asked (a case or field that is not there). */
  | "E_FIXTURE_EDIT"
  /** A file given to `import har` is not a HAR log (or has no request to import). */
  | "E_HAR_INVALID";

/** A fixture that cannot be used; `issues` lists every problem found, not only the first. */
export class FixtureError extends Error {
  readonly code: FixtureErrorCode;
  readonly source: string;
  readonly issues: readonly FixtureIssue[];
  readonly [MARKER] = true;

  constructor(options: {
    code: FixtureErrorCode;
    source: string;
    issues: readonly FixtureIssue[];
    cause?: unknown;
  }) {
    const { code, source, issues, cause } = options;
    const head =
      issues.length === 1
        ? (issues[0]?.message ?? `${source}: invalid fixture`)
        : `${source}: ${issues.length} problems in fixture\n${issues.map((i) => `  - ${i.message}`).join("\n")}`;
    super(head, cause === undefined ? undefined : { cause });
    this.name = "FixtureError";
    this.code = code;
    this.source = source;
    this.issues = issues;
  }

  /** True for a FixtureError from any installed copy of this package. */
  static isInstance(error: unknown): error is FixtureError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}
