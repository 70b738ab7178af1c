// EPCIS 2.0 documents and events for the capture and history tests.
export const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

export function epcisDocument(events: object[]) {
  return { "@context": [EPCIS_CONTEXT], type: "EPCISDocument", schemaVersion: "2.0", creationDate: "2026-01-01T00:00:00.000Z", epcisBody: { eventList: events } };
}

/** urn:epc:id:sgtin for a GTIN-13 under a 7-digit company prefix (TDS §6.3.1). */
export const sgtin = (gtin13: string, serial: string) => `urn:epc:id:sgtin:${gtin13.slice(0, 7)}.0${gtin13.slice(7, 12)}.${serial}`;
export const sscc = (prefix7: string, serialReference: string) => `urn:epc:id:sscc:${prefix7}.${serialReference.padStart(10, "0")}`;
export const lgtin = (gtin13: string, lot: string) => `urn:epc:class:lgtin:${gtin13.slice(0, 7)}.0${gtin13.slice(7, 12)}.${lot}`;

export function objectEvent(fields: Record<string, unknown> & { eventTime: string }) {
  return { type: "ObjectEvent", eventTimeZoneOffset: "+08:00", action: "OBSERVE", ...fields };
}

export function aggregationEvent(action: "ADD" | "DELETE" | "OBSERVE", parentID: string, childEPCs: string[], eventTime: string, extra: Record<string, unknown> = {}) {
  return { type: "AggregationEvent", eventTime, eventTimeZoneOffset: "+08:00", parentID, childEPCs, action, ...extra };
}
