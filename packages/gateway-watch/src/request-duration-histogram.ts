/** One line of the exposition, as prom-client's registry reads it from a metric's `get()`. */
interface ValueLine {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/** One label set's buckets (not cumulative), in the order prom-client keeps them. */
interface Series {
  labels: { method: string; status_class: string };
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * The request-duration histogram, observed once per request: a live cycle makes tens of
 * thousands, and prom-client's `Histogram.observe` validates and hashes the label object on
 * every call (about half of what the watch added per request). This keeps the same numbers in
 * a two-level map and hands prom-client's registry the exact values its own Histogram would
 * (same series order, same cumulative buckets, the same sums added in the same order), so the
 * exposition text does not change; test/request-duration-histogram.test.ts compares the two.
 */
export class RequestDurationHistogram {
  readonly type = "histogram" as const;
  readonly aggregator = "sum" as const;
  private readonly byMethod = new Map<string, Map<string, Series>>();
  /** In order of first observation, as prom-client lists a histogram's label sets. */
  private readonly series: Series[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
  ) {}

  observe(method: string, statusClass: string, seconds: number): void {
    let byStatus = this.byMethod.get(method);
    if (!byStatus) {
      byStatus = new Map();
      this.byMethod.set(method, byStatus);
    }
    let series = byStatus.get(statusClass);
    if (!series) {
      series = { labels: { method, status_class: statusClass }, buckets: new Float64Array(this.upperBounds.length), sum: 0, count: 0 };
      byStatus.set(statusClass, series);
      this.series.push(series);
    }
    series.sum += seconds;
    series.count += 1;
    const bounds = this.upperBounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= (bounds[i] as number)) {
        (series.buckets[i] as number)++;
        break;
      }
    }
  }

  /** prom-client's metric interface: what `Registry.metrics()` formats. */
  async get(): Promise<{ name: string; help: string; type: "histogram"; values: ValueLine[]; aggregator: "sum" }> {
    const values: ValueLine[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const s of this.series) {
      let cumulative = 0;
      for (let i = 0; i < this.upperBounds.length; i++) {
        cumulative += s.buckets[i] as number;
        values.push({ labels: { le: this.upperBounds[i] as number, ...s.labels }, value: cumulative, metricName: bucketName });
      }
      values.push({ labels: { le: "+Inf", ...s.labels }, value: s.count, metricName: bucketName });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.byMethod.clear();
    this.series.length = 0;
  }
}
