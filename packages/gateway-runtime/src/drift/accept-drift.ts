import { appendJsonl, EventStoreError, lockDir, readJsonl, writeFileAtomic, type DirLock } from "@tau/event-store";
import { driftEdits, editFixtureText, fixtureSha256, parseFixtureDocument, type DriftDifference } from "@tau/gateway-contract";
import { GatewayRuntimeError } from "../errors";
import { driftAcceptedPath, readCycleFixtures, reviewDrift, type DriftItem } from "./drift-review";

/** One line of `drift-accepted.jsonl`: one accepted field. */
export interface DriftAcceptance {
  timestamp_unix_ms: number;
  time: string;
  user: string;
  fixture: string;
  case_id: string;
  case_key: string;
  /** JSON Pointer relative to the case's `expected`. */
  pointer: string;
  op: "set" | "remove";
  /** The expectation before (absent when the field was not there). */
  before?: unknown;
  /** The expectation after: the observed value (absent when removed). */
  after?: unknown;
  fixture_sha256_before: string;
  fixture_sha256_after: string;
  /** Start of the cycle whose observation was accepted (its last-cycle.jsonl header). */
  cycle_started_unix_ms: number;
  cycle_fixture_sha256: string | null;
}

export interface AcceptDriftOptions {
  stateDir: string;
  /** Case ids or keys, exactly or as globs; none selects every drifted case. */
  selectors?: readonly string[];
  /** Only differences at or under this pointer relative to `expected` (e.g. `/response_body/status`). */
  field?: string;
  /** Who accepts; default from the environment (USER, then LOGNAME). */
  user?: string;
  env?: NodeJS.ProcessEnv;
  clock?: () => number;
}

export interface AcceptDriftResult {
  accepted: DriftAcceptance[];
  /** Drift items of the selection that remain (not chosen by --field, or already accepted before). */
  skipped: number;
}

const toDifference = (item: DriftItem): DriftDifference => ({
  field: item.field,
  pointer: item.field === "response_body" ? item.pointer.slice("/response_body".length) : "",
  ...(Object.hasOwn(item, "expected") ? { expected: item.expected } : {}),
  ...(Object.hasOwn(item, "observed") ? { observed: item.observed } : {}),
});

