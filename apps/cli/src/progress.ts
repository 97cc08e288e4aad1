import type { Io } from "./io";

/** Progress on stderr for cycles that take more than a second, only on a TTY. */
export function createProgress(io: Io, label: string): { update(done: number, total: number): void; stop(): void } {
  if (!io.stderrIsTTY) return { update() {}, stop() {} };
  const startedAt = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - startedAt < 1000 || now - last < 100) return;
      last = now;
      shown = true;
      io.err(`\r${label} ${done}/${total} cases`);
    },
    stop() {
      if (shown) io.err("\r\x1b[2K");
    },
  };
}
