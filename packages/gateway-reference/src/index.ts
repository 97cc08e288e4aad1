export { createReferenceGateway } from "./reference-gateway";
export type { ReferenceGateway, ReferenceGatewayOptions } from "./reference-gateway";
