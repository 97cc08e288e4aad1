import { isIP } from "node:net";
import { WatchError } from "./errors";

/** Where the watch server listens. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** The default of `--gateway-listen`: loopback, the port node_exporter's neighbours leave free. */
export const DEFAULT_LISTEN = "127.0.0.1:9464";

/** `HOST:PORT` or `[IPv6]:PORT` → { host, port }; throws E_INVALID_OPTION naming what is wrong. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || host === undefined || !Number.isInteger(port) || port > 65_535) {
    throw new WatchError("E_INVALID_OPTION", `--gateway-listen must be HOST:PORT or [IPV6]:PORT with a port 0-65535 (found ${JSON.stringify(text)})`);
  }
  if (match[1] !== undefined && isIP(host) !== 6) {
    throw new WatchError("E_INVALID_OPTION", `--gateway-listen: ${JSON.stringify(host)} in brackets is not an IPv6 address`);
  }
  return { host, port };
}

/** True for addresses only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (h.startsWith("::ffff:")) return isLoopback(h.slice("::ffff:".length));
  return false;
}

/**
 * Refuses to serve the gate on an address others can reach unless requests must carry a token
 * or the operator said `--gateway-listen-insecure`: a gate anyone can read is fine, but the
 * choice has to be deliberate.
 */
export function checkListenSecurity(input: { host: string; token?: string | undefined; insecure?: boolean | undefined }): void {
  if (isLoopback(input.host) || (input.token !== undefined && input.token.length > 0) || input.insecure) return;
  throw new WatchError(
    "E_INSECURE_LISTEN",
    `--gateway-listen ${input.host} is reachable from other machines: give --gateway-listen-token TOKEN (clients send "Authorization: Bearer TOKEN") or --gateway-listen-insecure to serve without one`,
  );
}
