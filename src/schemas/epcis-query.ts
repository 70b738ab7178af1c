import { Type } from "typebox";
import { DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_VALUES } from "../trace/events/query-params.ts";

const list = (what: string) => Type.Optional(Type.String({ description: `${what}; several values separated by | (any of them matches), at most ${MAX_VALUES}` }));
const time = (what: string) => Type.Optional(Type.String({ description: `${what} (RFC 3339 date-time with a zone offset)` }));

/** The SimpleEventQuery parameters this service takes (EPCIS 2.0 §8.2.7.1), as the REST binding's query string. */
export const EventQueryString = Type.Object(
  {
    perPage: Type.Optional(Type.String({ description: `Events a page, 1 to ${MAX_PER_PAGE} (${DEFAULT_PER_PAGE})` })),
    nextPageToken: Type.Optional(Type.String({ maxLength: 200, description: 'From the previous page\'s `Link: <…>; rel="next"` header, with the same filters' })),
    GE_eventTime: time("Events at or after this eventTime"),
    LT_eventTime: time("Events before this eventTime"),
    GE_recordTime: time("Events recorded (captured) at or after this time"),
    LT_recordTime: time("Events recorded before this time"),
    EQ_bizStep: list("CBV 2.0 bizStep (bare term, Web URI or CBV 1.x URN) or a URI of your own vocabulary"),
    EQ_disposition: list("CBV 2.0 disposition, in any of its forms, or a URI of your own vocabulary"),
    MATCH_epc: list("EPCs (EPC URI or GS1 Digital Link) or SGTIN patterns fixing a GTIN (urn:epc:idpat:sgtin:{prefix}.{item ref}.*) in epcList or childEPCs"),
    MATCH_parentID: list("EPCs or SGTIN patterns in parentID"),
    MATCH_anyEPC: list("EPCs or SGTIN patterns in any instance field: epcList, childEPCs, inputEPCList, outputEPCList, parentID"),
    MATCH_epcClass: list("EPC classes (a product's or lot's Digital Link, urn:epc:class:lgtin:…) or SGTIN patterns (the product and all its lots) in quantityList or childQuantityList"),
    MATCH_anyEPCClass: list("EPC classes or SGTIN patterns in any quantity list"),
  },
  // Unknown parameters reach the route, which refuses them naming the parameter (QueryParameterException).
  { additionalProperties: true },
);

export const EpcParams = Type.Object({
  epc: Type.String({ minLength: 1, description: "An EPC URI (urn:epc:id:sgtin:…), EPC class URI or GS1 Digital Link URI, percent-encoded" }),
});

export const EpcisQueryDocument = Type.Object(
  {
    "@context": Type.Array(Type.String()),
    type: Type.Literal("EPCISQueryDocument"),
    schemaVersion: Type.Literal("2.0"),
    creationDate: Type.String(),
    epcisBody: Type.Object({
      queryResults: Type.Object({
        queryName: Type.Literal("SimpleEventQuery"),
        resultsBody: Type.Object({ eventList: Type.Array(Type.Unknown({ description: "An EPCIS 2.0 event as captured, with its recordTime" })) }),
      }),
    }),
  },
  { description: 'An EPCIS 2.0 EPCISQueryDocument (JSON-LD). More pages: `Link: <…>; rel="next"` (RFC 8288)' },
);
