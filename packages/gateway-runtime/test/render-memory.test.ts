import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderMemory, renderMemoryBytes } from "../src/cycle/channel-records";
import { printableText } from "../src/output/printable-text";
import type { RequestRecord } from "../src/state/gateway-state";

/** MEMORY.md as it was always rendered: one escape pass per line. */
function reference(actorId: string, records: readonly RequestRecord[]): string {
  const lines = records.map((r) => printableText(`- ${r.case_id} ${r.method} ${r.endpoint} status=${r.status_code} outcome=${r.outcome}`));
  return `# Tau Gateway Snapshot (${printableText(actorId)})\n\n${lines.join("\n")}\n`;
}

const text = fc.string({ unit: fc.constantFrom("a", " ", "/", "\n", "\r", "\t", "\u001b", "\u0085", "\u2028", "\u202e", "é", "😀"), maxLength: 6 });

// Property runs: seconds of CPU on a CI machine running every package at once.
describe("renderMemory", { timeout: 60_000 }, () => {
  it("escapes every line exactly as a pass per line does, clean or not", () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.record({ case_id: text, method: text, endpoint: text, status_code: fc.integer(), outcome: text }), { maxLength: 6 }),
        (actorId, parts) => {
          const records = parts.map((p) => ({ ...p, case_key: "k", actor_id: actorId, error_code: "", response_body: {}, updated_unix_ms: 0 }));
          expect(renderMemory(actorId, records)).toBe(reference(actorId, records));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("renders many blocks of records as one text, escaping only the lines that need it", () => {
    const records: RequestRecord[] = Array.from({ length: 10_000 }, (_, n) => ({
      case_key: `k${n}`,
      case_id: n === 5000 ? "five\nthousand" : n === 9000 ? "nine\u001b[31m" : `case-${n}-é😀`,
      method: "GET",
      endpoint: `/v1/${n}`,
      actor_id: "a",
      status_code: 200,
      outcome: "success",
      error_code: "",
      response_body: {},
      updated_unix_ms: 0,
    }));
    for (const count of [0, 1, 4096, 4097, 8192, 10_000]) {
      const some = records.slice(0, count);
      const bytes = renderMemoryBytes("a\u202e", some);
      expect(bytes.toString("utf8")).toBe(reference("a\u202e", some));
      expect(bytes.equals(Buffer.from(reference("a\u202e", some), "utf8"))).toBe(true);
    }
  });

  it("keeps one line per record when an id holds a newline", () => {
    const record = (case_id: string): RequestRecord => ({
      case_key: "k", case_id, method: "GET", endpoint: "/", actor_id: "a", status_code: 200, outcome: "success", error_code: "", response_body: {}, updated_unix_ms: 0,
    });
    expect(renderMemory("a", [record("one\ntwo"), record("three")])).toBe("# Tau Gateway Snapshot (a)\n\n- one\\ntwo GET / status=200 outcome=success\n- three GET / status=200 outcome=success\n");
  });
});
