// The demo's goods and their history: a silk scarf sold in live streams, made in Suzhou, packed
// into a case, shipped to a live-stream warehouse in Hangzhou and sold there; a second lot is
// recalled. Names in Chinese and English, as the merchant's shoppers read them.
import { gs1CheckDigit } from "../gs1/index.ts";

/** A GS1 Company Prefix in GS1 China's range (690–699); the demo's GTINs live under it. */
export const DEMO_PREFIX = "6901234";

export const DEMO_MERCHANT = "丝路直播 Silk Road Live";

export const DEMO_PRODUCT = {
  name: "桑蚕丝印花方巾 Mulberry silk printed scarf",
  brand: "苏绣坊 Suxiufang",
  category: "服饰配件 Scarves & accessories",
  origin: "中国江苏苏州 Suzhou, Jiangsu, China",
  description: "100% 桑蚕丝，16 姆米，90×90 cm，手工卷边。100% mulberry silk, 16 momme, 90×90 cm, hand-rolled hem.",
};

export const DEMO_LOTS = {
  sold: { lot: "SZ2611A", productionDate: "2026-11-02", origin: "苏州吴江丝绸厂 Wujiang silk mill, Suzhou", items: 3 },
  recalled: { lot: "SZ2611B", productionDate: "2026-11-05", origin: "苏州吴江丝绸厂 Wujiang silk mill, Suzhou", items: 2 },
} as const;

export const DEMO_RECALL = {
  reason: "色牢度不达标（GB/T 3920 低于 3 级）Colour fastness to rubbing below grade 3 (GB/T 3920)",
  instructions: "请停止使用并联系客服全额退款。Stop using the scarf and contact customer service for a full refund.",
};

const CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
const cbv = (kind: "BizStep" | "Disp", value: string) => `https://ref.gs1.org/cbv/${kind}-${value}`;

/** A 13-digit GS1 key (GTIN-13, GLN) under the demo prefix, check digit included (GS1 General Specifications §7.9.1). */
export const keyUnderDemoPrefix = (reference: number) => {
  const body = DEMO_PREFIX + String(reference).padStart(12 - DEMO_PREFIX.length, "0");
  return body + gs1CheckDigit(body);
};

/** The demo case's SSCC (AI 00): extension digit 0, the prefix, a serial reference, the check digit. */
export const demoSscc = () => {
  const body = `0${DEMO_PREFIX}${"261100001".padStart(16 - DEMO_PREFIX.length, "0")}`;
  return body + gs1CheckDigit(body);
};

/** GLNs under the demo prefix, as Digital Link URIs (AI 414): the mill, the warehouse, the live-stream studio. */
export const demoPlaces = (base: string) => ({
  mill: `${base}/414/${keyUnderDemoPrefix(901)}`,
  warehouse: `${base}/414/${keyUnderDemoPrefix(902)}`,
  studio: `${base}/414/${keyUnderDemoPrefix(903)}`,
});

export interface DemoEventsInput {
  base: string;
  /** Digital Link URIs of the sold lot's items. */
  items: string[];
  /** The case they are packed into: an SSCC (AI 00) Digital Link URI. */
  caseUri: string;
}

/** Commissioning → packing → shipping → receiving → retail selling, a day or so apart (UTC+8). */
export function demoEventsDocument({ base, items, caseUri }: DemoEventsInput) {
  const at = demoPlaces(base);
  const event = (eventTime: string, fields: Record<string, unknown>) => ({ eventTime, eventTimeZoneOffset: "+08:00", ...fields });
  const eventList = [
    event("2026-11-02T09:30:00.000+08:00", {
      type: "ObjectEvent", action: "ADD", epcList: items, bizStep: cbv("BizStep", "commissioning"), disposition: cbv("Disp", "active"),
      readPoint: { id: at.mill }, bizLocation: { id: at.mill },
    }),
    event("2026-11-02T16:00:00.000+08:00", {
      type: "AggregationEvent", action: "ADD", parentID: caseUri, childEPCs: items, bizStep: cbv("BizStep", "packing"), disposition: cbv("Disp", "in_progress"),
      readPoint: { id: at.mill }, bizLocation: { id: at.mill },
    }),
    event("2026-11-03T08:15:00.000+08:00", {
      type: "ObjectEvent", action: "OBSERVE", epcList: [caseUri], bizStep: cbv("BizStep", "shipping"), disposition: cbv("Disp", "in_transit"),
      readPoint: { id: at.mill },
    }),
    event("2026-11-03T18:40:00.000+08:00", {
      type: "ObjectEvent", action: "OBSERVE", epcList: [caseUri], bizStep: cbv("BizStep", "receiving"), disposition: cbv("Disp", "in_progress"),
      readPoint: { id: at.warehouse }, bizLocation: { id: at.warehouse },
    }),
    event("2026-11-11T20:05:00.000+08:00", {
      type: "ObjectEvent", action: "OBSERVE", epcList: items.slice(0, 1), bizStep: cbv("BizStep", "retail_selling"), disposition: cbv("Disp", "retail_sold"),
      readPoint: { id: at.studio }, bizLocation: { id: at.studio },
    }),
  ];
  return { "@context": [CONTEXT], type: "EPCISDocument", schemaVersion: "2.0", creationDate: "2026-11-11T12:10:00.000Z", epcisBody: { eventList } };
}
