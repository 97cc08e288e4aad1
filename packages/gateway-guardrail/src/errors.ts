const MARKER = Symbol.for("tau.gateway-guardrail.error");

export type GuardrailErrorCode = "E_INVALID_THRESHOLD";

/** A guardrail configured outside its rules (e.g. a threshold below 1). */
export class GuardrailError extends Error {
  readonly code: GuardrailErrorCode;
  readonly [MARKER] = true;

  constructor(code: GuardrailErrorCode, message: string) {
    super(message);
    this.name = "GuardrailError";
    this.code = code;
  }

  /** True for a GuardrailError from any installed copy of this package. */
  static isInstance(error: unknown): error is GuardrailError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}
