import { caseKey } from "./case-key";
import { FixtureError } from "./errors";
import { FIXTURE_SCHEMA_VERSION_2, type FixtureV2Input } from "./fixture-schema-v2";
import { LIVE_HEADERS } from "./live-headers";
import { DEFAULT_MAX_FIXTURE_BYTES } from "./load-fixture";
import { readCapped } from "./read-capped";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function harError(source: string, message: string): FixtureError {
  return new FixtureError({ code: "E_HAR_INVALID", source, issues: [{ path: "", message: `${source}: ${message}` }] });
}

function describeTop(value: unknown): string {
  if (Array.isArray(value)) return `a JSON array of ${value.length}`;
  if (isRecord(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? "an empty JSON object" : `a JSON object with keys ${keys.slice(0, 6).map((k) => JSON.stringify(k)).join(", ")}${keys.length > 6 ? ", ..." : ""}`;
  }
  return `JSON ${value === null ? "null" : typeof value}`;
}

function header(headers: unknown, name: string): string | undefined {
  if (!Array.isArray(headers)) return undefined;
  const found = headers.find((h) => isRecord(h) && typeof h.name === "string" && h.name.toLowerCase() === name);
  return isRecord(found) && typeof found.value === "string" ? found.value : undefined;
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "root";

/** What an import made: the fixture, and the HAR entries it left out with the reason. */
export interface HarImport {
  fixture: FixtureV2Input;
  skipped: { index: number; url: string; reason: string }[];
}

/**
 * Reads a HAR file as text, at most `maxBytes` (default: the fixture limit): `/dev/zero`, a
 * pipe that never ends or a file too large for one string is an E_HAR_INVALID, not an
 * out-of-memory. Read errors (ENOENT, EACCES) are thrown as they are.
 */
export async function readHarFile(path: string, options: { maxBytes?: number } = {}): Promise<string> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FIXTURE_BYTES;
  const bytes = await readCapped({
    path,
    maxBytes,
    tooLarge: (size) => harError(path, `the HAR file is ${size}, over the limit of ${maxBytes} bytes (raise --gateway-max-fixture-bytes)`),
  });
  return bytes.toString("utf8");
}

/**
 * Turns the requests of a HAR 1.2 log into fixture v2 cases without `expected`, ready for
 * `tau-gateway record`. Kept: http(s) requests that sent or received JSON (pages, scripts and
 * images are left out). `actor_id` and `case_id` come from the `x-tau-actor-id` and
 * `x-tau-case-id` request headers when present; otherwise the actor is empty and the id is
 * made from method and path. A request body that is not a JSON object is left out.
 */
export function importHar(options: { text: string; source: string; name?: string }): HarImport {
  const { source } = options;
  let value: unknown;
  try {
    value = JSON.parse(options.text.charCodeAt(0) === 0xfeff ? options.text.slice(1) : options.text);
  } catch (error) {
    throw harError(source, `not a HAR file: not JSON at all (${(error as Error).message}); a HAR file is the JSON a browser's "Save all as HAR" or Playwright's recordHar writes`);
  }
  const log = isRecord(value) ? value.log : undefined;
  if (!isRecord(log) || !Array.isArray(log.entries)) {
    throw harError(source, `not a HAR file: found ${describeTop(value)}, expected {"log": {"entries": [...]}}`);
  }
  const skipped: HarImport["skipped"] = [];
  const cases: Record<string, unknown>[] = [];
  const usedIds = new Set<string>();
  const usedKeys = new Set<string>();
  log.entries.forEach((entry: unknown, index) => {
    const request = isRecord(entry) ? entry.request : undefined;
    if (!isRecord(request) || typeof request.method !== "string" || typeof request.url !== "string") {
      skipped.push({ index, url: "", reason: "entry without request.method and request.url" });
      return;
    }
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      skipped.push({ index, url: request.url, reason: "request.url is not a URL" });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      skipped.push({ index, url: request.url, reason: `not http(s) (${url.protocol})` });
      return;
    }
    const response = isRecord(entry) ? entry.response : undefined;
    const content = isRecord(response) ? response.content : undefined;
    const responseType = isRecord(content) && typeof content.mimeType === "string" ? content.mimeType : "";
    const postData = request.postData;
    const requestType = isRecord(postData) && typeof postData.mimeType === "string" ? postData.mimeType : (header(request.headers, "content-type") ?? "");
    if (!/json/i.test(responseType) && !/json/i.test(requestType)) {
      skipped.push({ index, url: request.url, reason: `neither request nor response is JSON (response ${responseType || "without a type"})` });
      return;
    }
    let body: Record<string, unknown> | null = null;
    if (isRecord(postData) && typeof postData.text === "string" && postData.text.length > 0) {
      try {
        const parsed: unknown = JSON.parse(postData.text);
        if (isRecord(parsed)) body = parsed;
      } catch {
        // Left out: a case body must be a JSON object.
      }
    }
    const method = request.method.toUpperCase();
    const endpoint = `${url.pathname}${url.search}`;
    const baseId = header(request.headers, LIVE_HEADERS.caseId) ?? `${method.toLowerCase()}-${slug(url.pathname)}`;
    let caseId = baseId;
    for (let n = 2; usedIds.has(caseId) || usedKeys.has(caseKey({ method, endpoint, case_id: caseId })); n++) caseId = `${baseId}-${n}`;
    usedIds.add(caseId);
    usedKeys.add(caseKey({ method, endpoint, case_id: caseId }));
    cases.push({
      case_id: caseId,
      method,
      endpoint,
      actor_id: header(request.headers, LIVE_HEADERS.actorId) ?? "",
      ...(body !== null ? { body } : {}),
      tags: ["har-import"],
    });
  });
  if (cases.length === 0) {
    throw harError(source, `HAR file with ${log.entries.length} entr${log.entries.length === 1 ? "y" : "ies"} but no JSON request to import (${skipped.slice(0, 3).map((s) => `${s.url || `entry ${s.index}`}: ${s.reason}`).join("; ")})`);
  }
  return {
    fixture: {
      schema_version: FIXTURE_SCHEMA_VERSION_2,
      name: options.name ?? "har-import",
      description: `imported from ${source}; record it with tau-gateway record before running`,
      cases: cases as FixtureV2Input["cases"],
    },
    skipped,
  };
}
