import pc from "picocolors";

/** `--color`: auto decides per stream; always and never override the environment. */
export type ColorChoice = "auto" | "always" | "never";

/** Where a command writes, and whether each stream may carry colour. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  stderrIsTTY: boolean;
  /** Colours for stdout text: real ones on a TTY without NO_COLOR, identity otherwise. */
  colors: ReturnType<typeof pc.createColors>;
  /** The same for stderr text, judged on stderr's own TTY (it is often redirected alone); defaults to `colors`. */
  errColors?: ReturnType<typeof pc.createColors>;
  /** The same streams with colours decided by `--color` (absent on test doubles: they stay as they are). */
  withColor?(choice: ColorChoice): Io;
}

/**
 * Whether a stream gets colour. NO_COLOR (non-empty) wins over FORCE_COLOR, as in picocolors and
 * most tools; FORCE_COLOR=0/false turns colour off even on a terminal; `--color` beats both.
 */
export function colorEnabled(options: { choice: ColorChoice; env: NodeJS.ProcessEnv; isTTY: boolean }): boolean {
  const { choice, env, isTTY } = options;
  if (choice !== "auto") return choice === "always";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !["0", "false"].includes(force.trim().toLowerCase());
  return isTTY && env.TERM !== "dumb";
}

// Set once a reader of stdout has gone (`tau-gateway events inspect | head -1`): the command
// still finishes what it does (a cycle is still persisted) and exits with its own code, instead of
// dying on an unhandled EPIPE halfway through; its remaining output has nobody to read it.
let readerGone = false;
let watching = false;

function watchForClosedReader(stream: NodeJS.WriteStream): void {
  if (watching) return;
  watching = true;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") {
      readerGone = true;
      return;
    }
    throw error;
  });
}

/** The process's own streams, coloured as `choice` and the environment decide. */
export function processIo(choice: ColorChoice = "auto"): Io {
  const env = process.env;
  watchForClosedReader(process.stdout);
  return {
    out: (text) => {
      if (!readerGone) process.stdout.write(text);
    },
    err: (text) => process.stderr.write(text),
    env,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    colors: pc.createColors(colorEnabled({ choice, env, isTTY: Boolean(process.stdout.isTTY) })),
    errColors: pc.createColors(colorEnabled({ choice, env, isTTY: Boolean(process.stderr.isTTY) })),
    withColor: (next) => processIo(next),
  };
}
