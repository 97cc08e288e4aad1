import { didYouMean } from "./did-you-mean";
import { UsageError } from "./errors";
import type { Flags } from "./flags";
import type { Io } from "./io";
import { OPTIONS, type OptionSpec } from "./options";

/** What every command file exports: flags → library call → render; returns the exit code. */
export type CommandFn = (flags: Flags, io: Io, args: string[]) => Promise<number>;

/** How shell completion completes a positional argument. */
export type ArgCompletion = "file" | "dir" | "command" | readonly string[];

/** One command of `tau-gateway`: dispatch, `help`, `<command> --help` and completion all read this. */
export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** What follows `tau-gateway` in the usage line, e.g. `run [FIXTURE] [flags]`. */
  usage: string;
  /** How many positional arguments the command takes. */
  args: { min: number; max: number };
  /** Completion of the positionals, in order. */
  complete?: readonly ArgCompletion[];
  /** The flags that matter to this command (names of the options table). */
  options: readonly string[];
  examples: readonly string[];
  /** Loads `commands/<name>.ts` on demand, so `--help` never loads the libraries. */
  load: () => Promise<CommandFn>;
}

const groups = (...names: OptionSpec["group"][]) => OPTIONS.filter((o) => names.includes(o.group)).map((o) => o.name);

const RUN_OPTIONS = [
  ...groups("runner", "guardrail", "shard", "live"),
  "gateway-metrics-textfile",
  "gateway-events-max-bytes",
  "gateway-events-max-files",
  "gateway-report",
  "gateway-update",
  "gateway-tag",
  "json",
  "quiet",
];

/** What `record` reads: the fixture, the live target and how to ask it, where to write. */
const RECORD_OPTIONS = [
  "gateway-fixture",
  "gateway-max-fixture-bytes",
  ...groups("live"),
  "gateway-retry-max-attempts",
  "gateway-retry-base-delay-ms",
  "out",
  "force",
  "json",
];

