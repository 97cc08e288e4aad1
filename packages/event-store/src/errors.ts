/** Machine-readable reason carried by every {@link EventStoreError}. */
export type EventStoreErrorCode =
  | "E_NOT_FOUND"
  | "E_IO"
  | "E_LOCKED"
  | "E_INVALID_CHANNEL_ID"
  /** A symlink, FIFO, device or socket where a regular file or directory belongs: refused, never followed. */
  | "E_UNSAFE_PATH";

/** Extra context attached to an {@link EventStoreError}. */
export interface EventStoreErrorOptions {
  /** The file or directory the operation was about. */
  path?: string;
  /** For `E_LOCKED`: the pid recorded in the lock file, when it could be read. */
  holderPid?: number;
  /** The underlying error, e.g. the errno error from `node:fs`. */
  cause?: unknown;
}

// A registry symbol rather than `instanceof`, so an error thrown by one installed copy of this
// package is still recognised by another copy (duplicated node_modules, ESM + CJS side by side).
const marker = Symbol.for("tau.event-store.error");

/** The only error type this package throws on purpose; switch on `code`, not on the message. */
export class EventStoreError extends Error {
  /** What went wrong, for programs to branch on. */
  readonly code: EventStoreErrorCode;
  /** The file or directory involved, when there is one. */
  readonly path?: string;
  /** For `E_LOCKED`: the pid of the process holding the lock, when the lock file names one. */
  readonly holderPid?: number;

  constructor(code: EventStoreErrorCode, message: string, options: EventStoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EventStoreError";
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
    if (options.holderPid !== undefined) this.holderPid = options.holderPid;
    Object.defineProperty(this, marker, { value: true, enumerable: false });
  }

  /** True for any `EventStoreError`, including one created by another copy of this package. */
  static isInstance(error: unknown): error is EventStoreError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
