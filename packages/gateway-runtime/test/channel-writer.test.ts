import { JsonlBatch, type ChannelStore } from "@tau/event-store";
import { describe, expect, it } from "vitest";
import { ChannelWriter } from "../src/cycle/channel-writer";

/** A channel store whose appends wait until released, recording what they got in order. */
function slowStore() {
  const written: string[] = [];
  const gates: (() => void)[] = [];
  const append = async ({ channelId, records }: { channelId: string; records: JsonlBatch }) => {
    await new Promise<void>((resolve) => gates.push(resolve));
    written.push(`${channelId}:${records.toLines().join("|")}`);
  };
  const store = { appendLog: append, appendContext: append } as unknown as ChannelStore;
  return { store, written, release: () => gates.splice(0).forEach((open) => open()), waiting: () => gates.length };
}

const lines = (actorId: string, text: string) => {
  const log = new JsonlBatch();
  log.addSerialised(JSON.stringify(text));
  const context = new JsonlBatch();
  context.addSerialised(JSON.stringify(`${text}-context`));
  return { actorId, log, context };
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("ChannelWriter", () => {
  it("reports a backlog past its bound and lets a drain wait until half of it is written", async () => {
    const { store, written, release } = slowStore();
    // Each append of lines("a", "xx") is 5 + 14 bytes.
    const writer = new ChannelWriter(store, 40);
    writer.append(lines("a", "x1"));
    writer.append(lines("b", "x2"));
    expect(writer.backlogged).toBe(false);
    writer.append(lines("a", "x3"));
    expect(writer.backlogged).toBe(true);
    let drained = false;
    const drain = writer.drain().then(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    // The first log appends of a and b finish; their context appends start.
    release();
    await tick();
    expect(drained).toBe(false);
    release();
    await tick();
    await drain;
    expect(drained).toBe(true);
    expect(writer.backlogged).toBe(false);
    for (let i = 0; i < 4 && written.length < 6; i++) {
      release();
      await tick();
    }
    await writer.settle();
    // Each actor's lines stay in the order they were handed over.
    expect(written.filter((w) => w.startsWith("a:"))).toEqual(['a:"x1"', 'a:"x1-context"', 'a:"x3"', 'a:"x3-context"']);
  });

  it("ends a drain at once on abort, and when nothing is queued", async () => {
    const { store, release } = slowStore();
    const writer = new ChannelWriter(store, 1);
    await writer.drain();
    writer.append(lines("a", "x1"));
    const controller = new AbortController();
    const drain = writer.drain(controller.signal);
    controller.abort();
    await drain;
    for (let i = 0; i < 3; i++) {
      release();
      await tick();
    }
    await writer.settle();
  });

  it("wakes a drain and reports the failure at settle when an append fails", async () => {
    const store = { appendLog: async () => { throw new Error("disk full"); }, appendContext: async () => {} } as unknown as ChannelStore;
    const writer = new ChannelWriter(store, 1);
    writer.append(lines("a", "x1"));
    writer.append(lines("a", "x2"));
    await writer.drain();
    await expect(writer.settle()).rejects.toThrow("disk full");
  });
});
