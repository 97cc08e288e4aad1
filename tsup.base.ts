import type { Options } from "tsup";

/** Shared build settings: every package ships ESM + CJS + .d.ts from src/index.ts. */
export function packageConfig(overrides: Options = {}): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
    splitting: false,
    treeshake: true,
    ...overrides,
  };
}
