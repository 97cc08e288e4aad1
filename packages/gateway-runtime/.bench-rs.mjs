// ../../../work/main/packages/gateway-runtime/src/cycle/raw-state.ts
import { isUtf8 } from "node:buffer";

// ../../../work/main/packages/event-store/dist/index.js
import { open, mkdir, rename, lstat, readdir, stat, unlink, link, readlink } from "fs/promises";
import { constants, readlinkSync } from "fs";
var marker = /* @__PURE__ */ Symbol.for("tau.event-store.error");
var EventStoreError = class extends Error {
  /** What went wrong, for programs to branch on. */
  code;
  /** The file or directory involved, when there is one. */
  path;
  /** For `E_LOCKED`: the pid of the process holding the lock, when the lock file names one. */
  holderPid;
  constructor(code, message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = "EventStoreError";
    this.code = code;
    if (options.path !== void 0) this.path = options.path;
    if (options.holderPid !== void 0) this.holderPid = options.holderPid;
    Object.defineProperty(this, marker, { value: true, enumerable: false });
  }
  /** True for any `EventStoreError`, including one created by another copy of this package. */
  static isInstance(error) {
    return typeof error === "object" && error !== null && error[marker] === true;
  }
};
function errnoCode(error) {
  if (typeof error !== "object" || error === null) return void 0;
  const code = error.code;
  return typeof code === "string" ? code : void 0;
}
function toIoError(error, action, path2) {
  if (EventStoreError.isInstance(error)) return error;
  const code = errnoCode(error) ?? "EUNKNOWN";
  const detail = error instanceof Error ? error.message : String(error);
  return new EventStoreError("E_IO", `could not ${action} ${path2}: ${code} (${detail})`, {
    path: path2,
    cause: error
  });
}
function describeFileType(stats) {
  if (stats.isFile()) return "a regular file";
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  if (stats.isDirectory()) return "a directory";
  return "an unknown kind of file";
}
function unsafePathError(path2, action, what, expected = "a regular file") {
  return new EventStoreError(
    "E_UNSAFE_PATH",
    `refusing to ${action} ${path2}: it is ${what}, not ${expected} (the runner never creates one; a link or special file there could lead outside the directory or block forever); remove it and run again`,
    { path: path2 }
  );
}
var NOFOLLOW = constants.O_NOFOLLOW ?? 0;
var NONBLOCK = constants.O_NONBLOCK ?? 0;
var MODE_FLAGS = {
  read: constants.O_RDONLY,
  append: constants.O_RDWR | constants.O_APPEND | constants.O_CREAT
};
async function openRegular(path2, mode, action) {
  let handle;
  try {
    handle = await open(path2, MODE_FLAGS[mode] | NOFOLLOW | NONBLOCK, 438);
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT" && mode === "read") {
      throw new EventStoreError("E_NOT_FOUND", `${path2} does not exist`, { path: path2, cause: error });
    }
    if (code === "ELOOP") throw unsafePathError(path2, action, "a symbolic link");
    if (code === "ENXIO") throw unsafePathError(path2, action, "a FIFO (named pipe) or device");
    throw toIoError(error, action, path2);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      throw toIoError(Object.assign(new Error(`EISDIR: illegal operation on a directory, ${action} '${path2}'`), { code: "EISDIR" }), action, path2);
    }
    if (!stats.isFile()) throw unsafePathError(path2, action, describeFileType(stats));
  } catch (error) {
    await handle.close().catch(() => void 0);
    throw toIoError(error, action, path2);
  }
  return handle;
}
var FIRST_CHUNK_BYTES = 16 * 1024;
var MAX_CHUNK_BYTES = 1024 * 1024;
var CHUNK_BYTES = 4 * 1024 * 1024;
var MAX_LINE_BYTES = 16 * 1024 * 1024;
var CHUNK_BYTES2 = 1024 * 1024;
var strictUtf8 = new TextDecoder("utf-8", { fatal: true });
var PREVIEW_CHARS = 200;
var PREVIEW_BYTES = PREVIEW_CHARS * 4;
var NEWLINE3 = Buffer.from("\n");
var BATCH_BYTES = 1024 * 1024;
var WHOLE_FILE_BYTES = 128 * 1024 * 1024;
var CHUNK_BYTES3 = 1024 * 1024;
var strictUtf82 = new TextDecoder("utf-8", { fatal: true });
var BATCH_BYTES2 = 1024 * 1024;
var COMMA = Buffer.from(",");

