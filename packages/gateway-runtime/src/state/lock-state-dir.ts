import { EventStoreError, lockDir, makeDir, type DirLock } from "@tau/event-store";
import { GatewayRuntimeError } from "../errors";

/** The event store's E_LOCKED as the runtime's E_STATE_LOCKED (exit 5); other errors as they are. */
function stateLocked(error: unknown): unknown {
  if (EventStoreError.isInstance(error) && error.code === "E_LOCKED") {
    return new GatewayRuntimeError("E_STATE_LOCKED", error.message, {
      cause: error,
      ...(error.holderPid !== undefined ? { holderPid: error.holderPid } : {}),
    });
  }
  return error;
}

/**
 * Creates a state directory if it is missing and takes its lock: one runner (or merge) per
 * directory. E_INVALID_OPTION for a bad `lockStaleMs`, E_IO when the directory cannot be made,
 * E_STATE_LOCKED while another process holds it.
 */
export async function lockStateDir(stateDir: string, lockStaleMs?: number): Promise<DirLock> {
  if (lockStaleMs !== undefined && (!Number.isSafeInteger(lockStaleMs) || lockStaleMs <= 0)) {
    throw new GatewayRuntimeError("E_INVALID_OPTION", `lockStaleMs must be an integer greater than 0 (found ${lockStaleMs})`);
  }
  try {
    await makeDir(stateDir);
  } catch (error) {
    throw new GatewayRuntimeError("E_IO", `cannot create state directory ${stateDir}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return await lockDir(stateDir, lockStaleMs === undefined ? {} : { staleMs: lockStaleMs });
  } catch (error) {
    throw stateLocked(error);
  }
}

/**
 * Right before writing: the lock is still ours. A runner frozen past its heartbeat may have lost
 * it to another one, and must then write nothing over that runner's data (E_STATE_LOCKED).
 */
export async function assertStateLockHeld(lock: DirLock): Promise<void> {
  try {
    await lock.assertHeld();
  } catch (error) {
    throw stateLocked(error);
  }
}
