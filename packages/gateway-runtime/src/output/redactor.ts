/** What every secret is replaced with. */
export const REDACTED = "***";

/**
 * Replaces known secrets in text and JSON values. Built once from the secrets of a run (target
 * header values, URL userinfo) and applied where data from outside enters (the HTTP driver's
 * observations) and where text leaves (the CLI's stdout and stderr, reports, metrics).
 */
export interface Redactor {
  /** False when there is nothing to redact: callers may skip the work. */
  readonly active: boolean;
  text(text: string): string;
  /** A copy of a JSON value with every string and key redacted; the value itself when nothing matched. */
  value<T>(value: T): T;
}

/**
 * Shorter strings are not looked for: `X-Debug: 1` is no secret, and masking every "1" would
 * garble counters and bodies. Every real credential is longer.
 */
const MIN_SECRET_LENGTH = 4;

function variants(secret: string): string[] {
  const out = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
  // `Bearer S3CR3T` is often echoed without its scheme: look for the credential on its own too.
  const scheme = /^[A-Za-z][\w.+-]*\s+(\S.*)$/.exec(secret);
  if (scheme?.[1]) out.push(...variants(scheme[1]));
  return out;
}

/** A redactor for the given secrets (those under 4 characters are ignored; longer ones are replaced first). */
export function createRedactor(secrets: Iterable<string>): Redactor {
  const set = new Set<string>();
  for (const secret of secrets) for (const v of variants(secret)) if (v.length >= MIN_SECRET_LENGTH) set.add(v);
  const values = [...set].sort((a, b) => b.length - a.length);
  const text = (input: string): string => {
    let out = input;
    for (const secret of values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
  const value = <T>(input: T): T => {
    if (typeof input === "string") return text(input) as T;
    if (typeof input !== "object" || input === null) return input;
    if (Array.isArray(input)) {
      let changed = false;
      const copy = input.map((item) => {
        const next = value(item);
        changed ||= next !== item;
        return next;
      });
      return (changed ? copy : input) as T;
    }
    let changed = false;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(input)) {
      const k = text(key);
      const next = value(item);
      changed ||= next !== item || k !== key;
      // defineProperty, not assignment: a `__proto__` key stays a field (as JSON.parse made it).
      Object.defineProperty(copy, k, { value: next, enumerable: true, writable: true, configurable: true });
    }
    return (changed ? copy : input) as T;
  };
  return values.length === 0 ? { active: false, text: (s) => s, value: (v) => v } : { active: true, text, value };
}

/** The userinfo of a URL-like text replaced, for messages about a URL that may not even parse. */
export function redactUrlUserinfo(text: string): string {
  return text.replace(/^([A-Za-z][\w+.-]*:\/\/)[^/?#]*@/, `$1${REDACTED}@`);
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * The secrets of a live target: every header value, and the URL's userinfo (`user:password` and
 * the password, raw, decoded and as the Basic credential built from them). A user name alone is
 * not a secret.
 */
export function targetSecrets(options: { targetUrl?: string; headers?: Record<string, string> }): string[] {
  const secrets = Object.values(options.headers ?? {}).map((v) => v.trim());
  const userinfo = options.targetUrl ? /^[A-Za-z][\w+.-]*:\/\/([^/?#]*)@/.exec(options.targetUrl)?.[1] : undefined;
  if (userinfo !== undefined && userinfo.length > 0) {
    const colon = userinfo.indexOf(":");
    const password = colon >= 0 ? userinfo.slice(colon + 1) : "";
    const decoded = `${decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo)}:${decode(password)}`;
    secrets.push(userinfo, decoded, Buffer.from(decoded).toString("base64"));
    if (password.length > 0) secrets.push(password, decode(password));
  }
  return secrets;
}
