import { readlinkSync } from "node:fs";
import { hostname } from "node:os";

/** Where a pid means something: the host and, on Linux, the PID namespace. */
export interface LockIdentity {
  hostname: string;
  /** `pid:[4026531836]` (the link text of /proc/self/ns/pid); null where there is no such file. */
  pidNamespace: string | null;
}

let cached: string | null | undefined;

/** This process's PID namespace, read once: it never changes for a process. */
function pidNamespace(): string | null {
  if (cached !== undefined) return cached;
  try {
    cached = readlinkSync("/proc/self/ns/pid");
  } catch {
    cached = null;
  }
  return cached;
}

/** The identity this process writes into the locks it takes. */
export function currentIdentity(): LockIdentity {
  return { hostname: hostname(), pidNamespace: pidNamespace() };
}
