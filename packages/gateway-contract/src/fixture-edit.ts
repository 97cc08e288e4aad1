import { caseKey } from "./case-key";
import type { DriftDifference } from "./check-contract";
import { FixtureError } from "./errors";
import { fromJsonNode, parseJsonDocument, stringifyJsonDocument, toJsonNode, type JsonNode } from "./json-document";
import { parsePointer } from "./json-pointer";

/**
 * One change to a case's `expected`, addressed by case key and a JSON Pointer relative to
 * `expected` (`/status_code`, `/response_body/meta/id`; `""` is the whole `expected`).
 */
export type ExpectationEdit =
  | { caseKey: string; pointer: string; op: "set"; value: unknown }
  | { caseKey: string; pointer: string; op: "remove" };

function editError(source: string, message: string): FixtureError {
  return new FixtureError({ code: "E_FIXTURE_EDIT", source, issues: [{ path: "", message: `${source}: ${message}` }] });
}

type ObjectNode = Extract<JsonNode, { kind: "object" }>;

const entry = (node: ObjectNode, key: string) => node.entries.find(([k]) => k === key);

function scalarString(node: ObjectNode, key: string): string {
  const found = entry(node, key)?.[1];
  if (found?.kind !== "scalar") return "";
  const value: unknown = JSON.parse(found.text);
  return typeof value === "string" ? value : "";
}

function caseNodes(root: JsonNode): Map<string, ObjectNode> {
  const out = new Map<string, ObjectNode>();
  const cases = root.kind === "object" ? entry(root, "cases")?.[1] : undefined;
  if (cases?.kind !== "array") return out;
  for (const c of cases.items) {
    if (c.kind !== "object") continue;
    out.set(caseKey({ method: scalarString(c, "method"), endpoint: scalarString(c, "endpoint"), case_id: scalarString(c, "case_id") }), c);
  }
  return out;
}

function child(node: JsonNode, token: string): JsonNode | undefined {
  if (node.kind === "object") return entry(node, token)?.[1];
  if (node.kind === "array" && /^(0|[1-9]\d*)$/.test(token)) return node.items[Number(token)];
  return undefined;
}

/** Sets the value at `tokens` under `node`; only the last step may be missing (it is added). */
function setAt(node: JsonNode, tokens: readonly string[], value: JsonNode, where: string): void {
  const [head, ...rest] = tokens;
  if (head === undefined) throw new Error(`${where}: empty path`);
  if (rest.length > 0) {
    const next = child(node, head);
    if (next === undefined) throw new Error(`${where}: nothing at ${JSON.stringify(head)} to edit under`);
    setAt(next, rest, value, where);
    return;
  }
  if (node.kind === "object") {
    const found = entry(node, head);
    if (found) found[1] = value;
    else node.entries.push([head, value]);
  } else if (node.kind === "array") {
    const index = head === "-" ? node.items.length : Number(head);
    if (!Number.isInteger(index) || index > node.items.length) throw new Error(`${where}: index ${head} is past the end of the array`);
    node.items[index] = value;
  } else {
    throw new Error(`${where}: cannot edit inside a scalar`);
  }
}

function removeAt(node: JsonNode, tokens: readonly string[]): void {
  const [head, ...rest] = tokens;
  if (head === undefined) return;
  if (rest.length > 0) {
    const next = child(node, head);
    if (next !== undefined) removeAt(next, rest);
    return;
  }
  if (node.kind === "object") node.entries = node.entries.filter(([k]) => k !== head);
  else if (node.kind === "array") node.items.splice(Number(head), 1);
}

/** Array-item removals last and from the highest index, so earlier ones do not shift later ones. */
function applyOrder(a: ExpectationEdit, b: ExpectationEdit): number {
  if (a.op !== b.op) return a.op === "set" ? -1 : 1;
  if (a.op === "set") return 0;
  return b.pointer.localeCompare(a.pointer, "en", { numeric: true });
}

/**
 * Applies edits to the `expected` of cases in fixture text. The result keeps every key in its
 * place and is laid out with 2-space indentation (and a final newline when the text had one).
 * A case that has no `expected` yet gets it as its last field. Throws on a case key that is not
 * in the fixture or a pointer that cannot be reached.
 */
export function editFixtureText(text: string, edits: readonly ExpectationEdit[], source = "<fixture>"): string {
  const root = parseJsonDocument(text);
  const cases = caseNodes(root);
  for (const edit of [...edits].sort(applyOrder)) {
    const target = cases.get(edit.caseKey);
    if (target === undefined) throw editError(source, `case ${JSON.stringify(edit.caseKey)} is not in the fixture (was it renamed since the cycle?)`);
    const tokens = parsePointer(edit.pointer);
    if (tokens === undefined) throw editError(source, `${JSON.stringify(edit.pointer)} is not a JSON Pointer`);
    const where = `case ${JSON.stringify(edit.caseKey)} expected${edit.pointer}`;
    try {
      if (edit.op === "set") setAt(target, ["expected", ...tokens], toJsonNode(edit.value), where);
      else removeAt(target, ["expected", ...tokens]);
    } catch (error) {
      throw editError(source, (error as Error).message);
    }
  }
  const bom = text.charCodeAt(0) === 0xfeff ? "\uFEFF" : "";
  return `${bom}${stringifyJsonDocument(root)}${/\n\s*$/.test(text) ? "\n" : ""}`;
}

/** The value at a pointer under a case's `expected` in fixture text; undefined when absent. */
export function expectationValue(text: string, key: string, pointer: string): unknown {
  const target = caseNodes(parseJsonDocument(text)).get(key);
  const tokens = parsePointer(pointer);
  if (target === undefined || tokens === undefined) return undefined;
  let node: JsonNode | undefined = child(target, "expected");
  for (const token of tokens) node = node === undefined ? undefined : child(node, token);
  return node === undefined ? undefined : fromJsonNode(node);
}

/** The pointer of a drift difference relative to `expected`: `/status_code`, `/response_body/a`. */
export function expectationPointer(difference: Pick<DriftDifference, "field" | "pointer">): string {
  return difference.field === "response_body" ? `/response_body${difference.pointer}` : `/${difference.field}`;
}

/** The edits that make a case's expectation what was observed, for the given differences. */
export function driftEdits(key: string, differences: readonly DriftDifference[]): ExpectationEdit[] {
  return differences.map((d): ExpectationEdit => {
    const pointer = expectationPointer(d);
    // An observed "" error code is "no error code": success cases leave the field out.
    const absent = !Object.hasOwn(d, "observed") || d.observed === undefined || (d.field === "error_code" && d.observed === "");
    return absent ? { caseKey: key, pointer, op: "remove" } : { caseKey: key, pointer, op: "set", value: d.observed };
  });
}
