import { describe, expect, it } from "vitest";
import { evaluateCase, type GatewayCase, type Observed } from "../src/index";

/** A parsed case (defaults applied); the expectation does not influence evaluation. */
function gatewayCase(fields: Partial<GatewayCase> = {}): GatewayCase {
  return {
    schema_version: 1,
    case_id: "case-1",
    method: "GET",
    endpoint: "/v1/tasks/7",
    actor_id: "ops-bot",
    body: null,
    simulate_retryable_failure: false,
    expected: { outcome: "success", status_code: 200, response_body: {} },
    ...fields,
  };
}

const RETRYABLE: Observed = {
  outcome: "retryable_failure",
  status_code: 503,
  error_code: "gateway_backend_unavailable",
  response_body: { status: "retryable", reason: "backend_unavailable" },
};
const UNSUPPORTED_METHOD: Observed = {
  outcome: "malformed_input",
  status_code: 405,
  error_code: "gateway_unsupported_method",
  response_body: { status: "rejected", reason: "unsupported_method" },
};
const INVALID_REQUEST: Observed = {
  outcome: "malformed_input",
  status_code: 400,
  error_code: "gateway_invalid_request",
  response_body: { status: "rejected", reason: "invalid_request" },
};

describe("evaluateCase", () => {
  describe("1. simulated retryable failure", () => {
    it("answers 503 gateway_backend_unavailable when simulate_retryable_failure is set", () => {
      expect(evaluateCase(gatewayCase({ simulate_retryable_failure: true }))).toEqual(RETRYABLE);
    });

    it("answers the retryable failure before looking at an unsupported method", () => {
      expect(evaluateCase(gatewayCase({ simulate_retryable_failure: true, method: "TRACE" }))).toEqual(RETRYABLE);
    });

    it("answers the retryable failure before looking at the endpoint or the actor", () => {
      const broken = gatewayCase({ simulate_retryable_failure: true, endpoint: "no-slash", actor_id: " " });
      expect(evaluateCase(broken)).toEqual(RETRYABLE);
    });
  });

  describe("2. unsupported method", () => {
    it.each(["TRACE", "OPTIONS", "HEAD", "CONNECT", "BREW"])("answers 405 gateway_unsupported_method for %s", (method) => {
      expect(evaluateCase(gatewayCase({ method }))).toEqual(UNSUPPORTED_METHOD);
    });

    it("answers the unsupported method before looking at an invalid endpoint or an empty actor", () => {
      expect(evaluateCase(gatewayCase({ method: "TRACE", endpoint: "tasks", actor_id: "" }))).toEqual(UNSUPPORTED_METHOD);
    });
  });

  describe("3. invalid request", () => {
    it.each(["", " ", "\t\n"])("answers 400 gateway_invalid_request for the actor %j", (actorId) => {
      expect(evaluateCase(gatewayCase({ actor_id: actorId }))).toEqual(INVALID_REQUEST);
    });

    it.each(["v1/tasks", "tasks/7", "http://host/v1/tasks"])(
      "answers 400 gateway_invalid_request for the endpoint %j without a leading slash",
      (endpoint) => {
        expect(evaluateCase(gatewayCase({ endpoint }))).toEqual(INVALID_REQUEST);
      },
    );

    it("answers 400 for an endpoint that is empty after trimming", () => {
      expect(evaluateCase(gatewayCase({ endpoint: "   " }))).toEqual(INVALID_REQUEST);
    });
  });

  describe("4. success", () => {
    it.each([
      ["POST", 201],
      ["DELETE", 202],
      ["GET", 200],
      ["PUT", 200],
      ["PATCH", 200],
    ])("answers %s with %i and no error code", (method, status) => {
      expect(evaluateCase(gatewayCase({ method }))).toEqual({
        outcome: "success",
        status_code: status,
        error_code: "",
        response_body: { status: "accepted", method, endpoint: "/v1/tasks/7", actor_id: "ops-bot" },
      });
    });

    it("puts the normalised method, endpoint and actor in the body", () => {
      const observed = evaluateCase(gatewayCase({ method: " post ", endpoint: "  /v1/tasks ", actor_id: "\tops-bot " }));
      expect(observed).toEqual({
        outcome: "success",
        status_code: 201,
        error_code: "",
        response_body: { status: "accepted", method: "POST", endpoint: "/v1/tasks", actor_id: "ops-bot" },
      });
    });

    it.each(["get", "delete", "Patch"])("accepts the lower- or mixed-case method %j", (method) => {
      const observed = evaluateCase(gatewayCase({ method }));
      expect(observed.outcome).toBe("success");
      expect(observed.response_body).toMatchObject({ method: method.toUpperCase() });
    });
  });

  it("answers from the request alone: the body and the expectation do not change the result", () => {
    const plain = evaluateCase(gatewayCase());
    const withBody = evaluateCase(
      gatewayCase({
        body: { task: "summarize" },
        expected: { outcome: "malformed_input", status_code: 418, error_code: "gateway_invalid_request", response_body: { x: 1 } },
      }),
    );
    expect(withBody).toEqual(plain);
  });

  it("gives the same answer every time", () => {
    const input = gatewayCase({ method: "post" });
    expect(evaluateCase(input)).toEqual(evaluateCase(input));
  });
});
