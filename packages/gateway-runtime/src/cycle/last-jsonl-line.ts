import { EventStoreError, MAX_LINE_BYTES, openRegular } from "@tau/event-store";
import { GatewayRuntimeError } from "../errors";

export type LastLineResult = { kind: "missing" } | { kind: "empty" } | { kind: "ok"; value: unknown } | { kind: "invalid"; error: string };

const CHUNK = 64 * 1024;

/**
 * The last non-blank line of a JSONL file, parsed, read from the end: an events log grows by one
 * line per cycle for as long as a state dir lives, and merge needs only its newest line. Bounded
 * like every JSONL reader (MAX_LINE_BYTES); a symlink or FIFO in its place is refused
 * (E_UNSAFE_PATH), never followed.
 */
export async function readLastJsonlLine(path: string): Promise<LastLineResult> {
  let handle;
  try {
    handle = await openRegular(path, "read", "read");
  } catch (error) {
    if (EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND") return { kind: "missing" };
    if (EventStoreError.isInstance(error) && error.code === "E_UNSAFE_PATH") throw error;
    throw new GatewayRuntimeError("E_IO", `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    let tail = Buffer.alloc(0);
    let position = size;
    for (;;) {
      const text = tail.toString("utf8").trimEnd();
      const newline = text.lastIndexOf("\n");
      if (newline >= 0 || position === 0) {
        const line = text.slice(newline + 1).trim();
        if (line.length === 0) return { kind: "empty" };
        try {
          return { kind: "ok", value: JSON.parse(line) };
        } catch (error) {
          return { kind: "invalid", error: (error as Error).message };
        }
      }
      if (tail.length > MAX_LINE_BYTES) return { kind: "invalid", error: `the last line is longer than ${MAX_LINE_BYTES} bytes` };
      const length = Math.min(CHUNK, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      tail = Buffer.concat([chunk, tail]);
    }
  } catch (error) {
    if (GatewayRuntimeError.isInstance(error)) throw error;
    throw new GatewayRuntimeError("E_IO", `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    await handle.close();
  }
}
