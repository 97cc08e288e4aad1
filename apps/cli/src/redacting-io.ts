import type { Redactor } from "@tau/gateway";
import type { Io } from "./io";

/**
 * The CLI's output rim: everything a command writes, and the message of any error it throws,
 * passes through the redactor of the run's secrets (target header values, URL userinfo).
 */
export function redactingIo(io: Io, redactor: Redactor): Io {
  if (!redactor.active) return io;
  return { ...io, out: (text) => io.out(redactor.text(text)), err: (text) => io.err(redactor.text(text)) };
}

/** Rewrites an error's message and stack through the redactor, so main's `error:` line cannot leak. */
export function redactError(error: unknown, redactor: Redactor): unknown {
  if (!redactor.active || !(error instanceof Error)) return error;
  error.message = redactor.text(error.message);
  if (error.stack) error.stack = redactor.text(error.stack);
  return error;
}
