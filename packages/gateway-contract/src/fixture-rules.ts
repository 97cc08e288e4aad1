import type { z } from "zod";
import { ERROR_CODES, OUTCOMES, SUPPORTED_METHODS, type Outcome } from "./capabilities";
import { describeValue } from "./describe-value";
import { caseKey, normalizeMethod } from "./case-key";

type Ctx = z.core.$RefinementCtx<unknown>;
type Path = (string | number)[];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isOutcome = (v: unknown): v is Outcome => (OUTCOMES as readonly unknown[]).includes(v);
const quoteList = (items: readonly string[]) => items.map((s) => `"${s}"`).join(", ");

function issue(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: "custom", path, message, input: undefined });
}

/**
 * Rules that tie fields of one case together. The input may be malformed (these run even when
 * the shape failed), so every field is type-checked before it is used.
 */
export function caseRules(value: unknown, ctx: Ctx): void {
  if (!isRecord(value) || !isRecord(value.expected)) return;
  const expected = value.expected;
  const outcome = expected.outcome;
  if (!isOutcome(outcome)) return;

  const status = expected.status_code;
  if (typeof status === "number" && Number.isInteger(status)) {
    if (outcome === "success" && (status < 200 || status > 299)) {
      issue(ctx, ["expected", "status_code"], `must be 2xx for outcome "success" (found ${status})`);
    }
    if (outcome !== "success" && status < 400) {
      issue(ctx, ["expected", "status_code"], `must be 400 or greater for outcome "${outcome}" (found ${status})`);
    }
  }

  const errorCode = expected.error_code;
  if (outcome === "success") {
    if (typeof errorCode === "string" && errorCode.length > 0) {
      issue(ctx, ["expected", "error_code"], `must be empty or absent for outcome "success" (found ${describeValue(errorCode)})`);
    }
  } else if (errorCode === undefined || errorCode === "") {
    issue(ctx, ["expected", "error_code"], `is required for outcome "${outcome}": one of ${quoteList(ERROR_CODES)} (found ${describeValue(errorCode)})`);
  } else if (typeof errorCode === "string" && !(ERROR_CODES as readonly string[]).includes(errorCode)) {
    issue(ctx, ["expected", "error_code"], `must be one of ${quoteList(ERROR_CODES)} (found ${describeValue(errorCode)})`);
  }

  const simulate = value.simulate_retryable_failure ?? false;
  if (typeof simulate === "boolean" && simulate !== (outcome === "retryable_failure")) {
    issue(
      ctx,
      ["simulate_retryable_failure"],
      simulate
        ? `is true, so expected.outcome must be "retryable_failure" (found "${outcome}")`
        : `must be true for outcome "retryable_failure" (found ${describeValue(value.simulate_retryable_failure ?? false)})`,
    );
  }

  const method = value.method;
  if (outcome !== "malformed_input" && typeof method === "string" && method.trim().length > 0) {
    if (!(SUPPORTED_METHODS as readonly string[]).includes(normalizeMethod(method))) {
      issue(ctx, ["method"], `must be one of ${SUPPORTED_METHODS.join(", ")} for outcome "${outcome}" (found ${describeValue(method)}); only a "malformed_input" case may use another method`);
    }
  }
}

/**
 * Rules across cases: case ids are unique (compared trimmed), and so are case keys
 * (`METHOD:endpoint:case_id`, behavior.md §4): `/a:b` + `c` and `/a` + `b:c` would otherwise
 * share one request record and one processed key.
 */
export function fixtureRules(value: unknown, ctx: Ctx): void {
  if (!isRecord(value) || !Array.isArray(value.cases)) return;
  const firstIndex = new Map<string, number>();
  const keyOwner = new Map<string, { index: number; id: string }>();
  value.cases.forEach((c: unknown, index) => {
    if (!isRecord(c) || typeof c.case_id !== "string") return;
    const id = c.case_id.trim();
    if (id.length === 0) return;
    const first = firstIndex.get(id);
    if (first === undefined) {
      firstIndex.set(id, index);
    } else {
      issue(ctx, ["cases", index, "case_id"], `must be unique: ${describeValue(id)} is already used by the case at index ${first} (ids are compared trimmed)`);
      return;
    }
    if (typeof c.method !== "string" || typeof c.endpoint !== "string") return;
    // Keys of different ids can only collide when both cases hold a ':' in some part (otherwise
    // the key splits back into its parts): skipping the others keeps this check off the hot path.
    if (!c.method.includes(":") && !c.endpoint.includes(":") && !id.includes(":")) return;
    const key = caseKey({ method: c.method, endpoint: c.endpoint, case_id: c.case_id });
    const owner = keyOwner.get(key);
    if (owner === undefined) {
      keyOwner.set(key, { index, id });
    } else {
      issue(
        ctx,
        ["cases", index, "case_id"],
        `gives the case key ${describeValue(key)}, which case ${describeValue(owner.id)} (index ${owner.index}) already has: a key is METHOD:endpoint:case_id, so change the id or the endpoint of one of them`,
      );
    }
  });
}
