import { describe, expect, it } from "vitest";
import { Utf8Writer } from "../src/utf8-writer.js";

/** A file double that keeps what it is handed, copied (the writer reuses its buffer). */
function sink() {
  const parts: Buffer[] = [];
  return {
    parts,
    write: async (data: string | Uint8Array) => {
      parts.push(Buffer.from(typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data)));
    },
    text: () => Buffer.concat(parts).toString("utf8"),
  };
}

describe("Utf8Writer", () => {
  it("writes exactly the concatenation of its pieces: small, multi-byte, larger than its buffer, bytes", async () => {
    const file = sink();
    const out = new Utf8Writer(file, 64);
    const pieces = ["{", "é".repeat(10), "a".repeat(21), "😀".repeat(5), "b".repeat(200), "", "z"];
    let expected = "";
    for (const piece of pieces) {
      await out.write(piece);
      expected += piece;
    }
    await out.writeBytes(Buffer.from("|raw|"));
    expected += "|raw|";
    await out.write("end");
    expected += "end";
    await out.flush();
    expect(file.text()).toBe(expected);
    // Batched: fewer writes than pieces, and none of the batches over the buffer's size except the one piece larger than it.
    expect(file.parts.length).toBeLessThan(pieces.length + 2);
    expect(file.parts.filter((p) => p.length > 64).map((p) => p.length)).toEqual([200]);
  });

  it("appends synchronously while the piece fits, and asks to be awaited only when it writes", async () => {
    const file = sink();
    const out = new Utf8Writer(file, 30);
    expect(out.write("0123456789")).toBeUndefined();
    expect(file.parts).toHaveLength(0);
    const pending = out.write("0123456789");
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(file.text()).toBe("0123456789");
    await out.flush();
    await out.flush();
    expect(file.text()).toBe("01234567890123456789");
  });
});
