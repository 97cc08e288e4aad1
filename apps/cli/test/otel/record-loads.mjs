// Preloaded with --import: records every module URL the process resolves through the ESM loader
// into $RECORD_LOADS, so a test can tell which packages a command loaded.
import { register } from "node:module";

register("./record-loads-hooks.mjs", import.meta.url);
