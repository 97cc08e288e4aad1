const MARKER = Symbol.for("tau.gateway-watch.error");

export type WatchErrorCode =
  /** A watch setting out of range (usage error). */
  | "E_INVALID_OPTION"
  /** A listen address that is not loopback, without a token or an explicit opt-out (usage error). */
  | "E_INSECURE_LISTEN"
  /** The server could not listen (address in use, no permission). */
  | "E_LISTEN";

/** An error of the watch: a bad setting, an unsafe listen address, a server that cannot listen. */
export class WatchError extends Error {
  readonly code: WatchErrorCode;
  readonly [MARKER] = true;

  constructor(code: WatchErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WatchError";
    this.code = code;
  }

  /** True for a WatchError from any installed copy of this package. */
  static isInstance(error: unknown): error is WatchError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}
