import { open } from "node:fs/promises";

/**
 * Reads at most `maxBytes` of a file; `tooLarge` makes the error for a larger one from its size.
 * The size from stat is checked first, but only a read that stops at the limit also bounds
 * pipes, devices and files that grow while being read. A regular
 * file is read into one buffer of its size (plus a byte, to notice growth): no chunks and no
 * concatenated copy, which at a few hundred MB is peak memory that matters.
 */
export async function readCapped(options: { path: string; maxBytes: number; tooLarge: (size: string) => Error }): Promise<Buffer> {
  const { path, maxBytes, tooLarge } = options;
  const handle = await open(path, "r");
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > maxBytes) throw tooLarge(`${info.size} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    if (info.isFile()) {
      const whole = Buffer.allocUnsafe(info.size + 1);
      while (total < whole.length) {
        const { bytesRead } = await handle.read(whole, total, whole.length - total, null);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
      if (total <= info.size) return whole.subarray(0, total);
      // It grew since stat: go on in chunks, under the same limit.
      chunks.push(whole);
      if (total > maxBytes) throw tooLarge(`more than ${maxBytes} bytes`);
    }
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(`more than ${maxBytes} bytes`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}
