import type { RequestRecord } from "../state/gateway-state";

const byKey = (a: RequestRecord, b: RequestRecord) => (a.case_key < b.case_key ? -1 : a.case_key > b.case_key ? 1 : 0);

function strictlySorted(records: readonly RequestRecord[]): boolean {
  for (let i = 1; i < records.length; i++) {
    if (!((records[i - 1] as RequestRecord).case_key < (records[i] as RequestRecord).case_key)) return false;
  }
  return true;
}

/**
 * The request records of one cycle: the loaded ones plus this cycle's upserts (a new record
 * replaces the one of its key). state.json keeps them sorted by case key, each key once, so the
 * loaded array is used as it is and merged with the sorted upserts at the end: a warm cycle over
 * 100k records neither builds a map of them nor sorts them again. A file that is not sorted so
 * (edited by hand) is put in the map whole, as before, with the same result.
 */
export class RequestRecords {
  private readonly loaded: readonly RequestRecord[];
  private readonly upserts = new Map<string, RequestRecord>();

  constructor(loaded: readonly RequestRecord[]) {
    if (strictlySorted(loaded)) {
      this.loaded = loaded;
    } else {
      this.loaded = [];
      for (const r of loaded) this.upserts.set(r.case_key, r);
    }
  }

  /** Adds or replaces the record of its case key. */
  set(record: RequestRecord): void {
    this.upserts.set(record.case_key, record);
  }

  /** Every record, one per case key, sorted by case key (a new array). */
  sorted(): RequestRecord[] {
    const fresh = [...this.upserts.values()].sort(byKey);
    const { loaded } = this;
    if (fresh.length === 0) return loaded.slice();
    if (loaded.length === 0) return fresh;
    const out: RequestRecord[] = [];
    let j = 0;
    for (const record of loaded) {
      if (this.upserts.has(record.case_key)) continue;
      while (j < fresh.length && (fresh[j] as RequestRecord).case_key < record.case_key) out.push(fresh[j++] as RequestRecord);
      out.push(record);
    }
    while (j < fresh.length) out.push(fresh[j++] as RequestRecord);
    return out;
  }
}