// ../../../work/main/packages/gateway-runtime/src/errors.ts
var MARKER = /* @__PURE__ */ Symbol.for("tau.gateway-runtime.error");
var GatewayRuntimeError = class extends Error {
  code;
  /** Pid of the runner holding the state-dir lock, for `E_STATE_LOCKED`. */
  holderPid;
  [MARKER] = true;
  constructor(code, message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = "GatewayRuntimeError";
    this.code = code;
    if (options.holderPid !== void 0) this.holderPid = options.holderPid;
  }
  /** True for a GatewayRuntimeError from any installed copy of this package. */
  static isInstance(error) {
    return typeof error === "object" && error !== null && error[MARKER] === true;
  }
};

// ../../../work/main/packages/gateway-runtime/src/state/gateway-state.ts
import { z } from "zod";
var STATE_SCHEMA_VERSION = 1;
var count = z.number().int().nonnegative().default(0);
var requestRecordSchema = z.looseObject({
  case_key: z.string(),
  case_id: z.string(),
  method: z.string(),
  endpoint: z.string(),
  actor_id: z.string(),
  status_code: z.number().int(),
  outcome: z.string(),
  error_code: z.string().default(""),
  response_body: z.unknown(),
  updated_unix_ms: count
});
var healthSnapshotSchema = z.object({
  updated_unix_ms: count,
  cycle_duration_ms: count,
  queue_depth: count,
  active_runs: count,
  failure_streak: count,
  last_cycle_discovered: count,
  last_cycle_processed: count,
  last_cycle_completed: count,
  last_cycle_failed: count,
  last_cycle_duplicates: count
});
var guardrailStateSchema = z.object({
  // Without a recorded decision the gate must not read as green.
  gate: z.enum(["pass", "hold"]).default("hold"),
  reason_code: z.string().default("guardrail_state_missing"),
  failure_streak_threshold: z.number().int().positive().default(2),
  retryable_failures_threshold: z.number().int().positive().default(2),
  failure_streak: count,
  last_failed_cases: count,
  last_retryable_failures: count,
  updated_unix_ms: count
});
var cycleProvenanceSchema = z.object({
  /** combinedFixtureSha256 of `fixtures`; null when the embedder gave no fixture sources. */
  fixture_sha256: z.string().nullable().default(null),
  fixtures: z.array(z.object({ path: z.string(), sha256: z.string() })).default([]),
  /** 1-based shard index and shard count; null for a run over the whole fixture. */
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).nullable().default(null),
  settings: z.object({
    queue_limit: z.number().int().positive(),
    processed_case_cap: z.number().int().positive(),
    retry_max_attempts: z.number().int().positive(),
    guardrail_failure_streak_threshold: z.number().int().positive(),
    guardrail_retryable_failures_threshold: z.number().int().positive()
  }).nullable().default(null)
});
var gatewayStateSchema = z.looseObject({
  schema_version: z.literal(STATE_SCHEMA_VERSION).default(STATE_SCHEMA_VERSION),
  processed_case_keys: z.array(z.string()).default([]),
  requests: z.array(requestRecordSchema).default([]),
  health: healthSnapshotSchema.default(() => healthSnapshotSchema.parse({})),
  guardrail: guardrailStateSchema.default(() => guardrailStateSchema.parse({})),
  /** Absent until a cycle of this version has run. */
  last_cycle: cycleProvenanceSchema.optional()
});

