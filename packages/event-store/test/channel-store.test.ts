import { appendFile, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ChannelStore } from "../src/channel-store.js";
import { EventStoreError } from "../src/errors.js";
import { tempDir } from "./helpers.js";

describe("ChannelStore", () => {
  it("puts a channel under <root>/<transport>/<actor id> for plain ids", async () => {
    const root = await tempDir();
    const store = new ChannelStore(root);
    expect(store.channelDir("gateway", "ops-team")).toBe(join(root, "gateway", "ops-team"));
    expect(store.channelDir("gateway", "a/b")).toBe(join(root, "gateway", "a~2fb"));
  });

  it("writes log, context and MEMORY.md into the channel's directory", async () => {
    const root = await tempDir();
    const store = new ChannelStore(root);
    await store.appendLog({ transport: "gateway", channelId: "alice", records: [{ event_key: "k1" }] });
    await store.appendLog({ transport: "gateway", channelId: "alice", records: [{ event_key: "k2" }] });
    await store.appendContext({ transport: "gateway", channelId: "alice", records: [{ text: "hello" }] });
    await store.writeMemory({ transport: "gateway", channelId: "alice", text: "# Snapshot\n" });
    const dir = join(root, "gateway", "alice");
    expect((await readdir(dir)).sort()).toEqual(["MEMORY.md", "context.jsonl", "log.jsonl"]);
    expect(await readFile(join(dir, "log.jsonl"), "utf8")).toBe('{"event_key":"k1"}\n{"event_key":"k2"}\n');
    expect(await readFile(join(dir, "context.jsonl"), "utf8")).toBe('{"text":"hello"}\n');
    expect(await readFile(join(dir, "MEMORY.md"), "utf8")).toBe("# Snapshot\n");
    // Or as UTF-8 bytes, replacing it whole.
    await store.writeMemory({ transport: "gateway", channelId: "alice", text: Buffer.from("# Snapshot é\n", "utf8") });
    expect(await readFile(join(dir, "MEMORY.md"), "utf8")).toBe("# Snapshot é\n");
  });

  it("keeps ids that differ only in case or separator in separate directories", async () => {
    const root = await tempDir();
    const store = new ChannelStore(root);
    for (const channelId of ["ops", "Ops", "a/b", "a_b"]) {
      await store.appendLog({ transport: "gateway", channelId, records: [channelId] });
    }
    expect((await readdir(join(root, "gateway"))).sort()).toEqual(["a_b", "a~2fb", "ops", "~4fps"]);
    expect(await readFile(join(store.channelDir("gateway", "Ops"), "log.jsonl"), "utf8")).toBe('"Ops"\n');
  });

  it("inspects record counts, invalid lines and the memory file", async () => {
    const root = await tempDir();
    const store = new ChannelStore(root);
    const target = { transport: "gateway", channelId: "alice" };
    await store.appendLog({ ...target, records: [1, 2, 3] });
    await store.appendContext({ ...target, records: [1] });
    await appendFile(join(store.channelDir("gateway", "alice"), "context.jsonl"), "oops\n{torn");
    await store.writeMemory({ ...target, text: "é\n" });
    expect(await store.inspect("gateway", "alice")).toEqual({
      transport: "gateway",
      channelId: "alice",
      dir: join(root, "gateway", "alice"),
      exists: true,
      logRecords: 3,
      contextRecords: 1,
      invalidLogLines: 0,
      invalidContextLines: 2,
      logFiles: 1,
      contextFiles: 1,
      memoryExists: true,
      memoryBytes: 3,
    });
  });

  it("inspects a channel that was never written as empty", async () => {
    const store = new ChannelStore(await tempDir());
    expect(await store.inspect("gateway", "nobody")).toMatchObject({
      exists: false,
      logRecords: 0,
      contextRecords: 0,
      invalidLogLines: 0,
      invalidContextLines: 0,
      memoryExists: false,
      memoryBytes: 0,
    });
  });

  it("repairs both logs, moving only their invalid lines", async () => {
    const root = await tempDir();
    const store = new ChannelStore(root);
    const dir = store.channelDir("gateway", "alice");
    await store.appendLog({ transport: "gateway", channelId: "alice", records: [1] });
    await appendFile(join(dir, "log.jsonl"), "bad\n2\n");
    await store.appendContext({ transport: "gateway", channelId: "alice", records: ["fine"] });
    const result = await store.repair("gateway", "alice");
    expect(result).toMatchObject({
      transport: "gateway",
      channelId: "alice",
      dir,
      log: { kept: 2, moved: 1, corruptPath: expect.stringMatching(/log\.jsonl\.corrupt-\d+$/) },
      context: { kept: 1, moved: 0, corruptPath: null },
    });
    expect(await readFile(join(dir, "log.jsonl"), "utf8")).toBe("1\n2\n");
    expect(await readFile(result.log.corruptPath ?? "", "utf8")).toBe("bad\n");
    expect(await store.inspect("gateway", "alice")).toMatchObject({ logRecords: 2, invalidLogLines: 0 });
  });

  it("rejects an empty channel id and a transport that is not a plain lowercase word", () => {
    const store = new ChannelStore("/state");
    for (const [transport, channelId] of [
      ["gateway", ""],
      ["", "alice"],
      ["Gateway", "alice"],
      ["../x", "alice"],
      ["gate/way", "alice"],
      ["-x", "alice"],
    ] as const) {
      let error: unknown;
      try {
        store.channelDir(transport, channelId);
      } catch (e) {
        error = e;
      }
      expect(EventStoreError.isInstance(error), `${transport}/${channelId}`).toBe(true);
      expect(error).toMatchObject({ code: "E_INVALID_CHANNEL_ID" });
    }
  });
});
