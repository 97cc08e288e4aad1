import { envName, OPTIONS, type OptionSpec } from "./options";
import { COMMANDS, GLOBAL_OPTIONS, LEGACY_MODES, type CommandSpec } from "./registry";

const GROUPS: { group: OptionSpec["group"]; title: string }[] = [
  { group: "mode", title: "Modes (pick one, or use a command)" },
  { group: "runner", title: "Runner" },
  { group: "guardrail", title: "Guardrail" },
  { group: "shard", title: "Shards (split one fixture over machines; merge with `tau-gateway merge`)" },
  { group: "live", title: "Live mode" },
  { group: "fixture", title: "Fixture workflow (record, drift, import, --gateway-update)" },
  { group: "watch", title: "Watch mode, metrics and log rotation" },
  { group: "serve", title: "Reference gateway (serve-reference)" },
  { group: "inspect", title: "Channel store" },
  { group: "setup", title: "Setup (init, record, import har)" },
  { group: "output", title: "Output" },
];

function optionLines(spec: OptionSpec): string[] {
  const head = `  ${spec.short ? `-${spec.short}, ` : ""}--${spec.name}${spec.value ? ` ${spec.value}` : ""}`;
  const extras = [
    spec.default !== undefined ? `default: ${spec.default}` : undefined,
    spec.env ? `env: ${envName(spec.name)}` : undefined,
  ].filter(Boolean);
  return [head, `      ${spec.help}${extras.length > 0 ? ` (${extras.join("; ")})` : ""}`];
}

/** The full --help text, generated from the option table so it cannot fall out of date. */
export function helpText(version: string): string {
  const sections = GROUPS.map(({ group, title }) => {
    const specs = OPTIONS.filter((o) => o.group === group);
    return specs.length === 0 ? "" : `${title}:\n${specs.flatMap(optionLines).join("\n")}\n`;
  }).filter(Boolean);
  return `tau-gateway ${version} — fixture-driven contract runner for the Tau gateway

Usage:
  tau-gateway COMMAND [ARGS] [flags]
  tau-gateway --gateway-contract-runner [--gateway-fixture PATH] [--gateway-state-dir DIR] [flags]
  tau-gateway --gateway-state-dir DIR --transport-health-inspect gateway [--transport-health-json]
  tau-gateway --gateway-state-dir DIR --gateway-status-inspect [--gateway-status-json]
  tau-gateway --channel-store-root ROOT --channel-store-inspect gateway/ACTOR
  tau-gateway run --gateway-shard I/N --gateway-state-dir SHARD_DIR [flags]
  tau-gateway merge --gateway-state-dir MERGED_DIR SHARD_DIR... [--gateway-fail-on-hold]

Commands (tau-gateway help COMMAND, or COMMAND --help, for its flags and examples):
${commandList()}

${sections.join("\n")}
Every flag marked "env" can also be set with its variable: TAU_ + the flag name upper-cased,
with - as _ (e.g. TAU_GATEWAY_STATE_DIR). A flag on the command line beats its variable. A mode
variable (e.g. TAU_GATEWAY_STATUS_INSPECT=1) is used only when the command line names no command
or mode. Switches also take a value: --gateway-status-json=false.

OpenTelemetry: run and watch export a span per cycle, a child span per live request and the
metrics over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT /
_METRICS_ENDPOINT) is set; OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT (default here
1000 ms), OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES apply; OTEL_SDK_DISABLED=true turns it
off. A collector that fails costs a one-line warning, never the exit code.

Exit codes:
  0  cycle completed (whatever the gate, unless --gateway-fail-on-hold) or inspect succeeded
  1  I/O error, no state or channel store to inspect yet, or an unexpected internal error
     (add --debug for the stack trace)
  2  usage error or invalid fixture (a v2 case without expected included); drift accept with
     nothing to accept or a fixture changed since the cycle; record/import --out exists;
     merge: shard dirs that are not one complete split (other fixture content, settings or
     shard count, a missing or repeated shard, no completed cycle)
  3  rollout gate is hold and --gateway-fail-on-hold was given
  4  contract drift detected (run prints the diff; merge counts the shards' drifted cases); not
     for drift of pending cases only, nor when --gateway-update all accepted it
  5  state directory locked by another runner
  130 interrupted: results recorded before the interrupt are kept; health, gate and the events
      log still describe the last complete cycle

Examples:
  tau-gateway init && tau-gateway run && tau-gateway status
  tau-gateway --gateway-contract-runner --gateway-fixture fixtures/gateway-contract/rollout-pass.json
  tau-gateway --gateway-state-dir .tau/gateway --gateway-status-inspect --gateway-status-json
  tau-gateway watch --gateway-target-url http://127.0.0.1:8080 --gateway-watch-interval-ms 10000
  tau-gateway run --gateway-report junit=gateway-junit.xml --gateway-report html=gateway-report.html
`;
}

/** `  run [FIXTURE] [flags]      one contract cycle …`, one line per command of the registry. */
function commandList(): string {
  const heads = COMMANDS.map((c) => c.usage.replace(/ \[(flags|--json|--force)\]/g, ""));
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  return COMMANDS.map((c, i) => `  ${(heads[i] as string).padEnd(width)}${c.summary}`).join("\n");
}

/** `tau-gateway COMMAND --help`: usage, the legacy mode forms, the flags that matter, examples. */
export function commandHelpText(command: CommandSpec): string {
  const byName = new Map(OPTIONS.map((o) => [o.name, o]));
  const specs = (names: readonly string[]) => names.map((n) => byName.get(n)).filter((o): o is OptionSpec => o !== undefined);
  const modes = LEGACY_MODES.filter((m) => m.command === command.name).map((m) => {
    const spec = byName.get(m.flag);
    return `  tau-gateway --${m.flag}${spec?.value ? ` ${spec.value}` : ""} [flags]`;
  });
  const flags = specs(command.options);
  return [
    `tau-gateway ${command.name} — ${command.summary}`,
    "",
    "Usage:",
    `  tau-gateway ${command.usage}`,
    ...modes,
    "",
    ...(flags.length > 0 ? ["Flags:", ...flags.flatMap(optionLines), ""] : []),
    "Global flags:",
    ...specs(GLOBAL_OPTIONS).flatMap(optionLines),
    "",
    "Examples:",
    ...command.examples.map((e) => `  ${e}`),
    "",
    "Exit codes and every flag: tau-gateway --help",
    "",
  ].join("\n");
}
