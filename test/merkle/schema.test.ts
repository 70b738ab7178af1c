// docs/receipt-v1.schema.json is the receipt schema of src/merkle/receipt.ts, and a standard
// JSON Schema validator (Ajv, draft 2020-12) agrees with parseReceipt on every fixture.
import t from "tap";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { receiptJsonSchema } from "../../src/merkle/index.ts";
import { tamperedReceipts, validReceipts } from "../support/receipt-fixtures.ts";

const documented = JSON.parse(readFileSync(new URL("../../docs/receipt-v1.schema.json", import.meta.url), "utf8")) as Record<string, unknown>;
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(documented);

t.test("the documented schema is the one the code validates with (run scripts/gen-fixtures.ts after changing it)", async (t) => {
  t.same(documented, receiptJsonSchema());
});

t.test("the documented schema is valid draft 2020-12 JSON Schema", async (t) => {
  t.equal(documented["$schema"], "https://json-schema.org/draft/2020-12/schema");
  t.ok(ajv.validateSchema(documented), JSON.stringify(ajv.errors));
});

t.test("accepts every frozen valid receipt", async (t) => {
  for (const { name, receipt } of validReceipts()) t.ok(validate(receipt), `${name} ${JSON.stringify(validate.errors)}`);
});

t.test("rejects the tampered receipts that fail at format, accepts the ones only hashes can catch", async (t) => {
  // JSON Schema cannot see a lone surrogate (a JSON string either way); parseReceipt does.
  const beyondSchema = new Set(["lone-surrogate-in-envelope"]);
  for (const vector of tamperedReceipts()) {
    const malformed = vector.expectedFailure.step === "format" && !beyondSchema.has(vector.name);
    t.equal(validate(vector.receipt), !malformed, vector.name);
  }
});
