import type { Io } from "./io";

/** How often a line is written when stderr is not a terminal (a CI log, a file). */
export const PLAIN_PROGRESS_INTERVAL_MS = 5000;

export interface ProgressOptions {
  label: string;
  /** `--quiet`: no progress at all. */
  quiet?: boolean;
  /** The clock; tests pass their own. */
  now?: () => number;
}

/**
 * Progress of a cycle on stderr, never on stdout (which carries the report). On a terminal one
 * line redrawn in place after the first second; elsewhere one plain line every few seconds, so a
 * CI log of a long live cycle shows it is alive without being flooded.
 */
export function createProgress(io: Io, options: ProgressOptions): { update(done: number, total: number): void; stop(): void } {
  const { label, quiet = false, now = Date.now } = options;
  if (quiet) return { update() {}, stop() {} };
  const startedAt = now();
  if (!io.stderrIsTTY) {
    let next = startedAt + PLAIN_PROGRESS_INTERVAL_MS;
    return {
      update(done, total) {
        const at = now();
        if (at < next || done >= total) return;
        next = at + PLAIN_PROGRESS_INTERVAL_MS;
        const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
        io.err(`${label} ${done}/${total} cases (${percent}%) after ${Math.round((at - startedAt) / 1000)}s\n`);
      },
      stop() {},
    };
  }
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const at = now();
      if (at - startedAt < 1000 || at - last < 100) return;
      last = at;
      shown = true;
      io.err(`\r${label} ${done}/${total} cases`);
    },
    stop() {
      if (shown) io.err("\r\x1b[2K");
    },
  };
}
