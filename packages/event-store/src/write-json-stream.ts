import type { AtomicFile } from "./atomic-file.js";
import { Utf8Writer } from "./utf8-writer.js";

// Text is handed to the file in writes of about this size: few syscalls, no giant string.
const BATCH_BYTES = 1024 * 1024;

/** A value too large for one string: V8 caps strings at ~512 MiB (2^29 - 24 UTF-16 units). */
export class JsonTooLargeError extends RangeError {
  constructor(readonly where: string, options: { cause: unknown }) {
    super(`${where} is too large to serialise as JSON (V8 strings hold at most ~512 MiB)`, options);
    this.name = "JsonTooLargeError";
  }
}

/**
 * An array member whose elements are already JSON text (e.g. records copied byte for byte from
 * another file), so a merge of large files streams through the same writer as a state built in
 * memory. Each chunk is one or more whole elements joined by commas, as text or UTF-8 bytes.
 * Bytes go to the file as they are, and the writer asks for the next chunk while it writes one:
 * a chunk's bytes must stay as they are until the chunk after it has been asked for (a producer
 * can alternate between two buffers).
 */
export class RawJsonArray {
  constructor(readonly chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>) {}
}

function stringify(value: unknown, where: string): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof RangeError) throw new JsonTooLargeError(where, { cause: error });
    throw error;
  }
}

const COMMA = Buffer.from(",");

/**
 * The chunks of a RawJsonArray, comma-joined. One write is in flight while the next chunk is
 * made (a merge reads and copies records meanwhile), and the writes stay in order.
 */
async function writeChunks(file: Pick<AtomicFile, "write">, out: Utf8Writer, array: RawJsonArray): Promise<void> {
  await out.flush();
  let writing: Promise<void> = Promise.resolve();
  let first = true;
  try {
    for await (const chunk of array.chunks) {
      if (chunk.length === 0) continue;
      await writing;
      if (!first) await file.write(COMMA);
      first = false;
      writing = file.write(chunk);
      // Awaited before the next write or at the end; a failed chunk must not go unhandled meanwhile.
      writing.catch(() => undefined);
    }
  } finally {
    // A failed producer leaves no write running under the caller's abort.
    await writing.catch(() => undefined);
  }
  await writing;
}

/**
 * Writes `value` (a plain object) as one line of JSON, byte for byte what
 * `JSON.stringify(value) + "\n"` gives, without ever building that string: each member is
 * serialised on its own, and a member that is an array one element at a time. So the file can
 * be far larger than V8's longest string; what remains bounded is one element (or one non-array
 * member), which throws {@link JsonTooLargeError} naming it (`requests[12]`) before the write
 * ends. Writes go through `file.write`; committing is up to the caller.
 */
export async function writeJsonStream(file: Pick<AtomicFile, "write">, value: Record<string, unknown>): Promise<void> {
  // Appending is synchronous until the buffer is full: a state of 100k records is 200k
  // appends, and an async call each was a tenth of a warm cycle.
  const out = new Utf8Writer(file, BATCH_BYTES);
  const emit = (text: string) => out.write(text);
  await emit("{");
  let first = true;
  for (const key of Object.keys(value)) {
    const member = value[key];
    // Exactly the members JSON.stringify would keep.
    if (member === undefined || typeof member === "function" || typeof member === "symbol") continue;
    await emit(`${first ? "" : ","}${JSON.stringify(key)}:`);
    first = false;
    if (member instanceof RawJsonArray) {
      await emit("[");
      await writeChunks(file, out, member);
      await emit("]");
    } else if (Array.isArray(member)) {
      await emit("[");
      for (let index = 0; index < member.length; index += 1) {
        const pending = emit(`${index === 0 ? "" : ","}${stringify(member[index], `${key}[${index}]`) ?? "null"}`);
        if (pending !== undefined) await pending;
      }
      await emit("]");
    } else {
      await emit(stringify(member, key) as string);
    }
  }
  await emit("}\n");
  await out.flush();
}
