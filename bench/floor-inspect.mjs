// Floor of status inspect: plain streaming read of the events log, split lines, JSON.parse each.
// usage: node bench/floor-inspect.mjs EVENTS.jsonl
import { createReadStream } from "node:fs";

const [path] = process.argv.slice(2);
let rest = "";
let parsed = 0;
let invalid = 0;
const handle = (line) => {
  if (line.length === 0) return;
  try { JSON.parse(line); parsed++; } catch { invalid++; }
};
for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 })) {
  const text = rest + chunk;
  let start = 0;
  let nl;
  while ((nl = text.indexOf("\n", start)) !== -1) {
    handle(text.slice(start, nl));
    start = nl + 1;
  }
  rest = text.slice(start);
}
handle(rest);
process.stdout.write(JSON.stringify({ parsed, invalid }) + "\n");
