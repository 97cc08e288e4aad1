import { EventStoreError } from "./errors.js";

/** The errno code of a Node.js system error (`ENOENT`, `ENOSPC`, ...), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Wraps a failed file-system call as `E_IO`, naming the path and the errno code so the message
 * alone tells an operator what went wrong (`could not write state.json: ENOSPC (...)`).
 * Errors that are already ours pass through untouched.
 */
export function toIoError(error: unknown, action: string, path: string): EventStoreError {
  if (EventStoreError.isInstance(error)) return error;
  const code = errnoCode(error) ?? "EUNKNOWN";
  const detail = error instanceof Error ? error.message : String(error);
  return new EventStoreError("E_IO", `could not ${action} ${path}: ${code} (${detail})`, {
    path,
    cause: error,
  });
}
