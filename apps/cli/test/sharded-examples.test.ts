import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { OPTIONS } from "../src/options";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
const FLAGS = new Set(OPTIONS.map((o) => o.name));

type Doc = Record<string, any>;

async function yamlDocs(relative: string): Promise<Doc[]> {
  const docs = parseAllDocuments(await readFile(`${EXAMPLES}${relative}`, "utf8"));
  for (const doc of docs) expect(doc.errors, relative).toEqual([]);
  return docs.map((d) => d.toJS() as Doc);
}

/** Every `tau-gateway …` invocation in a text: its command and the flags it passes. */
function invocations(text: string): { command: string; flags: string[]; line: string }[] {
  const found = [];
  for (const match of text.matchAll(/tau-gateway\s+([^\n;&|]*)/g)) {
    const line = (match[1] ?? "").trim();
    found.push({ command: line.split(/\s+/)[0] ?? "", flags: [...line.matchAll(/(?:^|\s)--([a-z0-9-]+)/g)].map((m) => m[1] as string), line });
  }
  return found;
}

/** Every string value in a parsed document, flattened (scripts, commands, args). */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

function checkFlags(docs: Doc[]) {
  const all = strings(docs).flatMap(invocations);
  expect(all.length).toBeGreaterThan(0);
  for (const { command, flags, line } of all) {
    expect(["run", "merge", "status"], line).toContain(command);
    for (const flag of flags) expect(FLAGS.has(flag), `--${flag} in "${line}" is not a tau-gateway flag`).toBe(true);
  }
  return all;
}

describe("examples/github-actions/sharded-contract.yml", () => {
  it("runs a matrix of shards that upload their state, and a merge job that gates", async () => {
    const [workflow] = await yamlDocs("github-actions/sharded-contract.yml");
    const { shard, merge } = workflow!.jobs;
    const matrix: number[] = shard.strategy.matrix.shard;
    expect(matrix).toEqual(Array.from({ length: matrix.length }, (_, i) => i + 1));
    expect(shard.strategy["fail-fast"]).toBe(false);
    const runs = checkFlags([shard]);
    expect(runs.some((r) => r.command === "run" && r.line.includes(`--gateway-shard \${{ matrix.shard }}/${matrix.length}`))).toBe(true);
    expect(runs.some((r) => r.flags.includes("gateway-fail-on-hold"))).toBe(false);
    const upload = shard.steps.find((s: Doc) => String(s.uses).startsWith("actions/upload-artifact"));
    expect(upload.if).toBe("always()");
    expect(upload.with.path).toMatch(/state\.json/);

    expect(merge.needs).toBe("shard");
    expect(merge.steps.some((s: Doc) => String(s.uses).startsWith("actions/download-artifact"))).toBe(true);
    // The merged dir's streak history must survive a red gate too.
    expect(merge.steps.find((s: Doc) => String(s.uses).startsWith("actions/cache/save")).if).toBe("always()");
    const merges = checkFlags([merge]).filter((r) => r.command === "merge");
    expect(merges).toHaveLength(1);
    expect(merges[0]!.flags).toEqual(expect.arrayContaining(["gateway-state-dir", "gateway-fail-on-hold"]));
  });
});

describe("examples/gitlab/sharded-contract.gitlab-ci.yml", () => {
  it("runs parallel: N shards with --gateway-shard-count N and a gate job that merges them", async () => {
    const [pipeline] = await yamlDocs("gitlab/sharded-contract.gitlab-ci.yml");
    const shard = pipeline!["contract-shard"];
    const gate = pipeline!["contract-gate"];
    const n: number = shard.parallel;
    expect(n).toBeGreaterThan(1);
    const runs = checkFlags([shard]);
    expect(runs.some((r) => r.command === "run" && r.line.includes(`--gateway-shard-count ${n}`) && r.line.includes("$CI_NODE_INDEX"))).toBe(true);
    expect(shard.artifacts.when).toBe("always");
    expect(gate.needs[0].job).toBe("contract-shard");
    expect(gate.cache.when).toBe("always");
    expect(gate.stage).not.toBe(shard.stage);
    const merges = checkFlags([gate]).filter((r) => r.command === "merge");
    expect(merges[0]!.flags).toEqual(expect.arrayContaining(["gateway-state-dir", "gateway-fail-on-hold"]));
  });
});

describe("examples/kubernetes", () => {
  it("runs an Indexed Job of N shards on a shared volume and a merge Job that gates", async () => {
    const docs = await yamlDocs("kubernetes/indexed-job.yaml");
    const job = docs.find((d) => d.kind === "Job")!;
    const claim = docs.find((d) => d.kind === "PersistentVolumeClaim")!;
    expect(job.spec.completionMode).toBe("Indexed");
    expect(job.spec.parallelism).toBe(job.spec.completions);
    const runs = checkFlags([job]);
    expect(runs.some((r) => r.command === "run" && r.line.includes(`--gateway-shard-count ${job.spec.completions}`) && r.line.includes("$JOB_COMPLETION_INDEX"))).toBe(true);
    expect(job.spec.template.spec.volumes.some((v: Doc) => v.persistentVolumeClaim?.claimName === claim.metadata.name)).toBe(true);

    const [merge] = await yamlDocs("kubernetes/merge-job.yaml");
    expect(merge!.kind).toBe("Job");
    expect(merge!.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(claim.metadata.name);
    const merges = checkFlags([merge!]).filter((r) => r.command === "merge");
    expect(merges[0]!.flags).toEqual(expect.arrayContaining(["gateway-state-dir", "gateway-fail-on-hold"]));
  });

  it("would catch a flag the CLI does not have", () => {
    expect(() => checkFlags([{ script: ["npx tau-gateway merge --gateway-shards 4 a b"] }])).toThrow(/--gateway-shards/);
  });
});