/** Fixture sha256s an accept of this cycle already wrote: a fixture at one of them changed only by us. */
async function acceptedShas(path: string, cycleStarted: number): Promise<Set<string>> {
  const shas = new Set<string>();
  try {
    for await (const entry of readJsonl(path)) {
      if (!entry.ok) continue;
      const line = entry.value as Partial<DriftAcceptance>;
      if (line.cycle_started_unix_ms === cycleStarted && typeof line.fixture_sha256_after === "string") shas.add(line.fixture_sha256_after);
    }
  } catch (error) {
    if (!(EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND")) throw error;
  }
  return shas;
}

/**
 * Accepts the last cycle's drift into the fixture: the chosen fields of the chosen cases take
 * the observed values (nothing else in the file changes), and each accepted field is appended
 * to `drift-accepted.jsonl`. Holds the state-dir lock meanwhile. Refuses (E_FIXTURE_CHANGED)
 * when a fixture to edit changed since that cycle other than by earlier accepts of the same
 * cycle, and (E_NO_DRIFT) when there is nothing left to accept.
 */
export async function acceptDrift(options: AcceptDriftOptions): Promise<AcceptDriftResult> {
  const { stateDir } = options;
  const env = options.env ?? process.env;
  const user = options.user ?? env.USER ?? env.LOGNAME ?? "unknown";
  const clock = options.clock ?? Date.now;
  let lock: DirLock;
  try {
    lock = await lockDir(stateDir);
  } catch (error) {
    if (EventStoreError.isInstance(error) && error.code === "E_LOCKED") {
      throw new GatewayRuntimeError("E_STATE_LOCKED", error.message, { cause: error, ...(error.holderPid !== undefined ? { holderPid: error.holderPid } : {}) });
    }
    throw error;
  }
  try {
    const review = await reviewDrift({ stateDir, ...(options.selectors ? { selectors: options.selectors } : {}), ...(options.field !== undefined ? { field: options.field } : {}) });
    const what = `${options.selectors && options.selectors.length > 0 ? ` for ${options.selectors.join(", ")}` : ""}${options.field !== undefined ? ` at ${options.field}` : ""}`;
    if (review.items.length === 0) {
      throw new GatewayRuntimeError("E_NO_DRIFT", `no drift to accept${what} in the last cycle of ${stateDir}: see \`tau-gateway drift list --gateway-state-dir ${stateDir}\``);
    }
    const open = review.items.filter((i) => !i.accepted);
    if (open.length === 0) {
      throw new GatewayRuntimeError("E_NO_DRIFT", `no drift left to accept${what}: the fixture already holds the observed values; run the cycle again to check it`);
    }
    const homeless = open.find((i) => i.fixture === undefined);
    if (homeless) {
      throw new GatewayRuntimeError("E_FIXTURE_CHANGED", `case ${JSON.stringify(homeless.case_id)} is in none of the cycle's fixtures as they are now (${review.provenance.fixtures.map((f) => f.path).join(", ") || "none recorded"}): run the cycle again`);
    }

    const journal = driftAcceptedPath(stateDir);
    const chain = await acceptedShas(journal, review.cycle.started_unix_ms);
    const current = await readCycleFixtures(review.provenance);
    const byFile = new Map<string, DriftItem[]>();
    for (const item of open) byFile.set(item.fixture as string, [...(byFile.get(item.fixture as string) ?? []), item]);

    const now = clock();
    const accepted: DriftAcceptance[] = [];
    const writes: { path: string; text: string }[] = [];
    for (const [path, items] of byFile) {
      const file = current.get(path);
      const recorded = review.provenance.fixtures.find((f) => f.path === path)?.sha256;
      if (file === undefined || (file.sha256 !== recorded && !chain.has(file.sha256))) {
        throw new GatewayRuntimeError(
          "E_FIXTURE_CHANGED",
          `${path} changed since the last cycle (sha256 ${recorded ?? "unknown"} then, ${file?.sha256 ?? "unreadable"} now): run the cycle again, review with \`tau-gateway drift list\`, then accept`,
        );
      }
      const edits = items.flatMap((item) => driftEdits(item.case_key, [toDifference(item)]));
      const text = editFixtureText(file.text, edits, path);
      // The result must still be a valid fixture (accepting only `status_code` of an outcome change may not be).
      parseFixtureDocument(text, `${path} (after accepting the drift)`);
      const after = fixtureSha256(text);
      writes.push({ path, text });
      for (const [index, item] of items.entries()) {
        const edit = edits[index];
        accepted.push({
          timestamp_unix_ms: now,
          time: new Date(now).toISOString(),
          user,
          fixture: path,
          case_id: item.case_id,
          case_key: item.case_key,
          pointer: item.pointer,
          op: edit?.op ?? "set",
          ...(Object.hasOwn(item, "expected") ? { before: item.expected } : {}),
          ...(edit?.op === "set" ? { after: edit.value } : {}),
          fixture_sha256_before: file.sha256,
          fixture_sha256_after: after,
          cycle_started_unix_ms: review.cycle.started_unix_ms,
          cycle_fixture_sha256: review.provenance.fixture_sha256,
        });
      }
    }
    // Fixtures first: a crash before the journal line leaves a fixture no later accept trusts,
    // never a journal that claims an edit which did not happen.
    for (const w of writes) await writeFileAtomic(w.path, w.text);
    await appendJsonl(journal, accepted);
    return { accepted, skipped: review.items.length - open.length };
  } finally {
    await lock.release();
  }
}
