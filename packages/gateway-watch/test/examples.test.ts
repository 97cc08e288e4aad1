import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { servedWatcher } from "./helpers/watch-server";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
const load = (path: string) => parse(readFileSync(`${EXAMPLES}${path}`, "utf8")) as Record<string, any>;

/** Argo's jsonPath subset used here: `{$.a.b}` → value at a.b. */
function evaluateJsonPath(expression: string, value: unknown): unknown {
  const match = /^\{\$((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\}$/.exec(expression);
  expect(match, `unsupported jsonPath ${expression}`).not.toBeNull();
  return (match?.[1] ?? "").slice(1).split(".").reduce<any>((node, key) => (node === undefined ? undefined : node[key]), value);
}

describe("examples/argo-rollouts/analysis-template.yaml", () => {
  const template = load("argo-rollouts/analysis-template.yaml");
  const metric = template.spec.metrics[0];

  it("is an AnalysisTemplate whose web provider reads /status with a jsonPath on the verdict", () => {
    expect(template).toMatchObject({ apiVersion: "argoproj.io/v1alpha1", kind: "AnalysisTemplate" });
    expect(new URL(metric.provider.web.url.replace("{{args.watch-url}}", template.spec.args[0].value)).pathname).toBe("/status");
    expect(metric.successCondition).toBe('result == "pass"');
    expect(metric.failureCondition).toBe('result == "hold"');
  });

  it("finds the verdict where it says, in what the server answers (pass, hold, inconclusive)", async () => {
    for (const [fixture, minCycles, expected] of [
      ["rollout-pass", 1, "pass"],
      ["mixed-outcomes", 1, "hold"],
      ["rollout-pass", 5, "inconclusive"],
    ] as const) {
      const { url } = await servedWatcher({ fixture, minCycles });
      const response = await fetch(`${url}${new URL(metric.provider.web.url.replace("{{args.watch-url}}", "http://x")).pathname}`);
      expect(response.status).toBe(200);
      expect(evaluateJsonPath(metric.provider.web.jsonPath, await response.json())).toBe(expected);
    }
  });
});

describe("examples/flagger/canary.yaml", () => {
  const canary = load("flagger/canary.yaml");
  const webhook = canary.spec.analysis.webhooks[0];

  it("is a Canary with a rollout webhook on /gate", () => {
    expect(canary).toMatchObject({ apiVersion: "flagger.app/v1beta1", kind: "Canary" });
    expect(webhook.type).toBe("rollout");
    expect(new URL(webhook.url).pathname).toBe("/gate");
    expect(new URL(webhook.url).port).toBe("9464");
  });

  it("the webhook's POST gets 2xx only for pass, as Flagger needs", async () => {
    const path = new URL(webhook.url).pathname;
    const payload = JSON.stringify({ name: "tau-gateway", namespace: "test", phase: "Progressing", metadata: {} });
    const passing = await servedWatcher({ fixture: "rollout-pass" });
    expect((await fetch(`${passing.url}${path}`, { method: "POST", body: payload, headers: { "content-type": "application/json" } })).status).toBe(200);
    const holding = await servedWatcher({ fixture: "mixed-outcomes" });
    expect((await fetch(`${holding.url}${path}`, { method: "POST", body: payload })).status).toBe(503);
  });
});
