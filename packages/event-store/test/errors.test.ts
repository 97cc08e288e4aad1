import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { EventStoreError } from "../src/errors.js";
import { distEntry } from "./helpers.js";

describe("EventStoreError", () => {
  it("carries code, path, holderPid and cause", () => {
    const cause = new Error("EACCES");
    const error = new EventStoreError("E_LOCKED", "locked", { path: "/x/.lock", holderPid: 42, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "EventStoreError", code: "E_LOCKED", path: "/x/.lock", holderPid: 42 });
    expect(error.cause).toBe(cause);
  });

  it("isInstance recognises errors from another copy of the package", async () => {
    // The built CommonJS bundle is a separate copy of the class, as with duplicated node_modules.
    const other = createRequire(import.meta.url)(distEntry) as typeof import("../src/index.js");
    expect(other.EventStoreError).not.toBe(EventStoreError);
    const foreign = new other.EventStoreError("E_IO", "boom");
    expect(foreign).not.toBeInstanceOf(EventStoreError);
    expect(EventStoreError.isInstance(foreign)).toBe(true);
    expect(other.EventStoreError.isInstance(new EventStoreError("E_IO", "boom"))).toBe(true);
  });

  it("isInstance rejects look-alikes", () => {
    expect(EventStoreError.isInstance(new Error("x"))).toBe(false);
    expect(EventStoreError.isInstance({ code: "E_IO", name: "EventStoreError" })).toBe(false);
    expect(EventStoreError.isInstance(null)).toBe(false);
    expect(EventStoreError.isInstance("E_IO")).toBe(false);
  });
});
