import pc from "picocolors";

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
}

/** The process's own streams, coloured only on a TTY and never with NO_COLOR set. */
export function processIo(): Io {
  const env = process.env;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    colors: pc.createColors(Boolean(process.stdout.isTTY) && !noColor && env.TERM !== "dumb"),
    errColors: pc.createColors(Boolean(process.stderr.isTTY) && !noColor && env.TERM !== "dumb"),
  };
}