/**
 * Every command. To add one: an entry here and a file `commands/<name>.ts` exporting
 * `<name>Command(flags, io, args)` (see apps/cli/README.md, Development).
 */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "init",
    summary: "write an example fixture (and its JSON Schema) where `run` looks for one",
    usage: "init [DIR] [--force]",
    args: { min: 0, max: 1 },
    complete: ["dir"],
    options: ["force"],
    examples: ["tau-gateway init && tau-gateway run", "tau-gateway init my-gateway-checks", "tau-gateway init --force"],
    load: async () => (await import("./commands/init")).initCommand,
  },
  {
    name: "run",
    summary: "one contract cycle over a fixture, recorded in the state dir",
    usage: "run [FIXTURE] [flags]",
    args: { min: 0, max: 1 },
    complete: ["file"],
    options: RUN_OPTIONS,
    examples: [
      "tau-gateway run",
      "tau-gateway run fixtures/gateway-contract/rollout-pass.json --gateway-fail-on-hold",
      "tau-gateway run --gateway-target-url http://127.0.0.1:8080 --gateway-target-header 'Authorization: Bearer …'",
      "tau-gateway run --gateway-report junit=gateway-junit.xml --gateway-report html=gateway-report.html",
    ],
    load: async () => (await import("./commands/run")).runCommand,
  },
  {
    name: "status",
    summary: "operator status and rollout gate of the state dir",
    usage: "status [--json]",
    args: { min: 0, max: 0 },
    options: ["gateway-state-dir", "json", "gateway-status-json"],
    examples: ["tau-gateway status", "tau-gateway status --json", "tau-gateway --gateway-state-dir .tau/gateway --gateway-status-inspect --gateway-status-json"],
    load: async () => (await import("./commands/status")).statusCommand,
  },
  {
    name: "health",
    summary: "transport health of the state dir (TRANSPORT is gateway)",
    usage: "health [TRANSPORT] [--json]",
    args: { min: 0, max: 1 },
    complete: [["gateway"]],
    options: ["gateway-state-dir", "json", "transport-health-json"],
    examples: ["tau-gateway health", "tau-gateway health --json", "tau-gateway --transport-health-inspect gateway --transport-health-json"],
    load: async () => (await import("./commands/health")).healthCommand,
  },
  {
    name: "validate",
    summary: "check a fixture without running it (--json: the problems as JSON)",
    usage: "validate [FIXTURE] [--json]",
    args: { min: 0, max: 1 },
    complete: ["file"],
    options: ["gateway-fixture", "gateway-max-fixture-bytes", "json"],
    examples: [
      "tau-gateway validate",
      "tau-gateway validate fixtures/gateway-contract/rollout-pass.json",
      "tau-gateway validate my.json --json",
      "tau-gateway validate --gateway-fixture 'fixtures/**/*.json'",
    ],
    load: async () => (await import("./commands/validate")).validateCommand,
  },
  {
    name: "capabilities",
    summary: "schema versions, matchers, outcomes, error codes and methods supported",
    usage: "capabilities [--json]",
    args: { min: 0, max: 0 },
    options: ["json"],
    examples: ["tau-gateway capabilities", "tau-gateway capabilities --json"],
    load: async () => (await import("./commands/capabilities")).capabilitiesCommand,
  },
  {
    name: "record",
    summary: "replay a fixture against --gateway-target-url and write --out with every expected as observed",
    usage: "record [FIXTURE] --gateway-target-url URL --out FILE [--force] [flags]",
    args: { min: 0, max: 1 },
    complete: ["file"],
    options: RECORD_OPTIONS,
    examples: [
      "tau-gateway record imported.json --gateway-target-url http://127.0.0.1:8080 --out recorded.json",
      "tau-gateway record --gateway-fixture checks.json --gateway-target-url https://gw.example --gateway-target-header 'Authorization: Bearer …' --out checks.json --force",
    ],
    load: async () => (await import("./commands/record")).recordCommand,
  },
  {
    name: "drift",
    summary: "the last cycle's drift field by field (list), or write it into the fixture (accept)",
    usage: "drift list|accept [CASE_ID|GLOB ...] [--field POINTER] [--json]",
    args: { min: 1, max: Number.MAX_SAFE_INTEGER },
    complete: [["list", "accept"]],
    options: ["gateway-state-dir", "field", "json"],
    examples: [
      "tau-gateway drift list",
      "tau-gateway drift list --json",
      "tau-gateway drift accept orders-create --field /response_body/total",
      "tau-gateway drift accept 'orders-*'",
    ],
    load: async () => (await import("./commands/drift")).driftCommand,
  },
  {
    name: "import",
    summary: "turn the requests of a HAR file into fixture v2 cases to record (import har FILE)",
    usage: "import har FILE --out FIXTURE [--force] [--json]",
    args: { min: 2, max: 2 },
    complete: [["har"], "file"],
    options: ["out", "force", "json", "gateway-max-fixture-bytes"],
    examples: [
      "tau-gateway import har session.har --out imported.json",
      "tau-gateway import har session.har --out imported.json && tau-gateway record imported.json --gateway-target-url http://127.0.0.1:8080 --out recorded.json",
    ],
    load: async () => (await import("./commands/import")).importCommand,
  },
  {
    name: "channel-store",
    summary: "record counts (inspect) or repair of one actor's channel store",
    usage: "channel-store inspect|repair gateway/ACTOR [--json]",
    args: { min: 2, max: 2 },
    complete: [["inspect", "repair"]],
    options: ["gateway-state-dir", "channel-store-root", "json"],
    examples: [
      "tau-gateway channel-store inspect gateway/ops-bot",
      "tau-gateway channel-store repair gateway/ops-bot --json",
      "tau-gateway --channel-store-root .tau/gateway/channel-store --channel-store-inspect gateway/ops-bot",
    ],
    load: async () => (await import("./commands/channel-store")).channelStoreCommand,
  },
  {
    name: "events",
    summary: "count (inspect) or move out (repair) invalid lines of runtime-events.jsonl",
    usage: "events inspect|repair [--json]",
    args: { min: 1, max: 1 },
    complete: [["inspect", "repair"]],
    options: ["gateway-state-dir", "json"],
    examples: ["tau-gateway events inspect", "tau-gateway events repair --gateway-state-dir .tau/gateway"],
    load: async () => (await import("./commands/events")).eventsCommand,
  },
  {
    name: "watch",
    summary: "a cycle every interval; serves the verdict on /gate /status /metrics /healthz",
    usage: "watch [FIXTURE] [--gateway-target-url URL] [flags]",
    args: { min: 0, max: 1 },
    complete: ["file"],
    options: [...groups("runner", "guardrail", "live", "watch").filter((name) => name !== "gateway-metrics-textfile"), "gateway-tag"],
    examples: [
      "tau-gateway watch --gateway-target-url http://127.0.0.1:8080 --gateway-watch-interval-ms 10000",
      "tau-gateway watch fixtures/gateway-contract/rollout-pass.json --gateway-gate-window 10 --gateway-gate-window-max-holds 2",
      "tau-gateway watch --gateway-listen 0.0.0.0:9464 --gateway-listen-token \"$WATCH_TOKEN\"",
    ],
    load: async () => (await import("./commands/watch")).watchCommand,
  },
  {
    name: "merge",
    summary: "merge the newest cycle of every shard dir into one cycle and one gate (exits as run does)",
    usage: "merge SHARD_DIR… --gateway-state-dir MERGED [flags]",
    // Every shard's state dir; a Kubernetes Indexed Job or a GitLab parallel job may have many.
    args: { min: 1, max: Number.POSITIVE_INFINITY },
    complete: ["dir", "dir", "dir", "dir", "dir", "dir", "dir", "dir"],
    options: ["gateway-state-dir", "gateway-lock-stale-ms", "gateway-fail-on-hold", "json"],
    examples: [
      "tau-gateway merge --gateway-state-dir .tau/merged shards/1 shards/2 shards/3",
      "tau-gateway merge --gateway-state-dir .tau/merged shards/* --gateway-fail-on-hold",
      "tau-gateway merge --gateway-state-dir .tau/merged shards/* --json",
    ],
    load: async () => (await import("./commands/merge")).mergeCommand,
  },
  {
    name: "report",
    summary: "write reports (junit, markdown, html, json) of the state dir's last cycle",
    usage: "report --gateway-report KIND=PATH [flags]",
    args: { min: 0, max: 0 },
    options: ["gateway-state-dir", "gateway-report"],
    examples: [
      "tau-gateway report --gateway-report junit=gateway-junit.xml",
      "tau-gateway report --gateway-report markdown=summary.md --gateway-report html=report.html --gateway-state-dir .tau/gateway",
    ],
    load: async () => (await import("./commands/report")).reportCommand,
  },
  {
    name: "serve-reference",
    summary: "serve the simulated gateway over HTTP for live-mode runs",
    usage: "serve-reference [flags]",
    args: { min: 0, max: 0 },
    options: groups("serve"),
    examples: ["tau-gateway serve-reference --port 8080", "tau-gateway serve-reference --port 0 --fail-rate 0.2 --seed 7"],
    load: async () => (await import("./commands/serve-reference")).serveReferenceCommand,
  },
  {
    name: "completion",
    summary: "print a shell completion script (bash, zsh or fish)",
    usage: "completion bash|zsh|fish",
    args: { min: 1, max: 1 },
    complete: [["bash", "zsh", "fish"]],
    options: [],
    examples: [
      "source <(tau-gateway completion bash)            # in ~/.bashrc",
      "tau-gateway completion zsh > \"${fpath[1]}/_tau-gateway\"",
      "tau-gateway completion fish > ~/.config/fish/completions/tau-gateway.fish",
    ],
    load: async () => (await import("./commands/completion")).completionCommand,
  },
  {
    name: "help",
    summary: "help of everything, or of one command",
    usage: "help [COMMAND]",
    args: { min: 0, max: 1 },
    complete: ["command"],
    options: [],
    examples: ["tau-gateway help", "tau-gateway help run"],
    load: async () => (await import("./commands/help")).helpCommand,
  },
];

