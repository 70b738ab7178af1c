// The official EPCIS 2.0 JSON Schema, compiled once (the capture route asks for it while the app
// starts), with ajv 8 (draft-07) and the formats of ajv-formats in full mode: GS1 validates its own
// examples the same way (`ajv validate -c ajv-formats -s EPCIS-JSON-Schema.json`).
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";

const SCHEMA_FILE = new URL("./schema/EPCIS-JSON-Schema.json", import.meta.url);

/** The schema's `$id`: definitions are addressed under it (`…#/definitions/ObjectEvent`). */
export const EPCIS_SCHEMA_ID = "https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json";

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function schemaCompiler(): Ajv {
  if (ajv) return ajv;
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as { $id?: string };
  if (schema.$id !== EPCIS_SCHEMA_ID) throw new Error(`EPCIS schema: unexpected $id ${schema.$id}`);
  // allErrors: a capture is answered with every problem, not the first. strict: false, because
  // ajv's strict mode refuses the schema as published (its strictRequired rule: alternatives such
  // as `anyOf: [{ required: ["transformationID"] }, …]` require properties they do not define).
  const instance = new Ajv({ allErrors: true, strict: false });
  ajvFormats.default(instance);
  instance.addSchema(schema);
  ajv = instance;
  return instance;
}

/** Whether the validator of the schema root (documents) has been compiled yet. */
export const documentValidatorCompiled = (): boolean => compiled.has(EPCIS_SCHEMA_ID);

/**
 * The validator for the schema root (an EPCIS document, query document or single event with its
 * @context, by `type`) or for one of its definitions, e.g. "EPCIS-Document-Event" for an event of
 * a document's eventList. Compiled on first use and kept.
 */
export function schemaValidator(definition?: string): ValidateFunction {
  const ref = definition === undefined ? EPCIS_SCHEMA_ID : `${EPCIS_SCHEMA_ID}#/definitions/${definition}`;
  let validate = compiled.get(ref);
  if (!validate) {
    validate = schemaCompiler().getSchema(ref);
    if (!validate) throw new Error(`EPCIS schema: no definition ${definition}`);
    compiled.set(ref, validate);
  }
  return validate;
}
