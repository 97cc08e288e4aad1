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
  /** Bytes handed to `append` and not yet on disk. */
  private pendingBytes = 0;
  private waiters: (() => void)[] = [];

  /**
   * `maxPendingBytes`: above this much queued, `backlogged` turns true and the cycle waits in
   * `drain` (each append ends in an fdatasync: on a slow disk the cycle would otherwise keep
   * every line of a long cycle in memory, ~0.4 GB at 1M cases).
   */
  constructor(
    private readonly store: ChannelStore,
    private readonly maxPendingBytes = 64 * 1024 * 1024,
  ) {}

  /** Queues the lines behind the actor's earlier appends; a failure surfaces in `settle`. */
  append(lines: ActorLines): void {
    const ref = { transport: TRANSPORT, channelId: lines.actorId };
    const bytes = lines.log.byteLength + lines.context.byteLength;
    this.pendingBytes += bytes;
    const previous = this.tails.get(lines.actorId) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        if (this.failure) return;
        await this.store.appendLog({ ...ref, records: lines.log });
        await this.store.appendContext({ ...ref, records: lines.context });
      } catch (error) {
        this.failure ??= { error };
      } finally {
        this.written(bytes);
      }
    });
    this.tails.set(lines.actorId, next);
  }

  /** True while more than the bound is queued: the cycle should `drain` before its next case. */
  get backlogged(): boolean {
    return this.pendingBytes > this.maxPendingBytes;
  }

  /** Resolves once at most half the bound is queued (or at once when it already is, or on abort). */
  drain(signal?: AbortSignal): Promise<void> {
    if (this.pendingBytes <= this.maxPendingBytes / 2 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        resolve();
      };
      signal?.addEventListener("abort", done, { once: true });
      this.waiters.push(done);
    });
  }

  private written(bytes: number): void {
    this.pendingBytes -= bytes;
    if (this.pendingBytes > this.maxPendingBytes / 2 && this.failure === undefined) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits for every queued append; throws the first failure. */
  async settle(): Promise<void> {
    await Promise.all(this.tails.values());
    if (this.failure) throw this.failure.error;
  }
}
