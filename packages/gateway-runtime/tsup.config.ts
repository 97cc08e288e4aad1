import { defineConfig } from "tsup";
import { packageConfig } from "../../tsup.base";

export default defineConfig(
  packageConfig({
    // The worker a merge writes its last-cycle.jsonl on (merged-last-cycle-job.ts loads it from
    // next to the bundle, by import.meta.url: shimmed in the CJS build). Types: index only.
    entry: { index: "src/index.ts", "merged-last-cycle-worker": "src/cycle/merged-last-cycle-worker.ts" },
    dts: { entry: { index: "src/index.ts" } },
    shims: true,
  }),
);
