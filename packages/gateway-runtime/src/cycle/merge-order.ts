/** Request records of one source (a shard, or the merged dir's own state), keyed by case key. */
export interface RecordSource {
  readonly keys: readonly string[];
  /** `updated_unix_ms` of record i; read only when two sources hold the same key. */
  updatedAt(i: number): number;
}

/** One record chosen for the merged state: which source, which of its records. */
export interface MergePick {
  source: number;
  record: number;
}

/** Record indices of a source in case-key order: as stored (state.json keeps them sorted), else sorted. */
function keyOrder(keys: readonly string[]): number[] {
  const order = Array.from({ length: keys.length }, (_, i) => i);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = (keys[i - 1] as string) <= (keys[i] as string);
  if (!sorted) order.sort((a, b) => ((keys[a] as string) < (keys[b] as string) ? -1 : (keys[a] as string) > (keys[b] as string) ? 1 : a - b));
  return order;
}

/**
 * Unites the records of several sources in case-key order (code units, as state.json sorts them):
 * a k-way merge over the sources' sorted runs, O(records × log sources). When several sources
 * hold one key, the newest `updated_unix_ms` wins, and on a tie the later source.
 */
export function* mergeInKeyOrder(sources: readonly RecordSource[]): Generator<MergePick> {
  const orders = sources.map((s) => keyOrder(s.keys));
  const positions = sources.map(() => 0);
  const keyAt = (source: number) => (sources[source] as RecordSource).keys[(orders[source] as number[])[positions[source] as number] as number] as string;
  const less = (a: number, b: number) => {
    const ka = keyAt(a);
    const kb = keyAt(b);
    return ka < kb || (ka === kb && a < b);
  };
  // A binary min-heap of the sources that still have records, by their current key.
  const heap: number[] = [];
  const siftUp = (at: number) => {
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i] as number, heap[parent] as number)) break;
      [heap[i], heap[parent]] = [heap[parent] as number, heap[i] as number];
      i = parent;
    }
  };
  const siftDown = () => {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && less(heap[l] as number, heap[min] as number)) min = l;
      if (r < heap.length && less(heap[r] as number, heap[min] as number)) min = r;
      if (min === i) return;
      [heap[i], heap[min]] = [heap[min] as number, heap[i] as number];
      i = min;
    }
  };
  const push = (source: number) => {
    heap.push(source);
    siftUp(heap.length - 1);
  };
  const pop = (): number => {
    const top = heap[0] as number;
    const last = heap.pop() as number;
    if (heap.length > 0) {
      heap[0] = last;
      siftDown();
    }
    return top;
  };
  sources.forEach((s, i) => s.keys.length > 0 && push(i));

  while (heap.length > 0) {
    const key = keyAt(heap[0] as number);
    let pick: (MergePick & { at?: number }) | undefined;
    while (heap.length > 0 && keyAt(heap[0] as number) === key) {
      const source = pop();
      const record = (orders[source] as number[])[positions[source] as number] as number;
      if (pick === undefined) pick = { source, record };
      else {
        // Only a conflict pays for reading timestamps.
        pick.at ??= (sources[pick.source] as RecordSource).updatedAt(pick.record);
        const at = (sources[source] as RecordSource).updatedAt(record);
        if (at > pick.at || (at === pick.at && source >= pick.source)) pick = { source, record, at };
      }
      positions[source] = (positions[source] as number) + 1;
      if ((positions[source] as number) < (sources[source] as RecordSource).keys.length) push(source);
    }
    yield { source: (pick as MergePick).source, record: (pick as MergePick).record };
  }
}
