// Type-checked by scripts/check-typescript.sh against the types openapi-typescript generates
// from dist/aicc-case.json: document 001's modifyCase request example (spec/aicc-case.yaml)
// must be a valid request body.
import type { operations } from "../../target/ts/aicc-case";

type ModifyCaseBody =
  operations["modifyCase"]["requestBody"]["content"]["application/json"];

const body: ModifyCaseBody = {
  caseInfo: {
    id: "c6m800000142mS63Voa8",
    title: "testOpenApi11",
    description: "test111",
    dueDate: "2023-06-20 00:00:00",
    ownerId: "10gg0000012IpiXMqxzk",
    contactId: "ciIy0000013w9aru7cDQ",
    creatorId: "10gg0000013wljxK5XX6",
    contactPhone: "15151515152",
  },
};

// @ts-expect-error caseInfo is an object, not a string.
const wrong: ModifyCaseBody = { caseInfo: "c6m800000142mS63Voa8" };

export { body, wrong };
