import { classifyHealth, type HealthSnapshot, type HealthState } from "@tau/gateway-guardrail";
import { readStateForInspect } from "../state/read-state";
import { statePaths, TRANSPORT } from "../state/state-paths";

/** One row of `--transport-health-inspect` (behavior.md §8). */
export interface TransportHealthRow {
  transport: string;
  target: string;
  state_path: string;
  /** Classification of `health` (behavior.md §7), so operators need not derive it. */
  health_state: HealthState;
  health_reason: string;
  recommendation: string;
  health: HealthSnapshot;
}

/** The transport-health rows of a state directory (one: the gateway). */
export async function readTransportHealth(stateDir: string): Promise<TransportHealthRow[]> {
  const state = await readStateForInspect(stateDir);
  const classified = classifyHealth(state.health);
  return [
    {
      transport: TRANSPORT,
      target: "gateway-service",
      state_path: statePaths(stateDir).statePath,
      health_state: classified.state,
      health_reason: classified.reason,
      recommendation: classified.recommendation,
      health: state.health,
    },
  ];
}
