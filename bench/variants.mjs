// Capabilities measured on vs off by `node bench/run.mjs` (scenario "variants"): each entry's
// flags are added to the 100k-case simulated cycle, which is run interleaved with the same cycle
// without them; the target is ≤ 1.10× the cycle without. `{out}` in a flag becomes a fresh
// directory for each run (for files the capability writes). `okCodes` (default [0]) lists the
// exit codes that count as a successful run.
//
// Add an entry when a capability lands on main, e.g. (flag names as merged):
//   { name: "report", flags: ["--gateway-report", "{out}/report.html"] },
//   { name: "metrics textfile", flags: ["--gateway-metrics-textfile", "{out}/tau.prom"] },
//   { name: "shard 1/1", flags: ["--gateway-shard", "1/1"] },
// or pass one ad hoc: node bench/run.mjs --only variants --variant "report=--gateway-report {out}/r.html"
export default [];
