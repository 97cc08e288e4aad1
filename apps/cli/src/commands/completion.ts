import { completionScript, SHELLS, type Shell } from "../completion-script";
import { UsageError } from "../errors";
import type { Flags } from "../flags";
import type { Io } from "../io";

/** `tau-gateway completion bash|zsh|fish`: prints the script; loads no library. */
export async function completionCommand(_flags: Flags, io: Io, args: string[]): Promise<number> {
  const [shell] = args;
  if (!SHELLS.includes(shell as Shell)) {
    throw new UsageError(`completion: unsupported shell ${JSON.stringify(shell)} (supported: ${SHELLS.join(", ")})`);
  }
  io.out(completionScript(shell as Shell));
  return 0;
}
