import type { Flags } from "../flags";
import { commandHelpText, helpText } from "../help";
import type { Io } from "../io";
import { commandNamed } from "../registry";
import { cliVersion } from "../version";

/** `tau-gateway help [COMMAND]` (exit 0; loads no library, like `--help`). */
export async function helpCommand(_flags: Flags, io: Io, args: string[]): Promise<number> {
  const [name] = args;
  io.out(name === undefined ? helpText(cliVersion()) : commandHelpText(commandNamed(name)));
  return 0;
}
