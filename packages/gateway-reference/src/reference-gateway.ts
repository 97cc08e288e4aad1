import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeHeaderValue, evaluateCase, LIVE_HEADERS, type Observed } from "@tau/gateway-contract";

/** Optional, seeded chaos for demos: added latency and a rate of injected 503s. */
export interface ReferenceGatewayOptions {
  latencyMs?: number;
  /** Fraction of requests answered 503 before evaluation, 0..1. */
  failRate?: number;
  seed?: number;
}

export interface ReferenceGateway {
  readonly server: Server;
  /** Starts listening (port 0 picks a free one); resolves with the base URL. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  close(): Promise<void>;
  /** Changes the injected 503 rate (0..1) while serving, e.g. to show a gate going red and back. */
  setFailRate(rate: number): void;
}

const MAX_BODY = 1024 * 1024;

/** mulberry32: a tiny deterministic PRNG so a seed reproduces the same chaos. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function send(res: ServerResponse, observed: Observed): void {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (observed.error_code) headers[LIVE_HEADERS.errorCode] = observed.error_code;
  res.writeHead(observed.status_code, headers).end(JSON.stringify(observed.response_body));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function drain(req: IncomingMessage): Promise<boolean> {
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return false;
  }
  return true;
}

function checkRate(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`failRate must be a number from 0 to 1 (found ${rate})`);
  return rate;
}

/** Serves the simulated gateway of behavior.md §2 over HTTP, honouring the x-tau-* headers. */
export function createReferenceGateway(options: ReferenceGatewayOptions = {}): ReferenceGateway {
  const random = seededRandom(options.seed ?? 1);
  let failRate = checkRate(options.failRate ?? 0);
  const latency = options.latencyMs ?? 0;

  const server = createServer(async (req, res) => {
    const withinLimit = await drain(req);
    if (latency > 0) await sleep(latency);
    if (!withinLimit) {
      res.writeHead(413, { "content-type": "application/json" }).end('{"status":"rejected","reason":"body_too_large"}');
      return;
    }
    if (failRate > 0 && random() < failRate) {
      send(res, { outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable", response_body: { status: "retryable", reason: "backend_unavailable" } });
      return;
    }
    const rawEndpoint = header(req, LIVE_HEADERS.endpoint);
    let endpoint = rawEndpoint !== undefined ? decodeHeaderValue(rawEndpoint, "percent") : (req.url ?? "/");
    if (rawEndpoint === undefined) {
      try {
        endpoint = decodeURI(endpoint);
      } catch {
        // keep the raw path
      }
    }
    send(
      res,
      evaluateCase({
        method: req.method ?? "",
        endpoint,
        actor_id: decodeHeaderValue(header(req, LIVE_HEADERS.actorId), header(req, LIVE_HEADERS.actorIdEncoding)),
        simulate_retryable_failure: header(req, LIVE_HEADERS.simulate) === "retryable_failure",
      }),
    );
  });
  // Methods Node's parser does not know (e.g. BREW) never reach the handler: answer them as
  // the gateway would, 405 unsupported_method, instead of a bare 400.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const body = error.code === "HPE_INVALID_METHOD" ? '{"status":"rejected","reason":"unsupported_method"}' : '{"status":"rejected","reason":"invalid_request"}';
    const status = error.code === "HPE_INVALID_METHOD" ? "405 Method Not Allowed" : "400 Bad Request";
    const code = error.code === "HPE_INVALID_METHOD" ? "gateway_unsupported_method" : "gateway_invalid_request";
    socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\n${LIVE_HEADERS.errorCode}: ${code}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
  });

  return {
    server,
    setFailRate: (rate) => {
      failRate = checkRate(rate);
    },
    listen: ({ port = 0, host = "127.0.0.1" } = {}) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      }),
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
