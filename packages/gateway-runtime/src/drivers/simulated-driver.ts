import { evaluateCase } from "@tau/gateway-contract";
import type { GatewayDriver } from "./driver";

/** The built-in deterministic gateway of behavior.md §2. */
export function simulatedDriver(): GatewayDriver {
  return {
    name: "simulated",
    execute: (gatewayCase) => Promise.resolve(evaluateCase(gatewayCase)),
  };
}
