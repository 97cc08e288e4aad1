import { readTransportHealth, TRANSPORT } from "@tau/gateway";
import { UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { flatten, json, keyValues } from "../render";
import { stateDirFromFlags } from "../runner-settings";

/** `tau-gateway health [TRANSPORT]` / `--transport-health-inspect TRANSPORT`. */
export async function healthCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const given = args[0] ?? TRANSPORT;
  // The original runner compares the target trimmed and case-insensitively (` Gateway ` is gateway).
  if (given.trim().toLowerCase() !== TRANSPORT) {
    throw new UsageError(`--transport-health-inspect: unsupported transport ${JSON.stringify(given)} (supported: ${TRANSPORT})`);
  }
  const rows = await readTransportHealth(stateDirFromFlags(flags));
  if (flags.boolean("transport-health-json") || flags.boolean("json")) io.out(json(rows));
  else io.out(rows.map((row) => `${keyValues(flatten({ ...row }))}\n`).join(""));
  return EXIT.ok;
}
