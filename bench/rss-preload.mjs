// Fallback when /usr/bin/time is absent: `node --import bench/rss-preload.mjs ...`
// writes the peak RSS (KB) of this process to $BENCH_RSS_OUT at exit.
import { writeFileSync } from "node:fs";
process.on("exit", () => {
  if (process.env.BENCH_RSS_OUT) writeFileSync(process.env.BENCH_RSS_OUT, String(process.resourceUsage().maxRSS));
});
