import { defineConfig } from "tsup";
import { packageConfig } from "../../tsup.base";

// The CLI is an app, not a library: one ESM entry with a shebang, no type declarations.
export default defineConfig(
  packageConfig({
    entry: ["src/bin.ts"],
    format: ["esm"],
    dts: false,
    // Chunks let main.ts load each command (and the libraries) only when it runs.
    splitting: true,
    treeshake: true,
    // The example fixtures, their doc and the JSON Schema that `init` writes and the package ships.
    onSuccess: "node scripts/copy-assets.mjs",
  }),
);
