import { performance } from "node:perf_hooks";

/** How often a cycle lets the event loop run: often enough for SIGINT to stop it within 1 s. */
const YIELD_INTERVAL_MS = 20;
/** Steps between two looks at the clock: reading it on every simulated case would cost more than the case. */
const STEPS_PER_CLOCK_READ = 128;

/**
 * A cycle over the simulated driver runs on microtasks only, and signal handlers, timers and I/O
 * callbacks never run between microtasks. The returned function, called before every attempt,
 * hands back a macrotask (setImmediate) to await about every YIELD_INTERVAL_MS, and undefined
 * otherwise, so the common call costs one increment.
 */
export function eventLoopYielder(intervalMs = YIELD_INTERVAL_MS): () => Promise<void> | undefined {
  let steps = 0;
  let last = performance.now();
  // Every lane of a concurrent cycle must wait for the same macrotask: while one lane still runs
  // on microtasks, the loop never gets its turn and a signal waits for the whole cycle.
  let pending: Promise<void> | undefined;
  return () => {
    if (pending) return pending;
    if (++steps < STEPS_PER_CLOCK_READ) return undefined;
    steps = 0;
    const now = performance.now();
    if (now - last < intervalMs) return undefined;
    last = now;
    pending = new Promise((resolve) =>
      setImmediate(() => {
        pending = undefined;
        last = performance.now();
        resolve();
      }),
    );
    return pending;
  };
}
