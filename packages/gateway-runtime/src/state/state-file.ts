import { lstat, rename } from "node:fs/promises";
import {
  EventStoreError,
  JsonTooLargeError,
  openAtomicFile,
  readJsonStream,
  writeJsonStream,
  type AtomicFile,
  type JsonFileRead,
} from "@tau/event-store";
import { GatewayRuntimeError } from "../errors";
import { emptyGatewayState, type GatewayState } from "./gateway-state";
import { parseGatewayState } from "./parse-gateway-state";

/** A parser message made safe for one terminal line: V8 quotes the file's own bytes in it. */
function printable(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, "?");
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

export type StateReadResult =
  | { kind: "ok"; state: GatewayState }
  | { kind: "missing" }
  | { kind: "corrupt"; reason: string };

/**
 * Reads and validates state.json without changing anything on disk. The file is parsed member by
 * member and element by element (readJsonStream), so its size is not bounded by V8's longest
 * string; invalid UTF-8 makes it corrupt rather than silently replaced. A symlink, FIFO or device
 * in its place is refused (EventStoreError E_UNSAFE_PATH), never followed.
 */
export async function readStateFile(statePath: string): Promise<StateReadResult> {
  let read: JsonFileRead;
  try {
    read = await readJsonStream(statePath);
  } catch (error) {
    if (EventStoreError.isInstance(error)) {
      if (error.code === "E_NOT_FOUND") return { kind: "missing" };
      if (error.code === "E_UNSAFE_PATH") throw error;
    }
    throw new GatewayRuntimeError("E_IO", `cannot read ${statePath}: ${(error as Error).message}`, { cause: error });
  }
  if (!read.ok) return { kind: "corrupt", reason: printable(read.reason) };
  const parsed = parseGatewayState(read.value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? first.path.join(".") : "the file";
    return { kind: "corrupt", reason: `unexpected content at ${where}: ${first?.message ?? "invalid"}` };
  }
  return { kind: "ok", state: parsed.data };
}

/**
 * A name beside state.json that is not taken yet: `state.json.corrupt-<unix_ms>`, or with `-1`,
 * `-2`, ... appended when an earlier quarantine used the same millisecond. rename() would silently
 * replace an existing file, and quarantined bytes must never be deleted. Checking first is safe
 * because only the runner holding the state-dir lock moves files aside.
 */
async function freeAsideName(statePath: string, nowUnixMs: number): Promise<string> {
  const base = `${statePath}.corrupt-${nowUnixMs}`;
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    try {
      await lstat(candidate);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return candidate;
      throw error;
    }
  }
}

/**
 * Loads state.json for a runner. A file that does not parse or has another schema version is
 * moved aside to `state.json.corrupt-<unix_ms>` (never deleted) and the runner starts fresh.
 */
export async function loadStateForRunner(options: {
  statePath: string;
  nowUnixMs: number;
  onWarning: (message: string) => void;
}): Promise<GatewayState> {
  const { statePath, nowUnixMs, onWarning } = options;
  const read = await readStateFile(statePath);
  if (read.kind === "ok") return read.state;
  if (read.kind === "corrupt") {
    let aside = `${statePath}.corrupt-${nowUnixMs}`;
    try {
      aside = await freeAsideName(statePath, nowUnixMs);
      await rename(statePath, aside);
    } catch (error) {
      throw new GatewayRuntimeError("E_IO", `cannot move corrupt ${statePath} aside: ${(error as Error).message}`, { cause: error });
    }
    onWarning(`${statePath} is not usable (${read.reason}); moved it to ${aside} and started from a fresh state`);
  }
  return emptyGatewayState();
}

/**
 * Writes the next state.json to a temp file beside it, streamed (no string of the whole state is
 * ever built), and returns it uncommitted: `commit()` renames it into place (a crash leaves the
 * old or the new file), `abort()` drops it. Written before the channel-store appends, so the one
 * limit left (a single request record, or another single value, must serialise to under ~512
 * MiB) fails the cycle before anything of it is on disk.
 */
export async function prepareStateFile(statePath: string, state: GatewayState): Promise<AtomicFile> {
  return prepareStateStream(statePath, state as unknown as Record<string, unknown>);
}

/**
 * prepareStateFile for a state whose members may be {@link RawJsonArray}s (the merge copies the
 * shards' request records as bytes): the same writer, the same errors.
 */
export async function prepareStateStream(statePath: string, state: Record<string, unknown>): Promise<AtomicFile> {
  const file = await openAtomicFile(statePath);
  try {
    await writeJsonStream(file, state);
  } catch (error) {
    await file.abort();
    if (error instanceof JsonTooLargeError) {
      throw new GatewayRuntimeError(
        "E_IO",
        `cannot write ${statePath}: ${error.message}; nothing of this cycle was written`,
        { cause: error },
      );
    }
    throw error;
  }
  return file;
}

/** Replaces state.json atomically (a crash leaves the old or the new file). */
export async function writeStateFile(statePath: string, state: GatewayState): Promise<void> {
  const file = await prepareStateFile(statePath, state);
  await file.commit();
}
