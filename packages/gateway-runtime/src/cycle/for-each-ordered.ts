/**
 * Runs `work` over `items` with at most `concurrency` in flight and hands each result to
 * `record` in item order, as soon as every earlier item is recorded. Recording in order keeps
 * state and logs identical to a sequential run, whatever order the answers arrive in.
 * Stops launching new work after the first failure and rethrows it once in-flight work settles.
 */
export async function forEachOrdered<T, R>(options: {
  items: readonly T[];
  concurrency: number;
  work: (item: T, index: number) => Promise<R>;
  record: (result: R, item: T, index: number) => void;
}): Promise<void> {
  const { items, concurrency, work, record } = options;
  const done = new Map<number, R>();
  let next = 0;
  let recorded = 0;
  let failure: { error: unknown } | undefined;

  const flush = () => {
    while (done.has(recorded)) {
      const result = done.get(recorded) as R;
      done.delete(recorded);
      record(result, items[recorded] as T, recorded);
      recorded++;
    }
  };
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        done.set(index, await work(items[index] as T, index));
      } catch (error) {
        failure ??= { error };
        return;
      }
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  if (failure) throw failure.error;
}
