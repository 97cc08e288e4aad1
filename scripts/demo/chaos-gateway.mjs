// The reference gateway for the watch demo, with chaos switched by signals:
// SIGUSR1 → every request answers 503 (backend unavailable), SIGUSR2 → chaos off, SIGTERM → stop.
import { createReferenceGateway } from "@tau/gateway-reference";

const gateway = createReferenceGateway();
const url = await gateway.listen({ port: 0, host: "127.0.0.1" });
process.on("SIGUSR1", () => {
  gateway.setFailRate(1);
  console.log("chaos on: every request answers 503");
});
process.on("SIGUSR2", () => {
  gateway.setFailRate(0);
  console.log("chaos off");
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => gateway.close().then(() => process.exit(0)));
console.log(`reference gateway listening on ${url}`);
