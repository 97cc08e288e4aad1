import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Live tests drive a reference gateway and child processes on a shared machine.
    testTimeout: 30_000,
  },
});
