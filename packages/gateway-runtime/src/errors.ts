const MARKER = Symbol.for("tau.gateway-runtime.error");

export type GatewayRuntimeErrorCode =
  | "E_INVALID_OPTION"
  | "E_STATE_LOCKED"
  | "E_STATE_NOT_FOUND"
  | "E_STATE_CORRUPT"
  | "E_RUNTIME_CLOSED"
  | "E_IO"
  /** `mergeShards`: the shard dirs do not make one complete, consistent set of shard cycles. */
  | "E_SHARDS_NOT_MERGEABLE"
  /** drift accept found no drift (left) to accept in the last cycle. */
  | "E_NO_DRIFT"
  /** A fixture changed since the cycle whose drift is to be accepted. */
  | "E_FIXTURE_CHANGED"
  /** An output file exists and may not be overwritten (record without --force). */
  | "E_OUTPUT_EXISTS"
  /** record: some cases got no answer that a fixture can expect; nothing was written. */
  | "E_RECORD_FAILED";

/** An error of the runtime: a bad option, a locked or missing state dir, an I/O failure, shards that cannot merge. */
export class GatewayRuntimeError extends Error {
  readonly code: GatewayRuntimeErrorCode;
  /** Pid of the runner holding the state-dir lock, for `E_STATE_LOCKED`. */
  readonly holderPid?: number;
  readonly [MARKER] = true;

  constructor(
    code: GatewayRuntimeErrorCode,
    message: string,
    options: { cause?: unknown; holderPid?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayRuntimeError";
    this.code = code;
    if (options.holderPid !== undefined) this.holderPid = options.holderPid;
  }

  /** True for a GatewayRuntimeError from any installed copy of this package. */
  static isInstance(error: unknown): error is GatewayRuntimeError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}
