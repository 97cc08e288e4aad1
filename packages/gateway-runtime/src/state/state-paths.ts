import { join } from "node:path";

/** Where a state directory keeps its files (behavior.md §5). */
export interface StatePaths {
  stateDir: string;
  statePath: string;
  eventsPath: string;
  /** What the last cycle did with each case (state/last-cycle.ts). */
  lastCyclePath: string;
  channelStoreRoot: string;
}

/** The files of a state directory. */
export function statePaths(stateDir: string): StatePaths {
  return {
    stateDir,
    statePath: join(stateDir, "state.json"),
    eventsPath: join(stateDir, "runtime-events.jsonl"),
    lastCyclePath: join(stateDir, "last-cycle.jsonl"),
    channelStoreRoot: join(stateDir, "channel-store"),
  };
}

/** The transport name of this runner in the channel store and inspect reports. */
export const TRANSPORT = "gateway";
