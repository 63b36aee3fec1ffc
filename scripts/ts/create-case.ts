// Type-checked by scripts/check-typescript.sh against the types openapi-typescript generates
// from dist/osm.json: document 004's createCase request example (spec/osm.yaml) must be a
// valid request body, and a body missing a required property must not be.
import type { components, operations } from "../../target/ts/osm";

type CreateCaseBody =
  operations["createCase"]["requestBody"]["content"]["application/json"];

const body: CreateCaseBody = {
  incident_sub_type_id: "123",
  product_category_id: "123",
  business_type_id: "123",
  region_id: "cn-north-1",
  simple_description: "test",
  source_id: "83aeb0f2834c4df49826c781d32a963e",
  remind_time: "9:00-18:00",
  accessory_ids: [],
  extends_map: {},
  extension_map: {},
  severity_id: "123",
  area_code: "86",
};

// The operation's body is the named schema.
const named: components["schemas"]["CreateCaseRequest"] = body;

// @ts-expect-error simple_description is required.
const incomplete: CreateCaseBody = { source_id: "83aeb0f2834c4df49826c781d32a963e" };

export { body, named, incomplete };
