const MARKER = Symbol.for("tau.gateway-cli.usage-error");

/** A command line that cannot be run as given (exit code 2). */
export class UsageError extends Error {
  readonly code = "E_USAGE";
  readonly [MARKER] = true;

  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }

  static isInstance(error: unknown): error is UsageError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}
