import type { ChannelStore } from "@tau/event-store";
import { TRANSPORT } from "../state/state-paths";
import type { ActorLines } from "./cycle-recorder";

/**
 * Appends channel-store lines while a cycle is still running, one chain of appends per actor so
 * each file keeps its order. A long cycle then never holds all its log lines, and in live mode
 * the appends overlap the requests instead of following them.
 *
 * Crash safety is unchanged: every append still happens before last-cycle.jsonl, state.json and
 * the events line (the runtime awaits `settle` first), so a crash can only repeat a log entry on
 * the next run, never lose one.
 */
export class ChannelWriter {
  private readonly tails = new Map<string, Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly store: ChannelStore) {}

  /** Queues the lines behind the actor's earlier appends; a failure surfaces in `settle`. */
  append(lines: ActorLines): void {
    const ref = { transport: TRANSPORT, channelId: lines.actorId };
    const previous = this.tails.get(lines.actorId) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (this.failure) return;
      try {
        await this.store.appendLog({ ...ref, records: lines.log });
        await this.store.appendContext({ ...ref, records: lines.context });
      } catch (error) {
        this.failure ??= { error };
      }
    });
    this.tails.set(lines.actorId, next);
  }

  /** Waits for every queued append; throws the first failure. */
  async settle(): Promise<void> {
    await Promise.all(this.tails.values());
    if (this.failure) throw this.failure.error;
  }
}
