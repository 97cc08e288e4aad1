import { readGatewayStatus } from "@tau/gateway";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { flatten, json, keyValues } from "../render";
import { stateDirFromFlags } from "../runner-settings";

/** `tau-gateway status` / `--gateway-status-inspect`. */
export async function statusCommand(flags: Flags, io: Io, _args: string[]): Promise<number> {
  const status = await readGatewayStatus(stateDirFromFlags(flags));
  if (flags.boolean("gateway-status-json") || flags.boolean("json")) {
    io.out(json(status));
  } else {
    // The first line is the original runner's header (its scripts look for it), with the verdict.
    const head = keyValues({
      state_path: status.state_path,
      health_state: status.health_state,
      rollout_gate: status.rollout_gate,
      rollout_reason_code: status.rollout_reason_code,
    });
    const lines = Object.entries(flatten({ ...status })).map(([k, v]) => keyValues({ [k]: v }));
    io.out(`gateway status inspect: ${head}\n${lines.join("\n")}\n`);
  }
  return EXIT.ok;
}
