import type { FileHandle } from "node:fs/promises";
import { toIoError } from "./io-error.js";
import { openRegular } from "./safe-open.js";

/** One line of a file as raw bytes, without its "\n" (a trailing "\r" is kept). */
export interface ScannedLine {
  /** 1-based, counting every line including blank ones. */
  lineNumber: number;
  /**
   * The whole line, or for an `oversized` one only its first bytes (enough for a preview): the
   * rest was skipped while streaming and never held in memory.
   */
  bytes: Buffer;
  /** False only for a last line that has no "\n" after it (possibly torn by a crash). */
  terminated: boolean;
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** Length of the whole line in bytes, without its "\n". */
  length: number;
  /** True when the line is longer than {@link MAX_LINE_BYTES}: `bytes` holds its head only. */
  oversized: boolean;
}

/**
 * The longest line a JSONL reader holds in memory (16 MiB). Longer lines are counted invalid and
 * skipped while streaming, so a 5 GB line (or a file of NUL bytes) costs no more than this.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Options of {@link scanLines}. */
export interface ScanOptions {
  /** Lines longer than this many bytes come back `oversized`; defaults to {@link MAX_LINE_BYTES}. */
  maxLineBytes?: number;
  /**
   * For {@link scanLineBatches}: the caller is done with a batch's `bytes` once it asks for the
   * next batch (it parses or copies them), so the read buffers can be reused instead of
   * allocating 1 MiB per read (fresh memory is page-faulted in and later collected).
   */
  reuseBuffers?: boolean;
}

// Big reads keep syscalls and promise hops rare; splitting on the 0x0a byte ourselves is several
// times faster than node:readline and never decodes bytes we are about to throw away.
const CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
// What an oversized line keeps for its preview (200 characters of up to 4 bytes each).
const HEAD_BYTES = 800;

/**
 * Opens a JSONL file for reading: only a regular file, reached without following a symlink
 * (E_UNSAFE_PATH otherwise: a FIFO would block, /dev/zero never ends); ENOENT → `E_NOT_FOUND`.
 */
export async function openForRead(path: string): Promise<FileHandle> {
  return openRegular(path, "read", "read");
}

/**
 * Streams the lines of a file. Memory is bounded by `maxLineBytes` (16 MiB), not by the file or
 * the longest line: only the unfinished tail of the current line is carried from one chunk to
 * the next, and a line that grows past the bound is dropped to its head and skipped to its end.
 */
export async function* scanLines(path: string, options: ScanOptions = {}): AsyncGenerator<ScannedLine, void, undefined> {
  for await (const batch of scanLineBatches(path, options)) yield* batch;
}

/**
 * {@link scanLines}, one array per read: the lines each 1 MiB read completes, in order. A reader
 * that handles every line pays one async hop per read instead of one per line (with ~700-byte
 * lines, 1500 hops per read were most of a status inspect's overhead). The arrays' lines are
 * views into that read's buffer, valid until the caller drops them; no array is empty.
 */
export async function* scanLineBatches(path: string, options: ScanOptions = {}): AsyncGenerator<ScannedLine[], void, undefined> {
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const handle = await openForRead(path);
  try {
    // Pieces of a line that spans chunks; joined once when its "\n" arrives, so a 3 MiB line
    // costs one copy instead of one per chunk.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    // Set while skipping a line past the bound: its head and the bytes seen so far.
    let oversizedHead: Buffer | undefined;
    let lineNumber = 0;
    let lineStart = 0;
    let chunkStart = 0;
    const line = (bytes: Buffer, end: number, terminated: boolean, oversized: boolean): ScannedLine => ({
      lineNumber,
      bytes,
      terminated,
      offset: lineStart,
      length: end - lineStart,
      oversized,
    });
    // Buffers free for reuse: one that held only the middle of an oversized line, as nothing
    // handed out points into it (a 5 GB line then costs two buffers instead of 5000 garbage
    // ones: RSS stays flat); with `reuseBuffers`, every buffer once its batch is done with.
    // Otherwise a read gets a fresh buffer, since the lines handed out are views into it.
    const reuse = options.reuseBuffers === true;
    const free: Buffer[] = [];
    // The next read is started before this one's lines are handed over, so the read runs while
    // the caller parses (as a read stream's read-ahead does). Its failure is kept, not thrown,
    // until it is awaited; closing the handle waits for it.
    const readNext = (): Promise<{ chunk: Buffer; bytesRead: number } | { error: unknown }> => {
      const chunk = free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
      return handle.read(chunk, 0, CHUNK_BYTES, null).then(
        ({ bytesRead }) => ({ chunk, bytesRead }),
        (error: unknown) => ({ error }),
      );
    };
    let next = readNext();
    for (;;) {
      const result = await next;
      if ("error" in result) throw toIoError(result.error, "read", path);
      const { chunk, bytesRead } = result;
      if (bytesRead === 0) break;
      next = readNext();
      const data = chunk.subarray(0, bytesRead);
      // In the middle of an oversized line with no end in sight: only its head (a copy) is kept.
      if (!reuse && oversizedHead !== undefined && data.indexOf(NEWLINE) === -1) free.push(chunk);
      let start = 0;
      const batch: ScannedLine[] = [];
      for (let end = data.indexOf(NEWLINE, start); end !== -1; end = data.indexOf(NEWLINE, start)) {
        const piece = data.subarray(start, end);
        lineNumber += 1;
        const lineEnd = chunkStart + end;
        if (oversizedHead !== undefined) {
          batch.push(line(oversizedHead, lineEnd, true, true));
        } else if (pendingBytes + piece.length > maxLineBytes) {
          batch.push(line(Buffer.concat([...pending, piece], HEAD_BYTES), lineEnd, true, true));
        } else {
          batch.push(line(pending.length === 0 ? piece : Buffer.concat([...pending, piece]), lineEnd, true, false));
        }
        pending = [];
        pendingBytes = 0;
        oversizedHead = undefined;
        start = end + 1;
        lineStart = chunkStart + start;
      }
      if (batch.length > 0) yield batch;
      if (start < data.length && oversizedHead === undefined) {
        const rest = data.subarray(start);
        if (pendingBytes + rest.length > maxLineBytes) {
          // Past the bound: keep a copy of the head and let the pieces go.
          const total = pendingBytes + rest.length;
          oversizedHead = Buffer.concat([...pending, rest], Math.min(HEAD_BYTES, total));
          pending = [];
          pendingBytes = 0;
        } else {
          // A copy when the buffer is about to be reused (a piece of a line is usually short).
          pending.push(reuse ? Buffer.from(rest) : rest);
          pendingBytes += rest.length;
        }
      }
      chunkStart += bytesRead;
      // The caller has asked for the next batch: nothing refers to this buffer any more.
      if (reuse) free.push(chunk);
    }
    if (oversizedHead !== undefined) {
      lineNumber += 1;
      yield [line(oversizedHead, chunkStart, false, true)];
    } else if (pending.length > 0) {
      lineNumber += 1;
      yield [line(Buffer.concat(pending), chunkStart, false, false)];
    }
  } finally {
    await handle.close();
  }
}
