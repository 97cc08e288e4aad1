import { lstat, mkdir } from "node:fs/promises";
import { checkPath } from "./check-path.js";
import { makeDir } from "./make-dir.js";
import { join } from "node:path";
import { appendJsonl } from "./append-jsonl.js";
import { channelDirName } from "./channel-dir-name.js";
import { EventStoreError } from "./errors.js";
import { inspectRotatedJsonl } from "./inspect-rotated-jsonl.js";
import { errnoCode, toIoError } from "./io-error.js";
import type { JsonlRepair } from "./repair-jsonl.js";
import type { JsonlBatch } from "./jsonl-batch.js";
import { repairJsonl } from "./repair-jsonl.js";
import { appendJsonlRotated, type JsonlRotation } from "./rotate-jsonl.js";
import { writeFileAtomic } from "./write-file-atomic.js";

/** Records to append to one channel's log or context. */
export interface ChannelRecords {
  transport: string;
  channelId: string;
  records: readonly unknown[] | JsonlBatch;
}

/** New content for one channel's MEMORY.md. */
export interface ChannelMemory {
  transport: string;
  channelId: string;
  /** The whole file: text, or its UTF-8 bytes. */
  text: string | Uint8Array;
}

/** Counts for one channel directory, as reported by {@link ChannelStore.inspect}. */
export interface ChannelInspection {
  transport: string;
  channelId: string;
  dir: string;
  /** False when none of the channel's files exists (nothing was ever recorded for it). */
  exists: boolean;
  logRecords: number;
  contextRecords: number;
  invalidLogLines: number;
  invalidContextLines: number;
  /** Files of each log, rotated ones (`log.jsonl.N`) included; the counts above span them all. */
  logFiles: number;
  contextFiles: number;
  memoryExists: boolean;
  memoryBytes: number;
}

/** Outcome of {@link ChannelStore.repair} for both JSONL files of a channel. */
export interface ChannelRepair {
  transport: string;
  channelId: string;
  dir: string;
  log: JsonlRepair;
  context: JsonlRepair;
}

const LOG_FILE = "log.jsonl";
const CONTEXT_FILE = "context.jsonl";
const MEMORY_FILE = "MEMORY.md";
// The transport is a fixed word chosen by code (e.g. "gateway"), not user input, so it is
// validated rather than encoded: a surprising value is a bug to report, not a name to escape.
const TRANSPORT = /^[a-z0-9][a-z0-9_-]*$/;

function checkTransport(transport: string): string {
  if (!TRANSPORT.test(transport)) {
    throw new EventStoreError(
      "E_INVALID_CHANNEL_ID",
      `transport must match ${TRANSPORT.source} (found ${JSON.stringify(transport)})`,
    );
  }
  return transport;
}

/**
 * Per-channel files under one root: `<root>/<transport>/<channelDirName(channelId)>/` holding
 * `log.jsonl`, `context.jsonl` and `MEMORY.md`.
 */
export class ChannelStore {
  /** The directory that holds one subdirectory per transport. */
  readonly root: string;
  private readonly rotation: JsonlRotation | undefined;

  /** With `rotation`, each log is rotated (`log.jsonl.1` …) once it reaches `maxBytes`. */
  constructor(root: string, options: { rotation?: JsonlRotation } = {}) {
    this.root = root;
    this.rotation = options.rotation;
  }

  private async append(path: string, records: ChannelRecords["records"]): Promise<void> {
    if (this.rotation) await appendJsonlRotated(path, records, this.rotation);
    else await appendJsonl(path, records);
  }

  /** The channel's directory (absolute if `root` is); throws `E_INVALID_CHANNEL_ID` for bad input. */
  channelDir(transport: string, channelId: string): string {
    return join(this.root, checkTransport(transport), channelDirName(channelId));
  }

  /**
   * Checks, without writing anything, that the channel's directories (below the root) are real
   * directories and its files regular files or missing: a planted symlink, FIFO or device there
   * throws `E_UNSAFE_PATH` naming it. Run it for every channel of a batch before the first write,
   * so a refusal leaves nothing half-written. The write methods check again on their own.
   */
  async check(transport: string, channelId: string): Promise<void> {
    const dir = this.channelDir(transport, channelId);
    await checkPath(join(this.root, transport), "directory");
    if (!(await checkPath(dir, "directory"))) return;
    for (const name of [LOG_FILE, CONTEXT_FILE, MEMORY_FILE]) await checkPath(join(dir, name), "file");
  }

  /** Appends records to the channel's `log.jsonl` in one append. */
  async appendLog({ transport, channelId, records }: ChannelRecords): Promise<void> {
    await this.append(join(await this.ensureDir(transport, channelId), LOG_FILE), records);
  }

  /** Appends records to the channel's `context.jsonl` in one append. */
  async appendContext({ transport, channelId, records }: ChannelRecords): Promise<void> {
    await this.append(join(await this.ensureDir(transport, channelId), CONTEXT_FILE), records);
  }

  /** Atomically replaces the channel's `MEMORY.md`. */
  async writeMemory({ transport, channelId, text }: ChannelMemory): Promise<void> {
    const path = join(await this.ensureDir(transport, channelId), MEMORY_FILE);
    // rename() would replace a planted link rather than write through it, but refusing says why.
    await checkPath(path, "file");
    await writeFileAtomic(path, text);
  }

  /**
   * The channel's directory, created level by level below the root, each level checked with
   * lstat: a symlinked transport or actor directory would make every write land outside the root.
   */
  private async ensureDir(transport: string, channelId: string): Promise<string> {
    const dir = this.channelDir(transport, channelId);
    try {
      await makeDir(this.root);
    } catch (error) {
      throw toIoError(error, "create directory", this.root);
    }
    for (const level of [join(this.root, transport), dir]) {
      if (await checkPath(level, "directory")) continue;
      try {
        await mkdir(level);
      } catch (error) {
        // Created by someone else in between: check what it is now.
        if (errnoCode(error) !== "EEXIST") throw toIoError(error, "create directory", level);
        await checkPath(level, "directory");
      }
    }
    return dir;
  }

  /** Counts records and invalid lines of both logs (rotated files included) and sizes up `MEMORY.md`; missing files count as empty. */
  async inspect(transport: string, channelId: string): Promise<ChannelInspection> {
    await this.check(transport, channelId);
    const dir = this.channelDir(transport, channelId);
    const [log, context, memory] = await Promise.all([
      inspectRotatedJsonl(join(dir, LOG_FILE)),
      inspectRotatedJsonl(join(dir, CONTEXT_FILE)),
      memorySize(join(dir, MEMORY_FILE)),
    ]);
    return {
      transport,
      channelId,
      dir,
      exists: log.exists || context.exists || memory !== undefined,
      logRecords: log.records,
      contextRecords: context.records,
      invalidLogLines: log.invalidLines,
      invalidContextLines: context.invalidLines,
      logFiles: log.files,
      contextFiles: context.files,
      memoryExists: memory !== undefined,
      memoryBytes: memory ?? 0,
    };
  }

  /** Moves invalid lines of both logs to `.corrupt-<unix_ms>` files beside them (see `repairJsonl`). */
  async repair(transport: string, channelId: string): Promise<ChannelRepair> {
    await this.check(transport, channelId);
    const dir = this.channelDir(transport, channelId);
    const log = await repairJsonl(join(dir, LOG_FILE));
    const context = await repairJsonl(join(dir, CONTEXT_FILE));
    return { transport, channelId, dir, log, context };
  }
}

async function memorySize(path: string): Promise<number | undefined> {
  try {
    return (await lstat(path)).size;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw toIoError(error, "inspect", path);
  }
}
