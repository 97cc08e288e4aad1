import { checkPath, EventStoreError, openRegular, sweepTempFiles } from "@tau/event-store";
import { assertStateLockHeld, lockStateDir } from "../state/lock-state-dir";
import { gatewayStateSchema, STATE_SCHEMA_VERSION } from "../state/gateway-state";
import { loadStateForRunner } from "../state/state-file";
import { statePaths, type StatePaths } from "../state/state-paths";

/** The merged state dir, locked, with what a merge takes from its history: the failure streak. */
export interface MergedDir {
  paths: StatePaths;
  /**
   * The failure streak of the dir's last cycle. A state.json this build cannot read is moved
   * aside with a warning, as `run` does: call it once the shards are known to be mergeable.
   */
  previousFailureStreak(): Promise<number>;
  /** Right before a write: E_STATE_LOCKED if the lock was taken over meanwhile (a frozen merge). */
  assertHeld(): Promise<void>;
  /** Releases the lock. */
  release(): Promise<void>;
}

/** state.json ends with these fields, in this order, after the last request record. */
const tailSchema = gatewayStateSchema.pick({ health: true, guardrail: true, last_cycle: true });
const TAIL_BYTES = 1 << 20;
const HEAD = `{"schema_version":${STATE_SCHEMA_VERSION},`;

/**
 * The health of a state.json read from its end, without its records: the file is written with
 * `requests` before `health`, and `],"health":{` cannot occur inside a JSON string (its quote
 * would be escaped) nor after the last record, so its last occurrence starts the tail.
 * Undefined when the file is not laid out that way: the caller falls back to the full loader.
 */
async function readPreviousStreak(statePath: string): Promise<number | "missing" | undefined> {
  let handle;
  try {
    handle = await openRegular(statePath, "read", "read");
  } catch (error) {
    if (EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND") return "missing";
    // A symlink or FIFO is refused by checkPath before this; anything else goes to the loader.
    return undefined;
  }
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, HEAD.length));
    await handle.read(head, 0, head.length, 0);
    if (head.toString("utf8") !== HEAD) return undefined;
    const length = Math.min(size, TAIL_BYTES);
    const tail = Buffer.alloc(length);
    await handle.read(tail, 0, length, size - length);
    const text = tail.toString("utf8");
    const at = text.lastIndexOf('],"health":{');
    if (at < 0) return undefined;
    const parsed = tailSchema.safeParse(JSON.parse(`{${text.slice(at + 2)}`));
    return parsed.success ? parsed.data.health.failure_streak : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * Takes the merged dir's lock, as a runner would (E_STATE_LOCKED while another holds it), and
 * reads its failure streak when asked. The merged cycle's records come from the shards alone, so the
 * previous records are never parsed: GatewayRuntime.open would parse all of them, seconds and
 * a GB of memory for a merged dir of 800k cases.
 */
export async function openMergedDir(options: {
  stateDir: string;
  nowUnixMs: number;
  onWarning: (message: string) => void;
  /** A lock from another host or PID namespace is taken over once its heartbeat is this old. */
  lockStaleMs?: number;
}): Promise<MergedDir> {
  const paths = statePaths(options.stateDir);
  const lock = await lockStateDir(paths.stateDir, options.lockStaleMs);
  try {
    // The runtime's refusals: a symlink, FIFO or device in place of a file it writes is refused
    // (E_UNSAFE_PATH) before anything is read or written.
    await checkPath(paths.statePath, "file", "use");
    await checkPath(paths.eventsPath, "file", "use");
    await checkPath(paths.lastCyclePath, "file", "use");
    await sweepTempFiles(paths.stateDir);
    const previousFailureStreak = async () => {
      const streak = await readPreviousStreak(paths.statePath);
      if (streak === "missing") return 0;
      // A file not laid out as this build writes it goes to the runner's own loader, which moves
      // what it cannot parse aside with a warning (never deleting it), exactly as `run` would.
      return streak ?? (await loadStateForRunner({ statePath: paths.statePath, nowUnixMs: options.nowUnixMs, onWarning: options.onWarning })).health.failure_streak;
    };
    const assertHeld = () => assertStateLockHeld(lock);
    return { paths, previousFailureStreak, assertHeld, release: () => lock.release() };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
