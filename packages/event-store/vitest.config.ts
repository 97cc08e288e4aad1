import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Crash and lock tests drive child processes that load dist/; make sure it is current.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
  },
});
