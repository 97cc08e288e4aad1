import { fileURLToPath } from "node:url";

/** packages/gateway-contract, where `@tau/gateway-contract` resolves through the workspace link. */
export const PACKAGE_DIR = fileURLToPath(new URL("../../", import.meta.url));

/** The shared example fixtures at the repository root: fixtures/gateway-contract. */
export const FIXTURES_DIR = fileURLToPath(new URL("../../../../fixtures/gateway-contract/", import.meta.url));

/** The checked-in JSON Schema that fixtures point at with `$schema`. */
export const SCHEMA_FILE = fileURLToPath(new URL("../../schema/fixture.schema.json", import.meta.url));
