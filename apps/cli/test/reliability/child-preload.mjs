// Loaded into a CLI child with `node --import <this file>` to instrument it from outside: inject
// file-system faults under one directory (for machines where a small or read-only tmpfs cannot be
// mounted), line up the start of several runners, and report peak memory. All through the environment:
//   TAU_TEST_FAULT_DIR      the directory whose files fail (nothing else is touched)
//   TAU_TEST_FAULT_KIND     ENOSPC: writes succeed until TAU_TEST_FAULT_BUDGET bytes are used,
//                           then one short write and ENOSPC; EROFS: every change fails
//   TAU_TEST_FAULT_BUDGET   bytes that still fit on the "disk" (ENOSPC only; default 0)
//   TAU_TEST_START_AT       unix ms: wait until then before the CLI starts (lines up two runners)
//   TAU_TEST_RSS_FILE       on exit, write process.resourceUsage().maxRSS (KiB) to this file
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { resolve, sep } from "node:path";

const faultDir = process.env.TAU_TEST_FAULT_DIR ? resolve(process.env.TAU_TEST_FAULT_DIR) : undefined;
const kind = process.env.TAU_TEST_FAULT_KIND;
let budget = Number(process.env.TAU_TEST_FAULT_BUDGET ?? "0");

const rssFile = process.env.TAU_TEST_RSS_FILE;
if (rssFile) {
  process.on("exit", () => fs.writeFileSync(rssFile, String(process.resourceUsage().maxRSS)));
}

const startAt = Number(process.env.TAU_TEST_START_AT ?? "0");
if (startAt > Date.now()) await new Promise((done) => setTimeout(done, startAt - Date.now()));

function inFaultDir(path) {
  if (faultDir === undefined || path === undefined || path === null) return false;
  const full = resolve(String(path instanceof URL ? path.pathname : path));
  return full === faultDir || full.startsWith(faultDir + sep);
}

function fsError(code, syscall, path) {
  const text = code === "ENOSPC" ? "no space left on device" : "read-only file system";
  const error = new Error(`${code}: ${text}, ${syscall} '${path}'`);
  return Object.assign(error, { code, errno: code === "ENOSPC" ? -28 : -30, syscall, path: String(path) });
}

const promises = fs.promises;
const original = {
  open: promises.open,
  mkdir: promises.mkdir,
  rename: promises.rename,
  unlink: promises.unlink,
  link: promises.link,
  writeFile: promises.writeFile,
  appendFile: promises.appendFile,
};

// FileHandle is not exported; take its prototype from a handle on the null device.
const probe = await original.open(process.platform === "win32" ? "NUL" : "/dev/null", "r");
const handleProto = Object.getPrototypeOf(probe);
await probe.close();
const faultyHandles = new WeakMap();

// Flags as a string ("a+", "wx") or as numbers (O_RDWR | O_APPEND | O_NOFOLLOW ... for no-follow opens).
const writes = (flags) =>
  typeof flags === "string" ? /[wa+]/.test(flags) : typeof flags === "number" && (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) !== 0;

if (faultDir !== undefined && kind === "EROFS") {
  promises.open = async function open(path, flags = "r", mode) {
    if (inFaultDir(path) && writes(flags)) throw fsError("EROFS", "open", path);
    return original.open(path, flags, mode);
  };
  promises.mkdir = async function mkdir(path, options) {
    if (inFaultDir(path)) {
      // A read-only disk still reports existing directories as existing.
      if (fs.existsSync(path)) {
        if (options && options.recursive) return undefined;
        throw Object.assign(fsError("EROFS", "mkdir", path), { code: "EEXIST", errno: -17 });
      }
      throw fsError("EROFS", "mkdir", path);
    }
    return original.mkdir(path, options);
  };
  for (const name of ["rename", "link"]) {
    promises[name] = async function (from, to) {
      if (inFaultDir(from) || inFaultDir(to)) throw fsError("EROFS", name, from);
      return original[name](from, to);
    };
  }
  for (const name of ["unlink", "writeFile", "appendFile"]) {
    promises[name] = async function (path, ...rest) {
      if (inFaultDir(path)) throw fsError("EROFS", name === "unlink" ? "unlink" : "open", path);
      return original[name](path, ...rest);
    };
  }
}

if (faultDir !== undefined && kind === "ENOSPC") {
  promises.open = async function open(path, flags = "r", mode) {
    const handle = await original.open(path, flags, mode);
    if (inFaultDir(path) && writes(flags)) faultyHandles.set(handle, String(path));
    return handle;
  };
  const write = handleProto.write;
  handleProto.write = async function (data, ...rest) {
    const path = faultyHandles.get(this);
    if (path === undefined) return write.call(this, data, ...rest);
    if (budget <= 0) throw fsError("ENOSPC", "write", path);
    // Same signatures as FileHandle#write: (buffer, offset, length, position) or (string, ...).
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const offset = typeof data === "string" ? 0 : (rest[0] ?? 0);
    const length = typeof data === "string" ? bytes.length : (rest[1] ?? bytes.length - offset);
    const position = typeof data === "string" ? null : (rest[2] ?? null);
    const fits = Math.min(length, budget);
    budget -= fits;
    // Like a real disk that fills up mid-write: the part that fits lands, the caller sees a short write.
    return write.call(this, bytes, offset, fits, position);
  };
  const writeFile = handleProto.writeFile;
  handleProto.writeFile = async function (data, options) {
    const path = faultyHandles.get(this);
    if (path === undefined) return writeFile.call(this, data, options);
    const size = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
    if (size > budget) {
      budget = 0;
      throw fsError("ENOSPC", "write", path);
    }
    budget -= size;
    return writeFile.call(this, data, options);
  };
}

syncBuiltinESMExports();
