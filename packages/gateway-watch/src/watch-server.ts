import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { bearerTokenMatches } from "./bearer-token";
import { WatchError } from "./errors";
import type { GatewayWatcher } from "./gateway-watcher";
import { checkListenSecurity, type ListenAddress } from "./listen-address";

/** How the watch server answers and whom. */
export interface WatchServerOptions {
  watcher: Pick<GatewayWatcher, "verdict" | "status" | "metrics">;
  /** When set, every route but `/healthz` needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Allow a non-loopback address without a token. */
  insecure?: boolean;
}

/** A listening watch server. */
export interface WatchServer {
  readonly server: Server;
  /** Starts listening; resolves with the base URL (port 0 picks a free one). */
  listen(address: ListenAddress): Promise<string>;
  /** Stops accepting, lets requests in flight finish until `deadlineMs`, then cuts connections. */
  close(deadlineMs?: number): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
interface Route {
  methods: readonly string[];
  handle: Handler;
  /** Answered without a token: liveness probes carry none and learn nothing from it. */
  public?: boolean;
}

/** Request bodies are never needed (Flagger's webhook POSTs a small JSON one): read and drop up to this. */
const MAX_BODY_BYTES = 64 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(res.req.method === "HEAD" ? undefined : text);
}

async function drainBody(req: IncomingMessage): Promise<boolean> {
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return false;
  }
  return true;
}

/**
 * `GET /gate` (200 only for `pass`, else 503; POST too, for Flagger webhooks), `GET /status`
 * (always 200), `GET /metrics` (Prometheus text), `GET /healthz`. Unknown paths 404, other
 * methods 405 with `Allow`; bodies, headers and request time are bounded.
 */
export function createWatchServer(options: WatchServerOptions): WatchServer {
  const { watcher } = options;
  const routes: Record<string, Route> = {
    "/gate": {
      methods: ["GET", "HEAD", "POST"],
      handle: (_req, res) => {
        const verdict = watcher.verdict();
        sendJson(res, verdict.verdict === "pass" ? 200 : 503, verdict);
      },
    },
    "/status": { methods: ["GET", "HEAD"], handle: async (_req, res) => sendJson(res, 200, await watcher.status()) },
    "/metrics": {
      methods: ["GET", "HEAD"],
      handle: async (req, res) => {
        const text = await watcher.metrics.text();
        res.writeHead(200, { "content-type": watcher.metrics.contentType, "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : text);
      },
    },
    "/healthz": { methods: ["GET", "HEAD"], public: true, handle: (_req, res) => sendJson(res, 200, { status: "ok" }) },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?", 1)[0] as string;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!(await drainBody(req))) return sendJson(res, 413, { error: "request body too large" }, { connection: "close" });
    if (!route) return sendJson(res, 404, { error: "not found", paths: Object.keys(routes) });
    if (!route.methods.includes(req.method ?? "")) {
      return sendJson(res, 405, { error: "method not allowed" }, { allow: route.methods.join(", ") });
    }
    if (options.token && !route.public && !bearerTokenMatches(req.headers.authorization, options.token)) {
      return sendJson(res, 401, { error: "missing or wrong bearer token" }, { "www-authenticate": 'Bearer realm="tau-gateway"' });
    }
    await route.handle(req, res);
  };

  const server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 64;
  server.maxConnections = 256;

  return {
    server,
    listen: async (address) => {
      checkListenSecurity({ host: address.host, token: options.token, insecure: options.insecure });
      return new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) =>
          reject(new WatchError("E_LISTEN", `cannot listen on ${address.host}:${address.port}: ${error.code ?? error.message}`, { cause: error }));
        server.once("error", onError);
        server.listen(address.port, address.host, () => {
          server.off("error", onError);
          const bound = server.address() as AddressInfo;
          const host = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
          resolve(`http://${host}:${bound.port}`);
        });
      });
    },
    close: (deadlineMs = 1_000) =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        const timer = setTimeout(() => server.closeAllConnections(), deadlineMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
