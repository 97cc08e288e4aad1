import { join } from "node:path";
import { ChannelStore, printableText, TRANSPORT } from "@tau/gateway";
import { NotFoundError, UsageError } from "../errors";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { json, keyValues } from "../render";
import { stateDirFromFlags } from "../runner-settings";

/** `gateway/<actor>` → transport and channel id; the actor may itself contain `/`. */
function parseRef(ref: string): { transport: string; channelId: string } {
  const slash = ref.indexOf("/");
  if (slash <= 0 || slash === ref.length - 1) {
    throw new UsageError(`channel reference must look like gateway/<actor_id> (found ${JSON.stringify(ref)})`);
  }
  const transport = ref.slice(0, slash);
  if (transport !== TRANSPORT) {
    throw new UsageError(`channel reference must start with ${TRANSPORT}/ (found ${JSON.stringify(`${transport}/`)}); the runner only writes ${TRANSPORT} channels`);
  }
  // The runner names an actor by its trimmed id (` ops ` and `ops` are one actor).
  const channelId = ref.slice(slash + 1).trim();
  if (channelId.length === 0) throw new UsageError(`channel reference names no actor (found ${JSON.stringify(ref)})`);
  return { transport, channelId };
}

/** Inspects a channel that must exist, so a typo does not read as "all zero". */
async function inspectExisting(store: ChannelStore, ref: string) {
  const { transport, channelId } = parseRef(ref);
  const inspection = await store.inspect(transport, channelId);
  if (!inspection.exists) {
    throw new NotFoundError(
      `no channel store for ${ref} under ${store.root} (looked in ${inspection.dir}): no cycle has recorded this actor; check the actor id and --channel-store-root`,
    );
  }
  return inspection;
}

function storeFor(flags: Flags): ChannelStore {
  return new ChannelStore(flags.string("channel-store-root") ?? join(stateDirFromFlags(flags), "channel-store"));
}

/** `tau-gateway channel-store inspect|repair gateway/<actor>` (and the two mode flags). */
export async function channelStoreCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const [action, ref] = args;
  if ((action !== "inspect" && action !== "repair") || ref === undefined) {
    throw new UsageError("usage: tau-gateway channel-store inspect|repair gateway/<actor_id>");
  }
  return action === "inspect" ? channelInspect(flags, io, ref) : channelRepair(flags, io, ref);
}

/** `--channel-store-inspect gateway/<actor>`: record and invalid-line counts of one actor. */
async function channelInspect(flags: Flags, io: Io, ref: string): Promise<number> {
  const r = await inspectExisting(storeFor(flags), ref);
  const report = {
    transport: r.transport,
    channel_id: r.channelId,
    directory: r.dir,
    log_records: r.logRecords,
    context_records: r.contextRecords,
    invalid_log_lines: r.invalidLogLines,
    invalid_context_lines: r.invalidContextLines,
    log_files: r.logFiles,
    context_files: r.contextFiles,
    memory_exists: r.memoryExists,
    memory_bytes: r.memoryBytes,
  };
  io.out(flags.boolean("json") ? json(report) : `${keyValues(report)}\n`);
  return EXIT.ok;
}

/** `--channel-store-repair gateway/<actor>`: quarantine invalid lines, keep the valid ones. */
async function channelRepair(flags: Flags, io: Io, ref: string): Promise<number> {
  const store = storeFor(flags);
  const { transport, channelId } = await inspectExisting(store, ref);
  const report = await store.repair(transport, channelId);
  if (flags.boolean("json")) {
    const wire = (r: { path: string; kept: number; moved: number; corruptPath: string | null }) => ({
      path: r.path,
      kept: r.kept,
      moved: r.moved,
      corrupt_path: r.corruptPath,
    });
    io.out(json({ transport, channel_id: channelId, directory: report.dir, log: wire(report.log), context: wire(report.context) }));
  } else {
    const line = (name: string, r: { kept: number; moved: number; corruptPath: string | null }) =>
      `${name}: kept=${r.kept} moved=${r.moved}${r.corruptPath ? ` corrupt_path=${r.corruptPath}` : ""}`;
    io.out(`channel ${printableText(`${transport}/${channelId}`)} (${printableText(report.dir)})\n${line("log.jsonl", report.log)}\n${line("context.jsonl", report.context)}\n`);
  }
  return EXIT.ok;
}
