import { join } from "node:path";
import { inspectJsonl, lockDir, repairJsonl } from "@tau/gateway";
import { NotFoundError, UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { json, keyValues } from "../render";
import { stateDirFromFlags } from "../runner-settings";

const EVENTS_FILE = "runtime-events.jsonl";

/** `tau-gateway events inspect|repair`: the runtime-events.jsonl of the state dir. */
export async function eventsCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const [action] = args;
  if (action !== "inspect" && action !== "repair") throw new UsageError("usage: tau-gateway events inspect|repair [--gateway-state-dir DIR]");
  const stateDir = stateDirFromFlags(flags);
  const path = join(stateDir, EVENTS_FILE);
  const inspection = await inspectJsonl(path);
  if (!inspection.exists) throw new NotFoundError(`no events log at ${path}: run the contract runner first (or check --gateway-state-dir)`);

  if (action === "inspect") {
    const report = { path, bytes: inspection.bytes, records: inspection.records, invalid_lines: inspection.invalidLines };
    io.out(flags.boolean("json") ? json(report) : `${keyValues(report)}\n`);
    return EXIT.ok;
  }
  // A runner appends a line at the end of every cycle; holding the state dir's lock means no
  // line can be appended while the file is rewritten (a running runner makes this exit 5).
  const lock = await lockDir(stateDir);
  let repair;
  try {
    repair = await repairJsonl(path);
  } finally {
    await lock.release();
  }
  const report = { path, kept: repair.kept, moved: repair.moved, corrupt_path: repair.corruptPath };
  io.out(flags.boolean("json") ? json(report) : `${keyValues({ ...report, corrupt_path: repair.corruptPath ?? "none" })}\n`);
  return EXIT.ok;
}
