import { UsageError } from "./errors";
import { parseFlags, type Flags } from "./flags";
import { helpText } from "./help";
import { processIo, type Io } from "./io";
import { cliVersion } from "./version";

type Command = () => Promise<number>;

// Commands load on demand: `--help` and `--version` never pay for the libraries (cold start).
const runCommand = async (flags: Flags, io: Io) => (await import("./commands/run")).runCommand(flags, io);
const healthCommand = async (flags: Flags, io: Io, transport: string) =>
  (await import("./commands/inspect")).healthCommand(flags, io, transport);
const statusCommand = async (flags: Flags, io: Io) => (await import("./commands/inspect")).statusCommand(flags, io);
const channelInspectCommand = async (flags: Flags, io: Io, ref: string) =>
  (await import("./commands/channel-store")).channelInspectCommand(flags, io, ref);
const channelRepairCommand = async (flags: Flags, io: Io, ref: string) =>
  (await import("./commands/channel-store")).channelRepairCommand(flags, io, ref);
const validateCommand = async (flags: Flags, io: Io, path: string | undefined) =>
  (await import("./commands/fixture")).validateCommand(flags, io, path);
const capabilitiesCommand = async (flags: Flags, io: Io) => (await import("./commands/fixture")).capabilitiesCommand(flags, io);
const serveReferenceCommand = async (flags: Flags, io: Io) =>
  (await import("./commands/serve-reference")).serveReferenceCommand(flags, io);

const recordCommand = async (flags: Flags, io: Io) => (await import("./commands/record")).recordCommand(flags, io);
const driftCommand = async (flags: Flags, io: Io, args: string[]) => (await import("./commands/drift")).driftCommand(flags, io, args);
const importCommand = async (flags: Flags, io: Io, args: string[]) => (await import("./commands/import")).importCommand(flags, io, args);

/** Which command an invocation asks for: a subcommand or exactly one mode flag. */
function pickCommand(flags: Flags, io: Io): Command {
  const modes: [string, Command][] = [];
  if (flags.has("gateway-contract-runner")) modes.push(["--gateway-contract-runner", () => runCommand(flags, io)]);
  if (flags.has("transport-health-inspect")) {
    modes.push(["--transport-health-inspect", () => healthCommand(flags, io, flags.string("transport-health-inspect") as string)]);
  }
  if (flags.has("gateway-status-inspect")) modes.push(["--gateway-status-inspect", () => statusCommand(flags, io)]);
  if (flags.has("channel-store-inspect")) {
    modes.push(["--channel-store-inspect", () => channelInspectCommand(flags, io, flags.string("channel-store-inspect") as string)]);
  }
  if (flags.has("channel-store-repair")) {
    modes.push(["--channel-store-repair", () => channelRepairCommand(flags, io, flags.string("channel-store-repair") as string)]);
  }

  const [name, ...rest] = flags.positionals;
  if (name !== undefined) {
    if (modes.length > 0) throw new UsageError(`give either the command "${name}" or ${modes[0]?.[0]}, not both`);
    const expectArgs = (max: number) => {
      if (rest.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(rest[max])} after "${name}"; see tau-gateway --help`);
    };
    switch (name) {
      case "run":
        expectArgs(0);
        return () => runCommand(flags, io);
      case "health":
        expectArgs(1);
        return () => healthCommand(flags, io, rest[0] ?? "gateway");
      case "status":
        expectArgs(0);
        return () => statusCommand(flags, io);
      case "channel-store": {
        expectArgs(2);
        const [action, ref] = rest;
        if ((action !== "inspect" && action !== "repair") || ref === undefined) {
          throw new UsageError("usage: tau-gateway channel-store inspect|repair gateway/<actor_id>");
        }
        return action === "inspect" ? () => channelInspectCommand(flags, io, ref) : () => channelRepairCommand(flags, io, ref);
      }
      case "validate":
        expectArgs(1);
        return () => validateCommand(flags, io, rest[0]);
      case "capabilities":
        expectArgs(0);
        return () => capabilitiesCommand(flags, io);
      case "serve-reference":
        expectArgs(0);
        return () => serveReferenceCommand(flags, io);
      case "record":
        expectArgs(0);
        return () => recordCommand(flags, io);
      case "drift":
        return () => driftCommand(flags, io, rest);
      case "import":
        return () => importCommand(flags, io, rest);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(name)}; see tau-gateway --help`);
    }
  }
  if (modes.length > 1) throw new UsageError(`choose one mode: ${modes.map(([m]) => m).join(" and ")} cannot be combined`);
  const only = modes[0];
  if (!only) throw new UsageError("nothing to do: give a mode such as --gateway-contract-runner or a command such as `run`; see tau-gateway --help");
  return only[1];
}

/** Runs the CLI; returns the exit code (only the bin sets it on the process). */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    const flags = parseFlags(argv, io.env);
    if (flags.boolean("help")) {
      io.out(helpText(cliVersion()));
      return 0;
    }
    if (flags.boolean("version")) {
      io.out(`${cliVersion()}\n`);
      return 0;
    }
    return await pickCommand(flags, io)();
  } catch (error) {
    const { exitCodeForError, isExpectedError } = await import("./exit-codes");
    const message = error instanceof Error ? error.message : String(error);
    io.err(`${(io.errColors ?? io.colors).red("error:")} ${message}\n`);
    if (debug && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    else if (!isExpectedError(error)) io.err("(run again with --debug for the stack trace)\n");
    return exitCodeForError(error);
  }
}
