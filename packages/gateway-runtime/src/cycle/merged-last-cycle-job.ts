import { existsSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { EventStoreError, type EventStoreErrorCode } from "@tau/event-store";
import { GatewayRuntimeError, type GatewayRuntimeErrorCode } from "../errors";
import { writeMergedLastCycle, type MergedLastCycleResult } from "./merged-last-cycle";
import type { WorkerMessage } from "./merged-last-cycle-worker";

/**
 * The worker's build, next to the package's bundle. Run from source (the package's own tests)
 * there is none, and the job runs in this thread: the same function, without the overlap.
 */
const WORKER_URL = new URL("./merged-last-cycle-worker.js", import.meta.url);

/** A merged last-cycle.jsonl being written while the merge reads the shards' state.json. */
export interface MergedLastCycleJob {
  result: Promise<MergedLastCycleResult>;
  /** Stops the job if it still runs and removes its file unless it was committed. */
  cancel(): Promise<void>;
}

/**
 * Starts writing the merged last-cycle.jsonl (writeMergedLastCycle) on a worker thread: checking
 * and copying ~200 MB of case lines takes as long as reading the shards' state.json, and the two
 * need not wait for each other. The caller holds the merged dir's lock before starting it.
 */
export function startMergedLastCycle(options: { path: string; shardPaths: readonly string[] }): MergedLastCycleJob {
  let tempPath: string | undefined;
  const removeDraft = async () => {
    if (tempPath !== undefined) await unlink(tempPath).catch(() => undefined);
  };
  if (!existsSync(WORKER_URL)) {
    const result = writeMergedLastCycle(options, (path) => {
      tempPath = path;
    });
    result.catch(() => undefined);
    return {
      result,
      cancel: async () => {
        await result.catch(() => undefined);
        await removeDraft();
      },
    };
  }
  const worker = new Worker(WORKER_URL, { workerData: { path: options.path, shardPaths: [...options.shardPaths] } });
  const result = new Promise<MergedLastCycleResult>((resolve, reject) => {
    worker.on("message", (message: WorkerMessage) => {
      if ("opened" in message) tempPath = message.opened;
      else if ("result" in message) resolve(message.result);
      else reject(revive(message.error));
    });
    worker.on("error", reject);
    worker.on("exit", (code) => reject(new GatewayRuntimeError("E_IO", `the worker writing ${options.path} stopped (exit code ${code})`)));
  });
  // Awaited only once the shards are read: a failure before then must not go unhandled.
  result.catch(() => undefined);
  return {
    result,
    cancel: async () => {
      await worker.terminate();
      await removeDraft();
    },
  };
}

/** The error a worker posted, as the class the merge's callers branch on. */
function revive(error: { name: string; code?: string; message: string; path?: string }): Error {
  if (error.name === "EventStoreError" && error.code !== undefined) {
    return new EventStoreError(error.code as EventStoreErrorCode, error.message, error.path === undefined ? {} : { path: error.path });
  }
  if (error.name === "GatewayRuntimeError" && error.code !== undefined) return new GatewayRuntimeError(error.code as GatewayRuntimeErrorCode, error.message);
  return new Error(error.message);
}
