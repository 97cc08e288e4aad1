/** One command-line flag: its help, its environment variable, how its value is read. */
export interface OptionSpec {
  name: string;
  kind: "string" | "integer" | "boolean" | "list";
  group: "mode" | "runner" | "guardrail" | "shard" | "live" | "fixture" | "watch" | "serve" | "inspect" | "setup" | "output";
  /** One-letter alias, e.g. `h` for `-h`. */
  short?: string;
  /** The only values a string flag accepts (also offered by shell completion). */
  choices?: readonly string[];
  help: string;
  value?: string;
  default?: string | number;
  /** Lower bound of an integer flag: 1 for limits and thresholds, 0 for delays. */
  min?: number;
  /** Upper bound of an integer flag, e.g. MAX_TIMER_MS for every `-ms` flag (checked by a test). */
  max?: number;
  /** Read from `TAU_<NAME>` when the flag is absent. */
  env?: boolean;
  /** A secret: never echoed back in messages. */
  secret?: boolean;
}

/** The longest wait a Node timer can hold (2^31 − 1 ms); longer ones fire at once with a warning. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Every flag of tau-gateway; help text, parsing and env variables all come from this table. */
export const OPTIONS: readonly OptionSpec[] = [
  { name: "gateway-contract-runner", env: true, kind: "boolean", group: "mode", help: "Run one contract cycle over the fixture and persist it (same as `tau-gateway run`)." },
  { name: "transport-health-inspect", env: true, kind: "string", group: "mode", value: "TRANSPORT", help: "Print the transport health of the state dir; TRANSPORT is `gateway` (same as `tau-gateway health`)." },
  { name: "gateway-status-inspect", env: true, kind: "boolean", group: "mode", help: "Print the operator status and rollout gate of the state dir (same as `tau-gateway status`)." },
  { name: "channel-store-inspect", env: true, kind: "string", group: "mode", value: "gateway/ACTOR", help: "Count the records and invalid lines of one actor's channel store." },
  { name: "channel-store-repair", env: true, kind: "string", group: "mode", value: "gateway/ACTOR", help: "Move invalid lines of one actor's logs to <log>.corrupt-<unix_ms>, keeping the valid ones." },

  { name: "gateway-fixture", kind: "list", group: "runner", value: "PATH|GLOB", default: "fixtures/gateway-contract/mixed-outcomes.json", env: true, help: "Fixture file with the request cases and their expected outcomes; repeatable, and a quoted glob ('fixtures/**/*.json') names a set. Its variable holds one per line." },
  { name: "gateway-state-dir", kind: "string", group: "runner", value: "DIR", default: ".tau/gateway", env: true, help: "State directory: state.json, runtime-events.jsonl, channel-store/." },
  { name: "gateway-queue-limit", kind: "integer", group: "runner", value: "N", default: 64, min: 1, env: true, help: "Cases queued per cycle; the rest is backlog (queue_depth)." },
  { name: "gateway-processed-case-cap", kind: "integer", group: "runner", value: "N", default: 10000, min: 1, env: true, help: "Processed case keys remembered for dedup; the oldest are dropped past it." },
  { name: "gateway-retry-max-attempts", kind: "integer", group: "runner", value: "N", default: 4, min: 1, env: true, help: "Attempts per case before a transient failure counts as failed." },
  { name: "gateway-retry-base-delay-ms", kind: "integer", group: "runner", value: "MS", default: 0, min: 0, max: MAX_TIMER_MS, env: true, help: "Backoff base: the wait after attempt k is base x 2^(k-1) ms." },
  { name: "gateway-max-fixture-bytes", kind: "integer", group: "runner", value: "BYTES", default: 268435456, min: 1, env: true, help: "Refuse fixture (and, for import har, HAR) files larger than this; no more than this is ever read, also from a pipe or device." },
  { name: "gateway-lock-stale-ms", kind: "integer", group: "runner", value: "MS", default: 30000, min: 1, max: MAX_TIMER_MS, env: true, help: "A state-dir lock from another host or PID namespace (its pid cannot be checked from here) is taken over once its heartbeat is older than MS; a dead runner's lock on this host is taken over at once." },
  { name: "gateway-fail-on-hold", kind: "boolean", group: "runner", env: true, help: "Exit with code 3 when the rollout gate is `hold`." },

  { name: "gateway-guardrail-failure-streak-threshold", kind: "integer", group: "guardrail", value: "N", default: 2, min: 1, env: true, help: "Hold the gate when failure_streak reaches N in a failing cycle." },
  { name: "gateway-guardrail-retryable-failures-threshold", kind: "integer", group: "guardrail", value: "N", default: 2, min: 1, env: true, help: "Hold the gate when a cycle sees N or more retryable failures." },

  { name: "gateway-shard", kind: "string", group: "shard", value: "I/N", env: true, help: "Run only shard I of N (1-based): the cases whose case key hashes there (FNV-1a 32 of its UTF-8 bytes, mixed by MurmurHash3's finalizer, mod N, plus 1: even shards). Merge the N state dirs with `tau-gateway merge`." },
  { name: "gateway-shard-count", kind: "integer", group: "shard", value: "N", min: 1, env: true, help: "Run one shard of N, its index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job, 0-based) or CI_NODE_INDEX/CI_NODE_TOTAL (GitLab parallel, 1-based)." },

  { name: "gateway-target-url", kind: "string", group: "live", value: "URL", env: true, help: "Replay the fixture against a live gateway at URL instead of the built-in simulated one." },
  { name: "gateway-target-header", kind: "list", group: "live", value: "'NAME: VALUE'", env: true, secret: true, help: "Extra request header, repeatable; values are secrets and show as *** everywhere. Its variable holds one header per line." },
  { name: "gateway-request-timeout-ms", kind: "integer", group: "live", value: "MS", default: 10000, min: 1, max: MAX_TIMER_MS, env: true, help: "Give up on a request after MS (a transport error, retried)." },
  { name: "gateway-max-response-bytes", kind: "integer", group: "live", value: "BYTES", default: 8388608, min: 1, env: true, help: "Read at most this much of a response body; a longer body is cut off and the case fails or drifts saying so." },
  { name: "gateway-concurrency", kind: "integer", group: "live", value: "N", default: 8, min: 1, env: true, help: "Cases in flight at once; results are still recorded in queue order." },
  { name: "gateway-retry-max-delay-ms", kind: "integer", group: "live", value: "MS", default: 30000, min: 0, max: MAX_TIMER_MS, env: true, help: "Cap of one backoff wait, Retry-After included. In live mode the base delay defaults to 200 ms with full jitter." },
  { name: "gateway-update", kind: "string", group: "fixture", value: "none|new|all", default: "none", env: true, help: "run: write observations into the fixture. new: record cases without expected first; all: also accept every drift of the cycle (logged in drift-accepted.jsonl). Forced to none when CI is set, unless given on the command line." },
  { name: "gateway-tag", kind: "list", group: "fixture", value: "TAG", env: true, help: "Run only cases with this tag (fixture v2 `tags`); repeatable, a case with any of them runs. Its variable holds one per line." },
  { name: "out", kind: "string", group: "fixture", value: "PATH", help: "record, import har: the fixture file to write." },
  { name: "field", kind: "string", group: "fixture", value: "POINTER", help: "drift accept: accept only this field, a JSON Pointer relative to expected (/status_code, /response_body/meta); fields under it included." },
  { name: "gateway-watch-interval-ms", kind: "integer", group: "watch", value: "MS", default: 30000, min: 0, max: MAX_TIMER_MS, env: true, help: "watch: start a cycle every MS (from the start of the previous one)." },
  { name: "gateway-watch-count", kind: "integer", group: "watch", value: "N", min: 1, env: true, help: "watch: stop after N cycles (default: run until SIGTERM/SIGINT)." },
  { name: "gateway-gate-min-cycles", kind: "integer", group: "watch", value: "N", default: 3, min: 1, env: true, help: "watch: the verdict is `inconclusive` until N cycles have completed." },
  { name: "gateway-gate-stale-ms", kind: "integer", group: "watch", value: "MS", min: 1, max: MAX_TIMER_MS, env: true, help: "watch: hold with `gate_stale` when the newest completed cycle is older than MS (default: 3 x interval, at least 1 s)." },
  { name: "gateway-gate-window", kind: "integer", group: "watch", value: "W", default: 1, min: 1, max: 10000, env: true, help: "watch: the window rule looks at the last W completed cycles (1 with max-holds 0: the newest cycle's gate)." },
  { name: "gateway-gate-window-max-holds", kind: "integer", group: "watch", value: "K", default: 0, min: 0, env: true, help: "watch: hold with `window_hold_limit_exceeded` when more than K of the last W cycles held; up to K are tolerated (drift never is)." },
  { name: "gateway-listen", kind: "string", group: "watch", value: "HOST:PORT", default: "127.0.0.1:9464", env: true, help: "watch: serve /gate, /status, /metrics, /healthz here ([IPV6]:PORT for IPv6; port 0 picks a free one)." },
  { name: "gateway-listen-token", kind: "string", group: "watch", value: "TOKEN", env: true, secret: true, help: "watch: require `Authorization: Bearer TOKEN` on every route but /healthz; needed for a non-loopback --gateway-listen." },
  { name: "gateway-listen-insecure", kind: "boolean", group: "watch", env: true, help: "watch: allow a non-loopback --gateway-listen without a token (e.g. inside a cluster network)." },
  { name: "gateway-metrics-textfile", kind: "string", group: "watch", value: "PATH", env: true, help: "run: write the cycle's Prometheus metrics to PATH atomically (node_exporter textfile collector; name it *.prom)." },
  { name: "gateway-events-max-bytes", kind: "integer", group: "watch", value: "BYTES", default: 0, min: 0, env: true, help: "Rotate runtime-events.jsonl and the channel-store logs to <file>.1, .2, ... once one holds BYTES (0: never)." },
  { name: "gateway-events-max-files", kind: "integer", group: "watch", value: "N", default: 5, min: 1, env: true, help: "Rotated files kept per log; older ones are deleted." },
  { name: "port", kind: "integer", group: "serve", value: "PORT", default: 8080, min: 0, max: 65535, help: "serve-reference: port to listen on (0 picks a free one)." },
  { name: "host", kind: "string", group: "serve", value: "HOST", default: "127.0.0.1", help: "serve-reference: address to bind (loopback by default)." },
  { name: "latency-ms", kind: "integer", group: "serve", value: "MS", default: 0, min: 0, max: MAX_TIMER_MS, help: "serve-reference: added latency per request." },
  { name: "fail-rate", kind: "string", group: "serve", value: "RATE", default: "0", help: "serve-reference: fraction 0..1 of requests answered 503 (seeded)." },
  { name: "seed", kind: "integer", group: "serve", value: "N", default: 1, min: 0, help: "serve-reference: seed of the chaos." },

  { name: "gateway-report", kind: "list", group: "output", value: "KIND=PATH", env: true, help: "Write a report of the cycle (run) or of the state dir's last cycle (report): KIND is junit, markdown, html or json; repeatable. Its variable holds one KIND=PATH per line." },
  { name: "transport-health-json", env: true, kind: "boolean", group: "output", help: "Print the transport-health report as JSON." },
  { name: "gateway-status-json", env: true, kind: "boolean", group: "output", help: "Print the status report as JSON." },
  { name: "channel-store-root", kind: "string", group: "inspect", value: "DIR", env: true, help: "Channel-store root for --channel-store-inspect/--channel-store-repair (default: <state-dir>/channel-store)." },
  { name: "force", kind: "boolean", group: "setup", help: "init: overwrite files that already exist; record, import har: overwrite --out if it exists." },

  { name: "json", kind: "boolean", group: "output", help: "Print any report (run, health, status, channel store, events, capabilities, validate) as JSON." },
  { name: "quiet", kind: "boolean", group: "output", short: "q", help: "No progress lines on stderr during a cycle." },
  { name: "color", kind: "string", group: "output", value: "WHEN", default: "auto", choices: ["auto", "always", "never"], help: "Colour output: auto (on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it), always or never." },
  { name: "debug", kind: "boolean", group: "output", help: "Show stack traces of unexpected errors." },
  { name: "help", kind: "boolean", group: "output", short: "h", help: "Show help: of everything, or of one command (`tau-gateway run --help`)." },
  { name: "version", kind: "boolean", group: "output", short: "v", help: "Print the version." },
];

/** `--gateway-queue-limit` → `TAU_GATEWAY_QUEUE_LIMIT`. */
export function envName(flag: string): string {
  return `TAU_${flag.toUpperCase().replace(/-/g, "_")}`;
}
