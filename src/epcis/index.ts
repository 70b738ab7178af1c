// EPCIS 2.0 / CBV 2.0, pure: validation against the official JSON Schema, the CBV vocabularies
// and their labels, EPC URI → Digital Link, and the CBV 2.0 event hash ID. No database, network
// or server code.
export * from "./cbv.ts";
export * from "./cbv-labels.ts";
export * from "./epc-uri.ts";
export * from "./event-hash/index.ts";
export { EPCIS_SCHEMA_ID, schemaValidator } from "./schema.ts";
export * from "./validate.ts";
