#!/usr/bin/env node
// Committed launcher so npm links the bin even before the first build.
import("../dist/bin.js").catch((error) => {
  if (error && error.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/bin.js")) {
    process.stderr.write("tau-gateway is not built yet: run `npm run build` at the repository root first\n");
    process.exitCode = 1;
    return;
  }
  throw error;
});
