import { envName, OPTIONS, type OptionSpec } from "./options";

const GROUPS: { group: OptionSpec["group"]; title: string }[] = [
  { group: "mode", title: "Modes (pick one, or use a command)" },
  { group: "runner", title: "Runner" },
  { group: "guardrail", title: "Guardrail" },
  { group: "live", title: "Live mode" },
  { group: "fixture", title: "Fixture workflow (record, drift, import, --gateway-update)" },
  { group: "serve", title: "Reference gateway (serve-reference)" },
  { group: "inspect", title: "Channel store" },
  { group: "output", title: "Output" },
];

function optionLines(spec: OptionSpec): string[] {
  const head = `  --${spec.name}${spec.value ? ` ${spec.value}` : ""}`;
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
  tau-gateway --gateway-contract-runner [--gateway-fixture PATH] [--gateway-state-dir DIR] [flags]
  tau-gateway --gateway-state-dir DIR --transport-health-inspect gateway [--transport-health-json]
  tau-gateway --gateway-state-dir DIR --gateway-status-inspect [--gateway-status-json]
  tau-gateway --channel-store-root ROOT --channel-store-inspect gateway/ACTOR

Commands (shorthands for the modes):
  run                              one contract cycle (--gateway-contract-runner)
  health [TRANSPORT]               transport health (--transport-health-inspect gateway)
  status                           operator status and rollout gate (--gateway-status-inspect)
  channel-store inspect|repair REF channel-store counts or repair of REF = gateway/ACTOR
  validate [FIXTURE]               validate a fixture without running it
  capabilities                     schema versions, matchers, outcomes, error codes and methods
  serve-reference                  serve the simulated gateway over HTTP for live-mode runs
  record --out FILE                replay --gateway-fixture against --gateway-target-url and write
                                   FILE with every expected filled from what was observed
  drift list                       the last cycle's drift, case by case and field by field
  drift accept [CASE|GLOB ...]     write the last observed values of drifted fields into the
                                   fixture (--field POINTER for one field); logged in
                                   <state-dir>/drift-accepted.jsonl
  import har FILE --out FIXTURE    turn the requests of a HAR file into v2 cases to record

${sections.join("\n")}
Every flag marked "env" can also be set with its variable: TAU_ + the flag name upper-cased,
with - as _ (e.g. TAU_GATEWAY_STATE_DIR). A flag on the command line beats its variable.

Exit codes:
  0  cycle completed (whatever the gate, unless --gateway-fail-on-hold) or inspect succeeded
  1  I/O error, no state or channel store to inspect yet, or an unexpected internal error
     (add --debug for the stack trace)
  2  usage error or invalid fixture (a v2 case without expected included); drift accept with
     nothing to accept or a fixture changed since the cycle; record/import --out exists
  3  rollout gate is hold and --gateway-fail-on-hold was given
  4  contract drift detected (the diff is printed); not for drift of pending cases only, nor
     when --gateway-update all accepted it
  5  state directory locked by another runner
  130 interrupted: results recorded before the interrupt are kept; health, gate and the events
      log still describe the last complete cycle

Examples:
  tau-gateway --gateway-contract-runner --gateway-fixture fixtures/gateway-contract/rollout-pass.json
  tau-gateway --gateway-state-dir .tau/gateway --gateway-status-inspect --gateway-status-json
`;
}
