import { describe, expect, it } from "vitest";
import type { GatewayCase } from "@tau/gateway-contract";
import { requestSpanAttributes, serverAttributes } from "../src/index";

const gatewayCase = { case_id: "c1", method: "post", endpoint: "/v1/tasks?token=abc#frag", actor_id: "a" } as GatewayCase;

describe("request span attributes", () => {
  it("follow the HTTP client conventions and drop the query string", () => {
    const attributes = requestSpanAttributes({
      gatewayCase,
      attempt: 2,
      method: "POST",
      result: { outcome: "retryable_failure", status_code: 503, error_code: "gateway_retryable_failure", response_body: null },
    });
    expect(attributes).toEqual({
      "http.request.method": "POST",
      "url.path": "/v1/tasks",
      "tau_gateway.case.id": "c1",
      "tau_gateway.attempt": 2,
      "tau_gateway.outcome": "retryable_failure",
      "http.request.resend_count": 1,
      "http.response.status_code": 503,
      "error.type": "503",
    });
  });

  it("a transport error has no status code and its error code as error.type", () => {
    const attributes = requestSpanAttributes({ gatewayCase, attempt: 1, method: "POST", result: { outcome: "transport_error", error_code: "ECONNREFUSED", message: "refused" } });
    expect(attributes["error.type"]).toBe("ECONNREFUSED");
    expect(attributes).not.toHaveProperty("http.response.status_code");
    expect(attributes).not.toHaveProperty("http.request.resend_count");
  });

  it("server attributes keep host and port, never userinfo, path or query", () => {
    expect(serverAttributes("https://user:pw@gw.example:8443/base?k=v")).toEqual({ "server.address": "gw.example", "server.port": 8443 });
    expect(serverAttributes("http://gw.example")).toEqual({ "server.address": "gw.example", "server.port": 80 });
    expect(serverAttributes("not a url")).toEqual({});
    expect(serverAttributes(undefined)).toEqual({});
  });
});
