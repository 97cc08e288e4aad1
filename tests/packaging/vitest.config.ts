import { defineConfig } from "vitest/config";

// Both files pack, install and (one) run a registry: one at a time keeps them from fighting over
// npm's cache and the two cores, and keeps their timing predictable on a busy machine.
export default defineConfig({
  test: {
    fileParallelism: false,
  },
});
