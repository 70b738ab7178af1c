// The standard's own example documents (../shared/gs1/epcis-examples/, from gs1/EPCIS) against
// the official schema, validated as GS1 does (ajv 8, ajv-formats). Those that do not pass are
// listed with the reason and the exact fields named, never accepted by loosening the validator.
import t from "tap";
import { eventsOfDocument, validateEpcisDocument, validateEpcisEvent } from "../../src/epcis/index.ts";
import { listSharedGs1, readSharedGs1Json } from "../support/shared-gs1.ts";

const FOLDER = "epcis-examples";

/**
 * 34 examples name their document `"id": "_:document1"`, a JSON-LD blank node identifier. The
 * schema's `id` is `format: uri` and RFC 3986 §3.1 requires a scheme to start with a letter, so
 * the document-level id is refused; in 32 of them nothing else is wrong.
 */
const BLANK_NODE_DOCUMENT_ID = { pointer: "/id", reason: "the document id `_:document1` is a JSON-LD blank node, not an RFC 3986 URI" };

/** Examples that contradict the schema itself, with every field the validator names. */
const GENUINELY_INVALID: Record<string, { pointers: string[]; reason: string }> = {
  "Example-TransactionEvents-2020_07_03y.jsonld": {
    reason: "event 1 gives sourceList and destinationList as single objects, the schema requires arrays",
    pointers: ["/epcisBody/eventList/1/sourceList", "/epcisBody/eventList/1/destinationList"],
  },
  "PersistentDisposition-example.jsonld": {
    reason: "its AggregationEvents carry an `id` field and persistentDisposition, neither defined for AggregationEvent by the schema",
    pointers: ["/id", "/epcisBody/eventList/0/id", "/epcisBody/eventList/0/persistentDisposition", "/epcisBody/eventList/1/id", "/epcisBody/eventList/1/persistentDisposition"],
  },
  "WithFullCombinationOfFields__aggregation_event_all_possible_fields.jsonld": {
    reason: "persistentDisposition is not defined for AggregationEvent; its sensorElement has a `type` field the schema does not define",
    pointers: ["/epcisBody/eventList/0/persistentDisposition", "/epcisBody/eventList/0/sensorElementList/0/type"],
  },
  "WithFullCombinationOfFields__association_event_all_possible_fields.jsonld": {
    reason: "persistentDisposition is not defined for AssociationEvent; its sensorElement has a `type` field",
    pointers: ["/epcisBody/eventList/0/persistentDisposition", "/epcisBody/eventList/0/sensorElementList/0/type"],
  },
  "WithFullCombinationOfFields__transaction_event_all_possible_fields.jsonld": {
    reason: "persistentDisposition is not defined for TransactionEvent; its sensorElement has a `type` field",
    pointers: ["/epcisBody/eventList/0/persistentDisposition", "/epcisBody/eventList/0/sensorElementList/0/type"],
  },
  "WithFullCombinationOfFields__object_event_all_possible_fields.jsonld": {
    reason: "an OBSERVE ObjectEvent with ilmd (the schema allows ilmd only with ADD); its sensorElement has a `type` field",
    pointers: ["/epcisBody/eventList/0/sensorElementList/0/type", "/epcisBody/eventList/0/ilmd", "/epcisBody/eventList/0/action"],
  },
  "WithFullCombinationOfFields__transformation_event_all_possible_fields.jsonld": {
    reason: "its sensorElement has a `type` field the schema does not define",
    pointers: ["/epcisBody/eventList/0/sensorElementList/0/type"],
  },
  "WithSensorData__SensorDataExample12.jsonld": {
    reason: "the document lacks schemaVersion and creationDate; its sensorElement has a `type` field",
    pointers: ["/schemaVersion", "/creationDate", "/epcisBody/eventList/0/sensorElementList/0/type"],
  },
  "WithSensorData__SensorDataExample14.jsonld": {
    reason: "its sensorElement has a `type` field the schema does not define",
    pointers: ["/epcisBody/eventList/0/sensorElementList/0/type"],
  },
  "WithSensorData__SensorDataExample15.jsonld": {
    reason: "its sensorElement has a `type` field the schema does not define",
    pointers: ["/epcisBody/eventList/0/sensorElementList/0/type"],
  },
  "WithSensorData__SensorDataExample17.jsonld": {
    reason: "schemaVersion is the number 2.0, the schema requires the string \"2.0\"",
    pointers: ["/id", "/schemaVersion"],
  },
};

const files = listSharedGs1(FOLDER).filter((f) => f.endsWith(".jsonld"));

t.test("all 46 of the standard's examples are checked: 3 valid, 32 valid but for a blank-node document id, 11 contradicting the schema", async (t) => {
  t.equal(files.length, 46);
  t.equal(Object.keys(GENUINELY_INVALID).length, 11);
  for (const name of Object.keys(GENUINELY_INVALID)) t.ok(files.includes(name), `${name} is still published`);
});

for (const file of files) {
  const document = readSharedGs1Json(`${FOLDER}/${file}`) as Record<string, unknown>;
  const pointers = validateEpcisDocument(document).map((issue) => issue.pointer);
  const known = GENUINELY_INVALID[file];
  if (known) {
    t.test(`${file} fails the official schema: ${known.reason}`, async (t) => {
      t.same(pointers.sort(), [...known.pointers].sort());
    });
  } else if (document.id === "_:document1") {
    t.test(`${file} is valid but for its blank-node document id (${BLANK_NODE_DOCUMENT_ID.reason})`, async (t) => {
      t.same(pointers, [BLANK_NODE_DOCUMENT_ID.pointer]);
      t.same(validateEpcisDocument({ ...document, id: "https://example.com/documents/1" }), [], "with a URI as its id it is valid");
    });
  } else {
    t.test(`${file} is valid`, async (t) => {
      t.same(validateEpcisDocument(document), []);
    });
  }
  // Capture validates events one by one too; the failing examples' other events must pass.
  t.test(`every event of ${file} that the schema accepts validates on its own`, async (t) => {
    const failing = new Set((known?.pointers ?? []).map((p) => /^\/epcisBody\/eventList\/(\d+)/.exec(p)?.[1]).filter(Boolean).map(Number));
    eventsOfDocument(document).forEach((event, index) => {
      if (failing.has(index)) t.not(validateEpcisEvent(event).length, 0, `event ${index} fails alone as in the document`);
      else t.same(validateEpcisEvent(event), [], `event ${index}`);
    });
  });
}
