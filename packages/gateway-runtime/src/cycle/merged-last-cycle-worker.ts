import { parentPort, workerData } from "node:worker_threads";
import { writeMergedLastCycle, type MergedLastCycleResult } from "./merged-last-cycle";

/** What the worker posts: its temp path once open, then its result or its error. */
export type WorkerMessage =
  | { opened: string }
  | { result: MergedLastCycleResult }
  | { error: { name: string; code?: string; message: string; path?: string } };

/** Worker entry of startMergedLastCycle (merged-last-cycle-job.ts): one job, then it ends. */
const port = parentPort;
if (port !== null) {
  const post = (message: WorkerMessage) => port.postMessage(message);
  writeMergedLastCycle(workerData as { path: string; shardPaths: string[] }, (opened) => post({ opened })).then(
    (result) => post({ result }),
    (error: unknown) => {
      const { name = "Error", code, message = String(error), path } = (error ?? {}) as { name?: string; code?: unknown; message?: string; path?: unknown };
      post({ error: { name, message, ...(typeof code === "string" ? { code } : {}), ...(typeof path === "string" ? { path } : {}) } });
    },
  );
}
