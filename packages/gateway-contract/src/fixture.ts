import type { z } from "zod";
import type { expectedSchema, FixtureV1 } from "./fixture-schema";
import type { ExpectedV2, FixtureV2, GatewayCaseV2 } from "./fixture-schema-v2";

/**
 * What a case must produce, in either schema version. Only v2 has `ignore`, and only in v2 may
 * `response_body` hold matchers.
 */
export type Expected = z.output<typeof expectedSchema> & Pick<ExpectedV2, "ignore">;

/** A case ready to run: v1's fields; v2's `tags` and `pending` when the fixture is v2. */
export type GatewayCase = Omit<GatewayCaseV2, "schema_version" | "expected" | "tags" | "pending"> & {
  schema_version: 1 | 2;
  tags?: string[];
  pending?: boolean;
  expected: Expected;
};

/** A fixture ready to run (every case has `expected`), of either schema version. */
export interface Fixture {
  $schema?: string | undefined;
  schema_version: 1 | 2;
  name: string;
  description: string;
  cases: GatewayCase[];
}

/** A fixture as parsed, before the check that every case has `expected` (v2 may lack it). */
export type FixtureDocument = FixtureV1 | FixtureV2;
