import { once } from "node:events";
import { createReferenceGateway } from "@tau/gateway-reference";
import { UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { checkIntegerFlags, unusedFlagWarnings } from "../flag-checks";

/** `tau-gateway serve-reference`: the simulated gateway over HTTP until SIGINT/SIGTERM. */
export async function serveReferenceCommand(flags: Flags, io: Io, _args: string[]): Promise<number> {
  checkIntegerFlags(flags);
  for (const warning of unusedFlagWarnings(flags, "serve-reference")) io.err(`warning: ${warning}\n`);
  const failRate = Number(flags.string("fail-rate"));
  if (!Number.isFinite(failRate) || failRate < 0 || failRate > 1) {
    throw new UsageError(`--fail-rate must be a number from 0 to 1 (found ${JSON.stringify(flags.string("fail-rate"))})`);
  }
  const gateway = createReferenceGateway({
    latencyMs: flags.integer("latency-ms"),
    failRate,
    seed: flags.integer("seed"),
  });
  const url = await gateway.listen({ port: flags.integer("port"), host: flags.string("host") as string });
  // Listen for the stop signals before announcing the URL: a supervisor may send SIGTERM as
  // soon as it reads the line, and without a listener that signal kills instead of stopping.
  const stop = Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]);
  io.out(`reference gateway listening on ${url}\n`);
  await stop;
  await gateway.close();
  return EXIT.ok;
}
