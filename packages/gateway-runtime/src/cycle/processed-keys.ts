/** Case keys already processed, oldest first, never more than `cap` (the oldest are dropped). */
export class ProcessedKeys {
  private readonly keys: Set<string>;

  constructor(
    private readonly cap: number,
    initial: Iterable<string> = [],
  ) {
    // Bulk path: a state file's keys are distinct, and for distinct keys adding them one by one
    // would keep exactly the newest `cap` of them, in order.
    const bulk = Array.isArray(initial) ? new Set<string>(initial) : undefined;
    if (bulk && bulk.size === (initial as string[]).length) {
      this.keys = bulk;
      for (const key of bulk) {
        if (this.keys.size <= cap) break;
        this.keys.delete(key);
      }
      return;
    }
    this.keys = new Set();
    for (const key of initial) this.add(key);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Adds a key as the newest; re-adding a known key keeps its place. */
  add(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    if (this.keys.size > this.cap) {
      // A Set iterates in insertion order, so its first key is the oldest.
      const oldest = this.keys.values().next().value as string;
      this.keys.delete(oldest);
    }
  }

  get size(): number {
    return this.keys.size;
  }

  toArray(): string[] {
    return [...this.keys];
  }
}
