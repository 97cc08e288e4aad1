import type { GatewayCase } from "@tau/gateway-contract";

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Orders cases by case_id, method, endpoint (raw strings, code-unit order) and keeps the first
 * `limit`. Sorting before truncation makes the backlog the same cases every cycle.
 */
export function buildQueue(
  cases: readonly GatewayCase[],
  limit: number,
): { queued: GatewayCase[]; backlog: number; backlogCases: GatewayCase[] } {
  const sorted = [...cases].sort(
    (a, b) =>
      byCodeUnits(a.case_id, b.case_id) || byCodeUnits(a.method, b.method) || byCodeUnits(a.endpoint, b.endpoint),
  );
  const queued = sorted.slice(0, limit);
  const backlogCases = sorted.slice(limit);
  return { queued, backlog: backlogCases.length, backlogCases };
}
