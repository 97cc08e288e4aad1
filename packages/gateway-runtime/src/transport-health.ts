import type { HealthSnapshot } from "@tau/gateway-guardrail";
import { readStateForInspect } from "./read-state";
import { statePaths, TRANSPORT } from "./state-paths";

/** One row of `--transport-health-inspect` (behavior.md §8). */
export interface TransportHealthRow {
  transport: string;
  target: string;
  state_path: string;
  health: HealthSnapshot;
}

/** The transport-health rows of a state directory (one: the gateway). */
export async function readTransportHealth(stateDir: string): Promise<TransportHealthRow[]> {
  const state = await readStateForInspect(stateDir);
  return [
    {
      transport: TRANSPORT,
      target: "gateway-service",
      state_path: statePaths(stateDir).statePath,
      health: state.health,
    },
  ];
}
