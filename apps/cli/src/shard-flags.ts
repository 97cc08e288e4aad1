import type { ShardSpec } from "@tau/gateway";
import { UsageError } from "./errors";
import type { Flags } from "./flags";

const SHARD_FORM = /^\s*(\d+)\s*\/\s*(\d+)\s*$/;

/** A non-negative integer variable of the CI or Kubernetes environment, or undefined when unset. */
function indexVariable(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text.trim() === "") return undefined;
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${name} must be a non-negative integer for --gateway-shard-count (found ${JSON.stringify(text)})`);
  }
  return Number(text);
}

function checked(shard: ShardSpec, from: string): ShardSpec {
  if (shard.count < 1) throw new UsageError(`${from}: the shard count must be greater than 0 (found ${shard.count})`);
  if (shard.index < 1 || shard.index > shard.count) {
    throw new UsageError(`${from}: the shard index must be from 1 to ${shard.count} (found ${shard.index})`);
  }
  return shard;
}

/** The index from the environment: Kubernetes Indexed Job (0-based) or GitLab parallel (1-based). */
function shardFromEnvironment(count: number, env: NodeJS.ProcessEnv): ShardSpec {
  const k8s = indexVariable(env, "JOB_COMPLETION_INDEX");
  const gitlab = indexVariable(env, "CI_NODE_INDEX");
  const from = "--gateway-shard-count";
  if (k8s !== undefined && gitlab !== undefined) {
    throw new UsageError(`${from}: both JOB_COMPLETION_INDEX and CI_NODE_INDEX are set; unset the one that does not belong to this job`);
  }
  if (k8s !== undefined) return checked({ index: k8s + 1, count }, `${from} ${count} with JOB_COMPLETION_INDEX=${k8s} (0-based)`);
  if (gitlab !== undefined) {
    const total = indexVariable(env, "CI_NODE_TOTAL");
    if (total !== undefined && total !== count) {
      throw new UsageError(`${from} is ${count} but CI_NODE_TOTAL is ${total}: make the job's parallel: and the count agree`);
    }
    return checked({ index: gitlab, count }, `${from} ${count} with CI_NODE_INDEX=${gitlab}`);
  }
  throw new UsageError(
    `${from} needs the shard index from the environment: JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or CI_NODE_INDEX (GitLab parallel:); neither is set. Elsewhere give --gateway-shard I/N`,
  );
}

/** The shard to run from --gateway-shard or --gateway-shard-count (and their variables); undefined for the whole fixture. */
export function shardFromFlags(flags: Flags, env: NodeJS.ProcessEnv): ShardSpec | undefined {
  const spec = flags.isSet("gateway-shard") ? flags.string("gateway-shard") : undefined;
  const hasCount = flags.isSet("gateway-shard-count");
  if (spec !== undefined && hasCount) throw new UsageError("give either --gateway-shard I/N or --gateway-shard-count N, not both");
  if (hasCount) return shardFromEnvironment(flags.integer("gateway-shard-count"), env);
  if (spec === undefined) return undefined;
  const match = SHARD_FORM.exec(spec);
  if (!match) throw new UsageError(`--gateway-shard must look like I/N, e.g. 2/4 (found ${JSON.stringify(spec)})`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count)) throw new UsageError(`--gateway-shard is too large (found ${JSON.stringify(spec)})`);
  return checked({ index, count }, `--gateway-shard ${spec.trim()}`);
}