// ../../../work/main/packages/gateway-runtime/src/cycle/span-reader.ts
import { readSync } from "node:fs";
var WINDOW_BYTES = 1 << 20;
var SpanReader = class {
  constructor(handle, path2) {
    this.handle = handle;
    this.path = path2;
  }
  handle;
  path;
  window = Buffer.allocUnsafe(WINDOW_BYTES);
  from = 0;
  to = 0;
  /** True when [start, end) is in the window: `copy` may be called without `fill`. */
  has(start, end) {
    return start >= this.from && end <= this.to;
  }
  /** Moves the window to start at `start`, large enough for [start, end). */
  async fill(start, end) {
    if (this.window.length < end - start) this.window = Buffer.allocUnsafe(end - start);
    let got = 0;
    try {
      while (got < this.window.length) {
        const { bytesRead } = await this.handle.read(this.window, got, this.window.length - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } catch (error) {
      throw new GatewayRuntimeError("E_IO", `cannot read ${this.path}: ${error.message}`, { cause: error });
    }
    this.from = start;
    this.to = start + got;
    if (this.to < end) throw new GatewayRuntimeError("E_IO", `${this.path} became shorter while it was merged`);
  }
  /** Copies [start, end) into `target` at `at`; the range must be in the window. */
  copy(target, at, start, end) {
    return this.window.copy(target, at, start - this.from, end - this.from);
  }
  /** [start, end) as a fresh buffer, read at once: for the rare record read out of order. */
  readNow(start, end) {
    const out = Buffer.allocUnsafe(end - start);
    let got = 0;
    while (got < out.length) {
      const n = readSync(this.handle.fd, out, got, out.length - got, start + got);
      if (n === 0) throw new GatewayRuntimeError("E_IO", `${this.path} became shorter while it was merged`);
      got += n;
    }
    return out;
  }
  async close() {
    await this.handle.close();
  }
};

// ../../../work/main/packages/gateway-runtime/src/cycle/raw-state.ts
var QUOTE = 34;
var BACKSLASH = 92;
var OPEN_BRACE = 123;
var CLOSE_BRACE = 125;
var OPEN_BRACKET = 91;
var CLOSE_BRACKET = 93;
var COMMA2 = 44;
var COLON = 58;
var BARE = new Uint8Array(256);
for (const ch of " 	\n\r,:0123456789+-.eEtrufalsn") BARE[ch.charCodeAt(0)] = 1;
var WHITESPACE = new Uint8Array(256);
for (const ch of " 	\n\r") WHITESPACE[ch.charCodeAt(0)] = 1;
var CASE_KEY_PREFIX = Buffer.from('{"case_key":"');
var Corrupt = class extends Error {
};
function skipString(bytes, at) {
  const length = bytes.length;
  let i = at + 1;
  while (i < length) {
    const b = bytes[i];
    if (b === QUOTE) return i + 1;
    i += b === BACKSLASH ? 2 : 1;
  }
  throw new Corrupt(`unterminated string at byte ${at}`);
}
function skipWhitespace(bytes, at) {
  let i = at;
  while (i < bytes.length && WHITESPACE[bytes[i]] === 1) i++;
  return i;
}
function skipValue(bytes, at) {
  const closers2 = [];
  let i = at;
  for (; ; ) {
    if (i >= bytes.length) throw new Corrupt(`unexpected end of file in the value at byte ${at}`);
    const b = bytes[i];
    if (b === QUOTE) {
      i = skipString(bytes, i);
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      closers2.push(b === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET);
      i++;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      if (closers2.pop() !== b) throw new Corrupt(`unbalanced brackets at byte ${i}`);
      i++;
    } else if (BARE[b] === 1) {
      i++;
    } else {
      throw new Corrupt(`unexpected byte 0x${b.toString(16)} at byte ${i}`);
    }
    if (closers2.length === 0) {
      if (b !== QUOTE && b !== CLOSE_BRACE && b !== CLOSE_BRACKET) {
        while (i < bytes.length && BARE[bytes[i]] === 1 && bytes[i] !== COMMA2 && bytes[i] !== COLON && WHITESPACE[bytes[i]] !== 1) i++;
      }
      return i;
    }
  }
}
var INVALID = 0;
var PLAIN = 1;
var STRING = 2;
var OPENS = 3;
var CLOSES = 4;
var CLASS = new Uint8Array(256);
for (let b = 0; b < 256; b++) CLASS[b] = BARE[b] === 1 ? PLAIN : INVALID;
CLASS[QUOTE] = STRING;
CLASS[OPEN_BRACE] = OPENS;
CLASS[OPEN_BRACKET] = OPENS;
CLASS[CLOSE_BRACE] = CLOSES;
CLASS[CLOSE_BRACKET] = CLOSES;
var MAX_DEPTH = 4096;
var closers = new Uint8Array(MAX_DEPTH);
function skipRecord(bytes, start) {
  const length = bytes.length;
  let depth = 0;
  let i = start;
  while (i < length) {
    const b = bytes[i];
    const kind = CLASS[b];
    if (kind === STRING) {
      i++;
      for (; ; ) {
        if (i >= length) throw new Corrupt(`unterminated string in the request record at byte ${start}`);
        const c = bytes[i];
        if (c === QUOTE) break;
        i += c === BACKSLASH ? 2 : 1;
      }
    } else if (kind === OPENS) {
      if (depth === MAX_DEPTH) throw new Corrupt(`the request record at byte ${start} is nested deeper than ${MAX_DEPTH}`);
      closers[depth++] = b + 2;
    } else if (kind === CLOSES) {
      if (depth === 0 || closers[--depth] !== b) throw new Corrupt(`unbalanced brackets at byte ${i}`);
      if (depth === 0) return i + 1;
    } else if (kind === INVALID) {
      throw new Corrupt(`unexpected byte 0x${b.toString(16)} at byte ${i}`);
    }
    i++;
  }
  throw new Corrupt(`unexpected end of file in the request record at byte ${start}`);
}
function recordKey(bytes, start, end) {
  let prefixed = start + CASE_KEY_PREFIX.length <= end;
  for (let k = 0; prefixed && k < CASE_KEY_PREFIX.length; k++) prefixed = bytes[start + k] === CASE_KEY_PREFIX[k];
  if (prefixed) {
    const from = start + CASE_KEY_PREFIX.length;
    let i = from;
    let escaped = false;
    while (i < end && bytes[i] !== QUOTE) {
      if (bytes[i] === BACKSLASH) {
        escaped = true;
        i++;
      }
      i++;
    }
    return escaped ? JSON.parse(bytes.toString("utf8", from - 1, i + 1)) : bytes.toString("utf8", from, i);
  }
  const record = JSON.parse(bytes.toString("utf8", start, end));
  if (typeof record.case_key !== "string") throw new Corrupt(`the request record at byte ${start} has no case_key`);
  return record.case_key;
}
var UPDATED_FIELD = Buffer.from('"updated_unix_ms":');
function recordUpdated(bytes, start, end) {
  let i = end - 2;
  let value = 0;
  let scale = 1;
  while (i > start && bytes[i] >= 48 && bytes[i] <= 57) {
    value += (bytes[i] - 48) * scale;
    scale *= 10;
    i--;
  }
  if (i === end - 2 || scale > 1e15) return Number.NaN;
  const from = i + 1 - UPDATED_FIELD.length;
  if (from <= start) return Number.NaN;
  for (let k = 0; k < UPDATED_FIELD.length; k++) if (bytes[from + k] !== UPDATED_FIELD[k]) return Number.NaN;
  return value;
}
var FNV_OFFSET_BASIS = 2166136261;
var FNV_PRIME = 16777619;
var ESCAPE = new Uint8Array(256);
for (const ch of '"\\/bfnrtu') ESCAPE[ch.charCodeAt(0)] = 1;
var KEY_STOP = new Uint8Array(256);
for (let b = 0; b < 32; b++) KEY_STOP[b] = 1;
KEY_STOP[QUOTE] = 1;
KEY_STOP[BACKSLASH] = 1;
var HEX = new Uint8Array(256);
for (const ch of "0123456789abcdefABCDEF") HEX[ch.charCodeAt(0)] = 1;
function grow(array) {
  const grown = new Uint32Array(array.length * 2);
  grown.set(array);
  return grown;
}
function scanKeys(bytes, at, out) {
  let hashes = new Uint32Array(1024);
  let count2 = 0;
  let i = skipWhitespace(bytes, at + 1);
  const first = i;
  let last = i;
  if (bytes[i] !== CLOSE_BRACKET) {
    for (; ; ) {
      if (bytes[i] !== QUOTE) throw new Corrupt(`expected a case key at byte ${i}`);
      let hash = FNV_OFFSET_BASIS;
      let j = i + 1;
      for (; ; ) {
        let b = bytes[j];
        while (KEY_STOP[b] === 0) {
          hash = Math.imul(hash ^ b, FNV_PRIME);
          b = bytes[++j];
        }
        if (b === void 0) throw new Corrupt(`unterminated string at byte ${i}`);
        if (b === QUOTE) break;
        if (b < 32) throw new Corrupt(`control character in a string at byte ${j}`);
        const e = bytes[j + 1];
        if (ESCAPE[e] !== 1) throw new Corrupt(`invalid escape at byte ${j}`);
        if (e === 117) {
          for (let k = 2; k < 6; k++) if (HEX[bytes[j + k]] !== 1) throw new Corrupt(`invalid escape at byte ${j}`);
        }
        hashes = void 0;
        j += e === 117 ? 6 : 2;
      }
      if (hashes !== void 0) {
        if (count2 === hashes.length) hashes = grow(hashes);
        hashes[count2] = hash >>> 0;
      }
      count2++;
      last = j + 1;
      i = skipWhitespace(bytes, last);
      if (bytes[i] === COMMA2) i = skipWhitespace(bytes, i + 1);
      else if (bytes[i] === CLOSE_BRACKET) break;
      else throw new Corrupt(`expected "," or "]" at byte ${i}`);
    }
  }
  out.keys = { bytes: Buffer.from(bytes.subarray(first, last)), count: count2, hashes: hashes?.subarray(0, count2) };
  return i + 1;
}
function scan(bytes) {
  let i = skipWhitespace(bytes, 0);
  if (bytes[i] !== OPEN_BRACE) throw new Corrupt("not a JSON object");
  i++;
  let requests;
  const starts = [];
  const ends = [];
  const recordKeys = [];
  const updated = [];
  const keys = {};
  let keysRange;
  for (; ; ) {
    i = skipWhitespace(bytes, i);
    if (bytes[i] === CLOSE_BRACE) break;
    if (bytes[i] !== QUOTE) throw new Corrupt(`expected a field name at byte ${i}`);
    const nameEnd = skipString(bytes, i);
    const name = bytes.toString("utf8", i + 1, nameEnd - 1);
    i = skipWhitespace(bytes, nameEnd);
    if (bytes[i] !== COLON) throw new Corrupt(`expected ":" at byte ${i}`);
    i = skipWhitespace(bytes, i + 1);
    if (name === "requests" && bytes[i] === OPEN_BRACKET && requests === void 0) {
      const arrayStart = i;
      i = skipWhitespace(bytes, i + 1);
      if (bytes[i] === CLOSE_BRACKET) i++;
      else {
        for (; ; ) {
          if (bytes[i] !== OPEN_BRACE) throw new Corrupt(`expected a request record at byte ${i}`);
          const end = skipRecord(bytes, i);
          starts.push(i);
          ends.push(end);
          recordKeys.push(recordKey(bytes, i, end));
          updated.push(recordUpdated(bytes, i, end));
          i = skipWhitespace(bytes, end);
          if (bytes[i] === COMMA2) i = skipWhitespace(bytes, i + 1);
          else if (bytes[i] === CLOSE_BRACKET) {
            i++;
            break;
          } else throw new Corrupt(`expected "," or "]" at byte ${i}`);
        }
      }
      requests = { start: arrayStart, end: i };
    } else if (name === "processed_case_keys" && bytes[i] === OPEN_BRACKET && keysRange === void 0) {
      const start = i;
      i = scanKeys(bytes, i, keys);
      keysRange = { start, end: i };
    } else {
      i = skipValue(bytes, i);
    }
    i = skipWhitespace(bytes, i);
    if (bytes[i] === COMMA2) i++;
    else if (bytes[i] !== CLOSE_BRACE) throw new Corrupt(`expected "," or "}" at byte ${i}`);
  }
  if (skipWhitespace(bytes, i + 1) !== bytes.length) throw new Corrupt(`unexpected content after the object at byte ${i + 1}`);
  const cuts = [keysRange, requests].filter((r) => r !== void 0).sort((a, b) => a.start - b.start);
  let skeletonText = "";
  let from = 0;
  for (const cut of cuts) {
    skeletonText += `${bytes.toString("utf8", from, cut.start)}[]`;
    from = cut.end;
  }
  skeletonText += bytes.toString("utf8", from);
  const parsed = gatewayStateSchema.safeParse(JSON.parse(skeletonText));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? first.path.join(".") : "the file";
    throw new Corrupt(`unexpected content at ${where}: ${first?.message ?? "invalid"}`);
  }
  if (requests && parsed.data.requests.length > 0 || keysRange && parsed.data.processed_case_keys.length > 0) {
    throw new Corrupt("a field appears twice");
  }
  const processedKeys = keys.keys ?? { bytes: Buffer.alloc(0), count: 0, hashes: new Uint32Array(0) };
  return { skeleton: parsed.data, processedKeys, starts, ends, keys: recordKeys, updated };
}
async function readWhole(handle, scratch2) {
  const { size } = await handle.stat();
  if (scratch2.bytes.length < size) scratch2.bytes = Buffer.allocUnsafe(size);
  const bytes = scratch2.bytes;
  let got = 0;
  while (got < size) {
    const { bytesRead } = await handle.read(bytes, got, size - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return bytes.subarray(0, got);
}
async function readRawState(statePath, scratch2 = { bytes: Buffer.alloc(0) }) {
  let handle;
  try {
    handle = await openRegular(statePath, "read", "read");
  } catch (error) {
    if (EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND") return { kind: "missing" };
    if (EventStoreError.isInstance(error) && error.code === "E_UNSAFE_PATH") throw error;
    throw new GatewayRuntimeError("E_IO", `cannot read ${statePath}: ${error.message}`, { cause: error });
  }
  try {
    let bytes;
    try {
      bytes = await readWhole(handle, scratch2);
    } catch (error) {
      throw new GatewayRuntimeError("E_IO", `cannot read ${statePath}: ${error.message}`, { cause: error });
    }
    if (!isUtf8(bytes)) throw new Corrupt("not valid UTF-8");
    return { kind: "ok", raw: { ...scan(bytes), records: new SpanReader(handle, statePath) } };
  } catch (error) {
    await handle.close();
    if (error instanceof Corrupt || error instanceof SyntaxError) return { kind: "corrupt", reason: error.message };
    throw error;
  }
}

// bench.ts
var path = "/work/main/bench/.work/merge-800000x8/shard-4/state.json";
var scratch = { bytes: Buffer.alloc(0) };
for (let r = 0; r < 6; r++) {
  const t = performance.now();
  const res = await readRawState(path, scratch);
  const ms = performance.now() - t;
  if (res.kind === "ok") {
    if (r >= 2) console.log(res.raw.keys.length, ms.toFixed(1), "ms");
    await res.raw.records.close();
  }
}
