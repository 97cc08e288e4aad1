/** Request records of one source (a shard, or the merged dir's own state), keyed by case key. */
export interface RecordSource {
  readonly keys: readonly string[];
  /** `updated_unix_ms` of record i; read only when two sources hold the same key. */
  updatedAt(i: number): number;
}

/** The records chosen for the merged state, in case-key order: pick i is `records[i]` of `sources[i]`. */
export interface MergeOrder {
  length: number;
  sources: Int32Array;
  records: Int32Array;
}

/** Record indices of a source in case-key order: as stored (state.json keeps them sorted), else sorted. */
function keyOrder(keys: readonly string[]): Int32Array | undefined {
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      const order = Array.from({ length: keys.length }, (_, j) => j);
      order.sort((a, b) => ((keys[a] as string) < (keys[b] as string) ? -1 : (keys[a] as string) > (keys[b] as string) ? 1 : a - b));
      return Int32Array.from(order);
    }
  }
  return undefined;
}

/**
 * Unites the records of several sources in case-key order (code units, as state.json sorts them):
 * a k-way merge over the sources' sorted runs, O(records × log sources), with typed arrays so
 * 800k picks make no garbage. When several sources hold one key, the newest `updated_unix_ms`
 * wins, and on a tie the later source.
 */
export function mergeInKeyOrder(sources: readonly RecordSource[]): MergeOrder {
  const k = sources.length;
  const keys = sources.map((s) => s.keys);
  const orders = keys.map(keyOrder);
  const positions = new Int32Array(k);
  const total = keys.reduce((sum, list) => sum + list.length, 0);
  const out: MergeOrder = { length: 0, sources: new Int32Array(total), records: new Int32Array(total) };

  const recordAt = (source: number): number => {
    const order = orders[source];
    const position = positions[source] as number;
    return order === undefined ? position : (order[position] as number);
  };
  // A binary min-heap of the sources that still have records, keyed by their current key.
  const heap = new Int32Array(k);
  const heapKeys: string[] = new Array<string>(k).fill("");
  let size = 0;
  const less = (a: number, b: number) => {
    const ka = heapKeys[a] as string;
    const kb = heapKeys[b] as string;
    return ka < kb || (ka === kb && (heap[a] as number) < (heap[b] as number));
  };
  const swap = (a: number, b: number) => {
    const s = heap[a] as number;
    heap[a] = heap[b] as number;
    heap[b] = s;
    const t = heapKeys[a] as string;
    heapKeys[a] = heapKeys[b] as string;
    heapKeys[b] = t;
  };
  const siftDown = (from: number) => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < size && less(l, min)) min = l;
      if (r < size && less(r, min)) min = r;
      if (min === i) return;
      swap(i, min);
      i = min;
    }
  };
  const push = (source: number) => {
    heap[size] = source;
    heapKeys[size] = (keys[source] as readonly string[])[recordAt(source)] as string;
    let i = size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  };
  /** Moves the top source to its next record (or drops it) and restores the heap. */
  const advanceTop = () => {
    const source = heap[0] as number;
    positions[source] = (positions[source] as number) + 1;
    if ((positions[source] as number) < (keys[source] as readonly string[]).length) {
      heapKeys[0] = (keys[source] as readonly string[])[recordAt(source)] as string;
    } else {
      size--;
      heap[0] = heap[size] as number;
      heapKeys[0] = heapKeys[size] as string;
    }
    siftDown(0);
  };
  for (let s = 0; s < k; s++) if ((keys[s] as readonly string[]).length > 0) push(s);

  while (size > 0) {
    const key = heapKeys[0] as string;
    let source = heap[0] as number;
    let record = recordAt(source);
    let at: number | undefined;
    advanceTop();
    while (size > 0 && heapKeys[0] === key) {
      // Only a conflict pays for reading timestamps.
      const other = heap[0] as number;
      const otherRecord = recordAt(other);
      at ??= (sources[source] as RecordSource).updatedAt(record);
      const otherAt = (sources[other] as RecordSource).updatedAt(otherRecord);
      if (otherAt > at || (otherAt === at && other >= source)) {
        source = other;
        record = otherRecord;
        at = otherAt;
      }
      advanceTop();
    }
    out.sources[out.length] = source;
    out.records[out.length] = record;
    out.length++;
  }
  return out;
}
