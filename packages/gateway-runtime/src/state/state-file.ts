import { lstat, readFile, rename } from "node:fs/promises";
import { writeFileAtomic } from "@tau/event-store";
import { GatewayRuntimeError } from "../errors";
import { emptyGatewayState, gatewayStateSchema, type GatewayState } from "./gateway-state";

/** A parser message made safe for one terminal line: V8 quotes the file's own bytes in it. */
function printable(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, "?");
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

export type StateReadResult =
  | { kind: "ok"; state: GatewayState }
  | { kind: "missing" }
  | { kind: "corrupt"; reason: string };

/** Reads and validates state.json without changing anything on disk. */
export async function readStateFile(statePath: string): Promise<StateReadResult> {
  let text: string;
  try {
    text = await readFile(statePath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    throw new GatewayRuntimeError("E_IO", `cannot read ${statePath}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: "corrupt", reason: `not valid JSON (${printable((error as Error).message)})` };
  }
  const parsed = gatewayStateSchema.safeParse(json);
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

/** Replaces state.json atomically (a crash leaves the old or the new file). */
export async function writeStateFile(statePath: string, state: GatewayState): Promise<void> {
  await writeFileAtomic(statePath, `${JSON.stringify(state)}\n`);
}
