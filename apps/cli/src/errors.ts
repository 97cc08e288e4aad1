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

const NOT_FOUND_MARKER = Symbol.for("tau.gateway-cli.not-found-error");

/** Something the command needs does not exist yet (exit code 1, no stack trace). */
export class NotFoundError extends Error {
  readonly code = "E_NOT_FOUND";
  readonly [NOT_FOUND_MARKER] = true;

  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }

  static isInstance(error: unknown): error is NotFoundError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[NOT_FOUND_MARKER] === true;
  }
}
