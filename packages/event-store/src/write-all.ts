import type { FileHandle } from "node:fs/promises";

/** Writes every byte at the handle's position, looping over short writes. */
export async function writeAll(handle: FileHandle, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
    offset += bytesWritten;
  }
}
