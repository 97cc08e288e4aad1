import { describe, expect, it } from "vitest";
import { bearerTokenMatches, checkListenSecurity, isLoopback, parseListenAddress, WatchError } from "../src";

describe("parseListenAddress", () => {
  it("reads HOST:PORT and [IPv6]:PORT", () => {
    expect(parseListenAddress("127.0.0.1:9464")).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(parseListenAddress("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(parseListenAddress("localhost:80")).toEqual({ host: "localhost", port: 80 });
  });

  it("rejects anything else with a message naming the flag", () => {
    for (const bad of ["9464", "host:", ":9464", "host:70000", "::1:9464", "[nope]:1", "a:b"]) {
      expect(() => parseListenAddress(bad), bad).toThrow(/--gateway-listen must be HOST:PORT|not an IPv6/);
    }
  });
});

describe("checkListenSecurity", () => {
  it("serves loopback freely", () => {
    for (const host of ["127.0.0.1", "127.9.9.9", "::1", "localhost", "::ffff:127.0.0.1"]) expect(isLoopback(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "example.org"]) expect(isLoopback(host), host).toBe(false);
  });

  it("refuses a reachable address without a token or --gateway-listen-insecure", () => {
    expect(() => checkListenSecurity({ host: "0.0.0.0" })).toThrow(/--gateway-listen-token/);
    try {
      checkListenSecurity({ host: "0.0.0.0", token: "" });
    } catch (error) {
      expect(WatchError.isInstance(error) && error.code).toBe("E_INSECURE_LISTEN");
    }
    expect(() => checkListenSecurity({ host: "0.0.0.0", token: "s3cret" })).not.toThrow();
    expect(() => checkListenSecurity({ host: "0.0.0.0", insecure: true })).not.toThrow();
  });
});

describe("bearerTokenMatches", () => {
  it("accepts exactly Bearer <token>", () => {
    expect(bearerTokenMatches("Bearer s3cret", "s3cret")).toBe(true);
    expect(bearerTokenMatches("bearer  s3cret", "s3cret")).toBe(true);
    expect(bearerTokenMatches("Bearer s3cre", "s3cret")).toBe(false);
    expect(bearerTokenMatches("Bearer s3crett", "s3cret")).toBe(false);
    expect(bearerTokenMatches("Basic s3cret", "s3cret")).toBe(false);
    expect(bearerTokenMatches("s3cret", "s3cret")).toBe(false);
    expect(bearerTokenMatches(undefined, "s3cret")).toBe(false);
  });
});
