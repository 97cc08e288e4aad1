/** Case keys already processed, oldest first, never more than `cap` (the oldest are dropped). */
export class ProcessedKeys {
  private readonly keys: Set<string>;

  constructor(
    private readonly cap: number,
    initial: Iterable<string> = [],
  ) {
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
