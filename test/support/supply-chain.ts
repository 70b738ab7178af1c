// A lot's journey as EPCIS 2.0 documents, for the end-to-end test and the benchmark: items
// commissioned and packed into cases (SSCC parents under the merchant's prefix), the cases shipped
// and received, each item sold at retail. CBV 2.0 §7.2 (bizStep) and §7.3 (disposition).
import { aggregationEvent, epcisDocument, objectEvent, sscc } from "./epcis.ts";

/** Events of one stage, and the size of the documents it is captured in. */
export interface Stage {
  name: string;
  events: object[];
}

const at = (start: number, hours: number) => new Date(start + hours * 3_600_000).toISOString();

/** The case (an SSCC, GS1 General Specifications §2.2.1) holding the `n`-th group of items. */
export const caseEpc = (prefix7: string, n: number) => sscc(prefix7, String(n + 1));

/**
 * The stages of the journey of `items` (EPC URIs or Digital Link URIs), packed `perCase` to a
 * case: each case's items are commissioned by one ObjectEvent and packed by one AggregationEvent;
 * each case is shipped and received by an event of its own; each item is sold by one.
 */
export function journey(prefix7: string, items: readonly string[], perCase: number, start = Date.UTC(2026, 2, 1)): Stage[] {
  const cases = Array.from({ length: Math.ceil(items.length / perCase) }, (_, n) => ({ epc: caseEpc(prefix7, n), items: items.slice(n * perCase, (n + 1) * perCase) }));
  const store = { id: `urn:epc:id:sgln:${prefix7}.00001.0` };
  const shop = { id: `urn:epc:id:sgln:${prefix7}.00002.0` };
  return [
    {
      name: "commissioning and packing",
      events: cases.flatMap((c) => [
        objectEvent({ eventTime: at(start, 0), epcList: c.items, action: "ADD", bizStep: "commissioning", disposition: "active", readPoint: store }),
        aggregationEvent("ADD", c.epc, c.items, at(start, 1), { bizStep: "packing", disposition: "in_progress", readPoint: store }),
      ]),
    },
    { name: "shipping", events: cases.map((c) => objectEvent({ eventTime: at(start, 2), epcList: [c.epc], bizStep: "shipping", disposition: "in_transit", readPoint: store })) },
    { name: "receiving", events: cases.map((c) => objectEvent({ eventTime: at(start, 26), epcList: [c.epc], bizStep: "receiving", disposition: "in_progress", readPoint: shop, bizLocation: shop })) },
    {
      name: "retail_selling",
      events: items.map((item, i) => objectEvent({ eventTime: at(start, 48 + i / 3_600), epcList: [item], bizStep: "retail_selling", disposition: "retail_sold", readPoint: shop, bizLocation: shop })),
    },
  ];
}

/** A stage's events as EPCIS documents of at most `size` events each. */
export function documentsOf(stage: Stage, size: number): object[] {
  const documents: object[] = [];
  for (let i = 0; i < stage.events.length; i += size) documents.push(epcisDocument(stage.events.slice(i, i + size)));
  return documents;
}
