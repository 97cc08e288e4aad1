import type { GatewayCase, Observed } from "@tau/gateway-contract";

/** A failure to get any answer from the gateway (connection refused, timeout, ...). */
export interface TransportFailure {
  outcome: "transport_error";
  /** Machine-readable cause, e.g. `ECONNREFUSED`, `timeout`. */
  error_code: string;
  message: string;
}

/** One attempt's result: an answer, or a transport failure; both may ask for a later retry. */
export type DriverResult = (Observed | TransportFailure) & {
  /** Server-requested wait before the next attempt (e.g. from `Retry-After`), in ms. */
  retry_after_ms?: number;
};

/** Turns a case into an observed result. The engine never knows which driver it has. */
export interface GatewayDriver {
  /** Short name for reports, e.g. `simulated` or `http`. */
  readonly name: string;
  execute(gatewayCase: GatewayCase, context: { attempt: number; signal?: AbortSignal }): Promise<DriverResult>;
}
