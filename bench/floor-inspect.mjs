// Floor of status inspect: the work any implementation must do, done once, minimally. Read the
// events log in 1 MiB chunks (synchronously: no async hops), split lines on the 0x0a byte,
// decode each line as strict UTF-8 (invalid UTF-8 is an invalid line, behavior.md) and
// JSON.parse it. No line bound, no summary, no state.json, no module loading.
// (Until 2026-11-30 this floor decoded through a utf8 read stream and sliced strings; the
// runner's byte-splitting reader came out ~15 % below it in CPU, so that was not a floor.)
// usage: node bench/floor-inspect.mjs EVENTS.jsonl
import { closeSync, openSync, readSync } from "node:fs";

const [path] = process.argv.slice(2);
const CHUNK = 1 << 20;
const strict = new TextDecoder("utf-8", { fatal: true });
let parsed = 0;
let invalid = 0;
const handle = (bytes) => {
  if (bytes.length === 0) return;
  let text;
  try { text = strict.decode(bytes); } catch { invalid++; return; }
  try { JSON.parse(text); parsed++; } catch { invalid++; }
};
const fd = openSync(path, "r");
let rest = Buffer.alloc(0);
for (;;) {
  const chunk = Buffer.allocUnsafe(CHUNK);
  const n = readSync(fd, chunk, 0, CHUNK, null);
  if (n === 0) break;
  const data = rest.length > 0 ? Buffer.concat([rest, chunk.subarray(0, n)]) : chunk.subarray(0, n);
  let start = 0;
  for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
    handle(data.subarray(start, nl));
    start = nl + 1;
  }
  rest = data.subarray(start);
}
closeSync(fd);
handle(rest);
process.stdout.write(JSON.stringify({ parsed, invalid }) + "\n");
