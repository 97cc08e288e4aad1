import { describe, expect, it } from "vitest";
import { LIVE_HEADERS } from "@tau/gateway-contract";
import { createReferenceGateway } from "../src";

describe("createReferenceGateway", () => {
  it("answers as the simulated gateway, with the error code in a header", async () => {
    const gateway = createReferenceGateway();
    const url = await gateway.listen({ port: 0 });
    try {
      const ok = await fetch(`${url}/v1/orders`, { method: "POST", headers: { [LIVE_HEADERS.actorId]: "ops" } });
      expect(ok.status).toBe(201);
      expect(await ok.json()).toEqual({ status: "accepted", method: "POST", endpoint: "/v1/orders", actor_id: "ops" });

      const bad = await fetch(`${url}/v1/orders`, { headers: { [LIVE_HEADERS.actorId]: " " } });
      expect(bad.status).toBe(400);
      expect(bad.headers.get(LIVE_HEADERS.errorCode)).toBe("gateway_invalid_request");

      const retry = await fetch(`${url}/v1/orders`, { headers: { [LIVE_HEADERS.actorId]: "ops", [LIVE_HEADERS.simulate]: "retryable_failure" } });
      expect(retry.status).toBe(503);
      expect(await retry.json()).toEqual({ status: "retryable", reason: "backend_unavailable" });
    } finally {
      await gateway.close();
    }
  });

  it("injects the same seeded failures for the same seed", async () => {
    const statuses = async () => {
      const gateway = createReferenceGateway({ failRate: 0.5, seed: 7 });
      const url = await gateway.listen({ port: 0 });
      try {
        const out: number[] = [];
        for (let i = 0; i < 20; i++) out.push((await fetch(`${url}/x`, { headers: { [LIVE_HEADERS.actorId]: "a" } })).status);
        return out;
      } finally {
        await gateway.close();
      }
    };
    const first = await statuses();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await statuses()).toEqual(first);
  });

  it("switches its chaos on and off while serving (setFailRate)", async () => {
    const gateway = createReferenceGateway();
    const url = await gateway.listen({ port: 0 });
    const status = async () => (await fetch(`${url}/x`, { headers: { [LIVE_HEADERS.actorId]: "a" } })).status;
    try {
      expect(await status()).toBe(200);
      gateway.setFailRate(1);
      expect([await status(), await status()]).toEqual([503, 503]);
      gateway.setFailRate(0);
      expect(await status()).toBe(200);
      expect(() => gateway.setFailRate(1.5)).toThrow(RangeError);
      expect(() => gateway.setFailRate(Number.NaN)).toThrow(RangeError);
    } finally {
      await gateway.close();
    }
  });
});
