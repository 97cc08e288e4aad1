// Capabilities measured on vs off by `node bench/run.mjs` (scenario "variants"): each entry's
// flags are added to the 100k-case simulated cycle, which is run interleaved with the same cycle
// without them; the target is ≤ 1.10× the cycle without. `{out}` in a flag becomes a fresh
// directory for each run (for files the capability writes). `okCodes` (default [0]) lists the
// exit codes that count as a successful run. `fixture` (options of generate-fixture.mjs) runs
// the "on" side over another fixture of the same cases: v2 matchers are a fixture, not a flag.
//
// Watch is not a flag of `run` (bench/watch-throughput.mjs measures it against run). Pass
// another variant ad hoc:
//   node bench/run.mjs --only variants --variant "report=--gateway-report html={out}/r.html"
export default [
  {
    name: "all four reports",
    flags: [
      "--gateway-report", "junit={out}/junit.xml",
      "--gateway-report", "markdown={out}/summary.md",
      "--gateway-report", "html={out}/report.html",
      "--gateway-report", "json={out}/report.json",
    ],
  },
  { name: "metrics textfile", flags: ["--gateway-metrics-textfile", "{out}/tau_gateway.prom"] },
  { name: "shard 1/1", flags: ["--gateway-shard", "1/1"] },
  { name: "v2 matchers", flags: [], fixture: { matchers: true } },
];
