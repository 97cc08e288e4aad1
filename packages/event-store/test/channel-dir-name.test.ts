import { basename, dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { channelDirName } from "../src/channel-dir-name.js";
import { EventStoreError } from "../src/errors.js";

const ROOT = join("/", "state", "channel-store", "gateway");

/** Throws unless `name` is one harmless path segment on every common file system. */
function assertSafe(name: string): void {
  expect(name).toMatch(/^[a-z0-9_.~-]+$/);
  expect(name).not.toMatch(/^\.|\.$/);
  expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
  const joined = join(ROOT, name);
  expect(dirname(joined)).toBe(ROOT);
  expect(basename(joined)).toBe(name);
}

/** Lowercased, as a case-insensitive file system would compare them. */
function folded(ids: readonly string[]): string[] {
  return ids.map((id) => channelDirName(id).toLowerCase());
}

// Characters that naive encoders merge: separators, case, normalisation forms, the escape char.
const confusableChar = fc.constantFrom("a", "A", ".", "/", "\\", "~", "_", "-", " ", "\0", "\u00e9", "e\u0301", "\ud800", "\ufffd");
// Arbitrary JS strings, including lone surrogates that have no UTF-8 form.
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const anyId = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1 }),
  fc.string({ unit: "binary", minLength: 1 }),
  fc.string({ unit: anyCodeUnit, minLength: 1 }),
  fc.string({ unit: confusableChar, minLength: 1 }),
  fc.string({ unit: "grapheme-ascii", minLength: 140, maxLength: 400 }),
);

describe("channelDirName", () => {
  it("keeps plain readable ids unchanged", () => {
    for (const id of ["ops-team", "actor_1", "alice", "a.b", "v1.2.3", "0", "-"]) {
      expect(channelDirName(id)).toBe(id);
    }
  });

  it("escapes everything that could leave the root or hide the directory", () => {
    expect(channelDirName("..")).toBe("~2e~2e");
    expect(channelDirName(".")).toBe("~2e");
    expect(channelDirName(".hidden")).toBe("~2ehidden");
    expect(channelDirName("a/b")).toBe("a~2fb");
    expect(channelDirName("a\\b")).toBe("a~5cb");
    expect(channelDirName("a\0b")).toBe("a~00b");
    expect(channelDirName("../../etc")).toBe("~2e.~2f..~2fetc");
    expect(channelDirName("trailing.")).toBe("trailing~2e");
    expect(channelDirName("con")).toBe("~63on");
    expect(channelDirName("NUL.txt")).toBe("~4e~55~4c.txt");
  });

  it("maps the classic confusables to distinct names, even after case-folding", () => {
    const ids = [
      "..",
      ".",
      "a/b",
      "a_b",
      "a\\b",
      "a\0b",
      "x".repeat(1000),
      "x".repeat(1001),
      "\u00e9",
      "e\u0301",
      "Ops",
      "ops",
      "OPS",
      "~",
      "~7e",
      "a b",
      "a\tb",
      "\ud800",
      "\udc00",
      "\ufffd",
    ];
    const names = folded(ids);
    expect(new Set(names).size).toBe(ids.length);
    for (const id of ids) assertSafe(channelDirName(id));
  });

  it("escapes uppercase and non-ASCII characters as UTF-8 bytes", () => {
    expect(channelDirName("Ops")).toBe("~4fps");
    expect(channelDirName("\u00e9")).toBe("~c3~a9");
    expect(channelDirName("e\u0301")).toBe("e~cc~81");
    expect(channelDirName("~")).toBe("~7e");
    expect(channelDirName("\ud800")).toBe("~sd800");
  });

  it("cuts long ids to a readable prefix plus the sha256 of the whole name", () => {
    const long = channelDirName(`team-${"x".repeat(995)}`);
    expect(long).toMatch(/^team-x+~h[0-9a-f]{64}$/);
    expect(long.length).toBeLessThanOrEqual(150);
    expect(channelDirName("é".repeat(200))).toMatch(/^(~c3~a9)+~h[0-9a-f]{64}$/);
  });

  it("rejects an empty id with E_INVALID_CHANNEL_ID", () => {
    const error = (() => {
      try {
        channelDirName("");
      } catch (e) {
        return e;
      }
    })();
    expect(EventStoreError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "E_INVALID_CHANNEL_ID" });
  });

  it("always yields one safe path segment (property)", () => {
    fc.assert(
      fc.property(anyId, (id) => {
        assertSafe(channelDirName(id));
      }),
      { numRuns: 2000 },
    );
  });

  it("never maps two different ids to the same name, even after case-folding (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(anyId, { minLength: 2, maxLength: 30 }), (ids) => {
        expect(new Set(folded(ids)).size).toBe(ids.length);
      }),
      { numRuns: 500 },
    );
  });

  it("never maps two short ids made of confusable characters to the same name (property)", () => {
    // Short strings over a small alphabet make near-collisions like "a/b" vs "a_b" frequent.
    const shortId = fc.string({ unit: confusableChar, minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(fc.uniqueArray(shortId, { minLength: 2, maxLength: 60 }), (ids) => {
        expect(new Set(folded(ids)).size).toBe(ids.length);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps case and normalisation variants of one id apart (property)", () => {
    fc.assert(
      fc.property(anyId, (id) => {
        const variants = [...new Set([id, id.toLowerCase(), id.toUpperCase(), id.normalize("NFC"), id.normalize("NFD")])];
        expect(new Set(folded(variants)).size).toBe(variants.length);
      }),
      { numRuns: 2000 },
    );
  });
});
