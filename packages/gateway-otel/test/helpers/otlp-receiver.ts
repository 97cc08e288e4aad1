import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** An OTLP attribute as the JSON encoding carries it. */
interface OtlpKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean };
}

export interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, string | number | boolean>;
  resource: Record<string, string | number | boolean>;
  status?: { code?: number };
}

export interface ReceivedPoint {
  attributes: Record<string, string | number | boolean>;
  value?: number;
  count?: number;
  explicitBounds?: number[];
}

/** Flattens OTLP/JSON key-values; int64 values arrive as numbers or strings. */
export function flat(list: OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
  }
  return out;
}

/**
 * A local OTLP/HTTP receiver: accepts POST /v1/traces and /v1/metrics in the JSON encoding
 * (what @opentelemetry/exporter-*-otlp-http sends) and keeps what arrived.
 */
export class OtlpReceiver {
  readonly requests: { path: string; contentType: string; headers: Record<string, string | string[] | undefined>; body: unknown }[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (req.method !== "POST" || (req.url !== "/v1/traces" && req.url !== "/v1/metrics")) {
        res.writeHead(404).end();
        return;
      }
      this.requests.push({ path: req.url, contentType: req.headers["content-type"] ?? "", headers: req.headers, body: JSON.parse(text) as unknown });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  spans(): ReceivedSpan[] {
    const spans: ReceivedSpan[] = [];
    for (const r of this.requests.filter((q) => q.path === "/v1/traces")) {
      const body = r.body as { resourceSpans?: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: { spans?: (Omit<ReceivedSpan, "attributes" | "resource"> & { attributes?: OtlpKeyValue[] })[] }[] }[] };
      for (const rs of body.resourceSpans ?? []) {
        const resource = flat(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, attributes: flat(s.attributes), resource });
      }
    }
    return spans;
  }

  /** The data points of metric `name` in the last metrics export that has it. */
  points(name: string): ReceivedPoint[] {
    let found: ReceivedPoint[] = [];
    for (const r of this.requests.filter((q) => q.path === "/v1/metrics")) {
      const body = r.body as { resourceMetrics?: { scopeMetrics?: { metrics?: Record<string, unknown>[] }[] }[] };
      for (const rm of body.resourceMetrics ?? []) {
        for (const sm of rm.scopeMetrics ?? []) {
          for (const m of sm.metrics ?? []) {
            if (m.name !== name) continue;
            const data = (m.sum ?? m.gauge ?? m.histogram) as { dataPoints?: (Record<string, unknown> & { attributes?: OtlpKeyValue[] })[] };
            found = (data.dataPoints ?? []).map((p) => ({
              attributes: flat(p.attributes),
              ...(p.asInt !== undefined || p.asDouble !== undefined ? { value: Number(p.asInt ?? p.asDouble) } : {}),
              ...(p.count !== undefined ? { count: Number(p.count) } : {}),
              ...(Array.isArray(p.explicitBounds) ? { explicitBounds: p.explicitBounds as number[] } : {}),
            }));
          }
        }
      }
    }
    return found;
  }
}
