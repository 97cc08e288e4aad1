import { writeOutputFile } from "@tau/event-store";
import type { CycleReport } from "@tau/gateway-runtime";
import type { GatewayMetrics } from "./gateway-metrics";

/**
 * Writes the metrics for node_exporter's textfile collector, atomically (temp file + rename), so
 * the collector never reads a half-written file; a FIFO or device (`/dev/stdout`) is written in place.
 */
export async function writeMetricsTextfile(input: { path: string; metrics: GatewayMetrics }): Promise<void> {
  await writeOutputFile(input.path, await input.metrics.text());
}

/** For `run --gateway-metrics-textfile`: adds one cycle (verdict = its gate) and writes the file. */
export async function writeCycleMetricsTextfile(input: {
  path: string;
  metrics: GatewayMetrics;
  report: CycleReport;
  completedUnixMs: number;
}): Promise<void> {
  const { metrics, report } = input;
  metrics.observeCycle(report, { seconds: report.health.cycle_duration_ms / 1000, completedUnixMs: input.completedUnixMs });
  if (!report.aborted) metrics.setVerdict(report.gate.gate);
  await writeMetricsTextfile(input);
}
