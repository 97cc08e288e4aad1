import { readGatewayStatus, readTransportHealth, TRANSPORT } from "@tau/gateway";
import { UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { flatten, json, keyValues } from "../render";
import { stateDirFromFlags } from "../runner-settings";

/** `--transport-health-inspect gateway` / `tau-gateway health`. */
export async function healthCommand(flags: Flags, io: Io, transport: string): Promise<number> {
  if (transport !== TRANSPORT) {
    throw new UsageError(`--transport-health-inspect: unsupported transport ${JSON.stringify(transport)} (supported: ${TRANSPORT})`);
  }
  const rows = await readTransportHealth(stateDirFromFlags(flags));
  if (flags.boolean("transport-health-json") || flags.boolean("json")) io.out(json(rows));
  else io.out(rows.map((row) => `${keyValues(flatten({ ...row }))}\n`).join(""));
  return EXIT.ok;
}

/** `--gateway-status-inspect` / `tau-gateway status`. */
export async function statusCommand(flags: Flags, io: Io): Promise<number> {
  const status = await readGatewayStatus(stateDirFromFlags(flags));
  if (flags.boolean("gateway-status-json") || flags.boolean("json")) {
    io.out(json(status));
  } else {
    const lines = Object.entries(flatten({ ...status })).map(([k, v]) => keyValues({ [k]: v }));
    io.out(`${lines.join("\n")}\n`);
  }
  return EXIT.ok;
}
