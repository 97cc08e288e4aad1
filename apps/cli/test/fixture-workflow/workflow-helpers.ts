import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createReferenceGateway } from "@tau/gateway-reference";
import { onTestFinished } from "vitest";

/** The reference gateway on a free port for the current test; its base URL. */
export async function referenceGateway(): Promise<string> {
  const gateway = createReferenceGateway();
  const url = await gateway.listen({ port: 0 });
  onTestFinished(() => gateway.close());
  return url;
}

/** A server for the current test; resolves with its base URL. */
export async function serve(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A gateway that answers 200 with the request's authorization header echoed in the body. */
export function echoingGateway(): Server {
  return createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "accepted", token: req.headers.authorization ?? "" }));
  });
}

/** A v2 fixture document around `cases`. */
export function v2FixtureOf(name: string, cases: readonly unknown[]) {
  return { schema_version: 2, name, cases };
}
