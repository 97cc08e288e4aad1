import { UsageError } from "./errors";
import { parseFlags, type Flags } from "./flags";
import { commandHelpText, helpText } from "./help";
import { processIo, type ColorChoice, type Io } from "./io";
import { envName, OPTIONS } from "./options";
import { commandNamed, LEGACY_MODES, type CommandSpec, type LegacyMode } from "./registry";
import { cliVersion } from "./version";

/** A command and its positionals, as picked from the command line (or a mode flag, or a TAU_* mode variable). */
interface Invocation {
  command: CommandSpec;
  args: string[];
}

const KIND = new Map(OPTIONS.map((o) => [o.name, o.kind]));

/** The legacy mode as an invocation, with its flag's value. */
function modeInvocation(flags: Flags, mode: LegacyMode): Invocation {
  const value = KIND.get(mode.flag) === "boolean" ? undefined : (flags.string(mode.flag) as string);
  return { command: commandNamed(mode.command), args: mode.args(value) };
}

/** Mode flags written on the command line; a switch given as `--flag=false` selects nothing. */
function modesOnCommandLine(flags: Flags): LegacyMode[] {
  return LEGACY_MODES.filter((m) => flags.has(m.flag) && (KIND.get(m.flag) !== "boolean" || flags.boolean(m.flag)));
}

/** Mode variables (TAU_GATEWAY_CONTRACT_RUNNER=1, TAU_TRANSPORT_HEALTH_INSPECT=gateway, …): used only when the command line picks nothing. */
function modesFromEnv(flags: Flags): LegacyMode[] {
  return LEGACY_MODES.filter((m) => flags.isSet(m.flag) && (KIND.get(m.flag) !== "boolean" || flags.boolean(m.flag)));
}

/** Which command an invocation asks for: a command word, exactly one mode flag, or one mode variable. */
function pickInvocation(flags: Flags): Invocation {
  const modes = modesOnCommandLine(flags);
  const [name, ...rest] = flags.positionals;
  if (name !== undefined) {
    if (modes[0]) throw new UsageError(`give either the command "${name}" or --${modes[0].flag}, not both`);
    const command = commandNamed(name);
    if (rest.length > command.args.max) {
      throw new UsageError(`unexpected argument ${JSON.stringify(rest[command.args.max])} after "${name}"; usage: tau-gateway ${command.usage}`);
    }
    if (rest.length < command.args.min) throw new UsageError(`usage: tau-gateway ${command.usage} (see tau-gateway ${name} --help)`);
    return { command, args: rest };
  }
  if (modes.length > 1) throw new UsageError(`choose one mode: ${modes.map((m) => `--${m.flag}`).join(" and ")} cannot be combined`);
  if (modes[0]) return modeInvocation(flags, modes[0]);
  const fromEnv = modesFromEnv(flags);
  if (fromEnv.length > 1) throw new UsageError(`choose one mode: ${fromEnv.map((m) => envName(m.flag)).join(" and ")} are both set`);
  if (fromEnv[0]) return modeInvocation(flags, fromEnv[0]);
  throw new UsageError(
    "nothing to do: give a command such as `run` (`init` writes an example fixture to start with) or a mode such as --gateway-contract-runner; see tau-gateway --help",
  );
}

/** `--help` alone, `<command> --help`, or `--<mode> --help`: the help text to print. */
function helpFor(flags: Flags): string {
  const [name] = flags.positionals;
  if (name !== undefined) return commandHelpText(commandNamed(name));
  const [mode] = modesOnCommandLine(flags);
  return mode ? commandHelpText(commandNamed(mode.command)) : helpText(cliVersion());
}

/** Runs the CLI; returns the exit code (only the bin sets it on the process). */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    const flags = parseFlags(argv, io.env);
    io = io.withColor?.(flags.string("color") as ColorChoice) ?? io;
    if (flags.boolean("help")) {
      io.out(helpFor(flags));
      return 0;
    }
    if (flags.boolean("version")) {
      io.out(`${cliVersion()}\n`);
      return 0;
    }
    const { command, args } = pickInvocation(flags);
    const run = await command.load();
    return await run(flags, io, args);
  } catch (error) {
    const { exitCodeForError, isExpectedError } = await import("./exit-codes");
    // Messages quote fixture and target text: escaped, it cannot drive the terminal.
    const { printableText } = await import("@tau/gateway");
    const message = printableText(error instanceof Error ? error.message : String(error), { multiline: true });
    io.err(`${(io.errColors ?? io.colors).red("error:")} ${message}\n`);
    if (debug && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    else if (!isExpectedError(error)) io.err("(run again with --debug for the stack trace)\n");
    return exitCodeForError(error);
  }
}
