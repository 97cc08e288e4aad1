import type { Outcome } from "./capabilities";

/** What a gateway answered for one case, in wire names. `error_code` is "" when there is none. */
export interface Observed {
  outcome: Outcome;
  status_code: number;
  error_code: string;
  response_body: unknown;
  /** Why the observation is unusual, e.g. a response body that was not JSON. */
  note?: string;
}