/** A mode flag of the original runner and the command it stands for (kept working exactly). */
export interface LegacyMode {
  flag: string;
  command: string;
  /** The command's positionals, from the flag's value (undefined for a switch). */
  args: (value: string | undefined) => string[];
}

/** The original runner's mode flags; each selects one command. */
export const LEGACY_MODES: readonly LegacyMode[] = [
  { flag: "gateway-contract-runner", command: "run", args: () => [] },
  { flag: "transport-health-inspect", command: "health", args: (value) => [value ?? ""] },
  { flag: "gateway-status-inspect", command: "status", args: () => [] },
  { flag: "channel-store-inspect", command: "channel-store", args: (value) => ["inspect", value ?? ""] },
  { flag: "channel-store-repair", command: "channel-store", args: (value) => ["repair", value ?? ""] },
];

/** Flags that work with every command. */
export const GLOBAL_OPTIONS: readonly string[] = ["color", "debug", "help", "version"];

/** A command by name. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The command `name` names, or a usage error that suggests the closest one (`stauts` → `status`). */
export function commandNamed(name: string): CommandSpec {
  const command = findCommand(name);
  if (command) return command;
  const guess = didYouMean(name, COMMANDS.map((c) => c.name));
  throw new UsageError(`unknown command ${JSON.stringify(name)}${guess ? ` (did you mean ${guess}?)` : ""}; see tau-gateway --help`);
}
