import { GatewayRuntimeError } from "../errors";
import type { GatewayState } from "./gateway-state";
import { readStateFile } from "./state-file";
import { statePaths } from "./state-paths";

/** Reads state.json for an inspect report: read-only, with errors that say what to do next. */
export async function readStateForInspect(stateDir: string): Promise<GatewayState> {
  const { statePath } = statePaths(stateDir);
  const read = await readStateFile(statePath);
  if (read.kind === "missing") {
    throw new GatewayRuntimeError(
      "E_STATE_NOT_FOUND",
      `no gateway state at ${statePath}: run the contract runner first (tau-gateway --gateway-contract-runner --gateway-state-dir ${stateDir})`,
    );
  }
  if (read.kind === "corrupt") {
    throw new GatewayRuntimeError(
      "E_STATE_CORRUPT",
      `${statePath} is not usable (${read.reason}); the next contract-runner cycle moves it aside to state.json.corrupt-<unix_ms> and starts fresh`,
    );
  }
  return read.state;
}
