import { fileURLToPath } from "node:url";

/** packages/gateway-runtime, where `@tau/gateway-runtime` resolves by its own name. */
export const PACKAGE_DIR = fileURLToPath(new URL("../../", import.meta.url));

/** The shared example fixtures at the repository root: fixtures/gateway-contract. */
export const FIXTURES_DIR = fileURLToPath(new URL("../../../../fixtures/gateway-contract/", import.meta.url));
