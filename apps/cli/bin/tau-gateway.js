#!/usr/bin/env node
// Committed launcher so npm links the bin even before the first build.
const entry = new URL("../dist/bin.js", import.meta.url);
import(entry.href).catch((error) => {
  // Only the CLI's own missing build gets the friendly hint; any other error is real.
  const missingSelf = error && error.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes(`'${entry.pathname}'`);
  if (missingSelf) {
    process.stderr.write("tau-gateway is not built yet: run `npm run build` at the repository root first\n");
    process.exitCode = 1;
    return;
  }
  throw error;
});
