const MARKER = Symbol.for("tau.gateway-cli.error");

/** An error the CLI raises itself; its code decides the exit code (see exit-codes.ts). */
export class CliError extends Error {
  readonly [MARKER] = true;

  constructor(
    readonly code: "E_USAGE" | "E_NOT_FOUND" | "E_REPORT_WRITE",
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  static isInstance(error: unknown): error is CliError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** A command line that cannot be run as given (exit code 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super("E_USAGE", message);
  }

  static override isInstance(error: unknown): error is UsageError {
    return CliError.isInstance(error) && error.code === "E_USAGE";
  }
}

/** Something the command needs does not exist yet (exit code 1, no stack trace). */
export class NotFoundError extends CliError {
  constructor(message: string) {
    super("E_NOT_FOUND", message);
  }

  static override isInstance(error: unknown): error is NotFoundError {
    return CliError.isInstance(error) && error.code === "E_NOT_FOUND";
  }
}

/** A report could not be written after the cycle was persisted (exit code 1, no stack trace). */
export class ReportWriteError extends CliError {
  constructor(message: string) {
    super("E_REPORT_WRITE", message);
  }

  static override isInstance(error: unknown): error is ReportWriteError {
    return CliError.isInstance(error) && error.code === "E_REPORT_WRITE";
  }
}
