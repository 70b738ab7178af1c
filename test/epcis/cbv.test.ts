// The CBV 2.0 vocabularies: the same terms as the official schema, every form of a term read
// alike, and a label for every business step and disposition in every locale.
import t from "tap";
import {
  BIZ_STEP_LABELS, BIZ_STEPS, BIZ_TRANSACTION_TYPES, CBV_LABEL_LOCALES, DISPOSITION_LABELS, DISPOSITIONS, ERROR_REASONS,
  MEASUREMENT_TYPES, SENSOR_ALERT_TYPES, SENSOR_COMPONENTS, SOURCE_DESTINATION_TYPES, cbvTerm, cbvWebUri, isBizStep,
  legacyCbvUrnToWebUri,
} from "../../src/epcis/index.ts";
import { readSharedGs1Json } from "../support/shared-gs1.ts";

const definitions = (readSharedGs1Json("EPCIS-JSON-Schema.json") as { definitions: Record<string, { anyOf: { enum?: string[] }[] }> }).definitions;
const schemaEnum = (definition: string) => definitions[definition]!.anyOf.find((s) => s.enum)!.enum!;

t.test("the term lists are the official schema's enums, in its order", async (t) => {
  t.same(BIZ_STEPS, schemaEnum("bizStep"));
  t.same(DISPOSITIONS, schemaEnum("disposition"));
  t.same(BIZ_TRANSACTION_TYPES, schemaEnum("bizTransaction-type"));
  t.same(SOURCE_DESTINATION_TYPES, schemaEnum("source-dest-type"));
  t.same(ERROR_REASONS, schemaEnum("error-reason"));
  t.same(SENSOR_COMPONENTS, schemaEnum("component"));
  t.same(MEASUREMENT_TYPES, schemaEnum("measurementType"));
  t.same(SENSOR_ALERT_TYPES, schemaEnum("sensorAlertType"));
});

t.test("a bare term, its Web URI and its CBV 1.x URN are the same term", async (t) => {
  for (const form of ["shipping", "https://ref.gs1.org/cbv/BizStep-shipping", "urn:epcglobal:cbv:bizstep:shipping"]) {
    t.equal(cbvTerm("bizStep", form), "shipping", form);
    t.equal(cbvWebUri("bizStep", form), "https://ref.gs1.org/cbv/BizStep-shipping", form);
  }
  t.equal(cbvWebUri("disposition", "urn:epcglobal:cbv:disp:recalled"), "https://ref.gs1.org/cbv/Disp-recalled");
  t.equal(cbvWebUri("bizTransactionType", "po"), "https://ref.gs1.org/cbv/BTT-po");
  t.equal(cbvWebUri("sourceDestinationType", "urn:epcglobal:cbv:sdt:owning_party"), "https://ref.gs1.org/cbv/SDT-owning_party");
  t.equal(cbvWebUri("measurementType", "Temperature"), "https://gs1.org/voc/Temperature");
  t.equal(cbvWebUri("sensorComponent", "latitude"), "https://ref.gs1.org/cbv/Comp-latitude");
});

t.test("a value outside the vocabulary is no term and keeps its own URI", async (t) => {
  t.equal(cbvTerm("bizStep", "shiping"), undefined);
  t.equal(cbvTerm("bizStep", "https://ref.gs1.org/cbv/Disp-recalled"), undefined, "a disposition is not a bizStep");
  t.equal(cbvWebUri("bizStep", "https://vocab.example.com/bizstep/unboxing"), "https://vocab.example.com/bizstep/unboxing");
  t.ok(isBizStep("retail_selling"));
  t.notOk(isBizStep("recalled"));
});

t.test("legacy URNs of every CBV 1.x vocabulary become Web URIs; other URNs stay", async (t) => {
  t.equal(legacyCbvUrnToWebUri("urn:epcglobal:cbv:bizstep:receiving"), "https://ref.gs1.org/cbv/BizStep-receiving");
  t.equal(legacyCbvUrnToWebUri("urn:epcglobal:cbv:disp:in_transit"), "https://ref.gs1.org/cbv/Disp-in_transit");
  t.equal(legacyCbvUrnToWebUri("urn:epcglobal:cbv:btt:desadv"), "https://ref.gs1.org/cbv/BTT-desadv");
  t.equal(legacyCbvUrnToWebUri("urn:epcglobal:cbv:er:incorrect_data"), "https://ref.gs1.org/cbv/ER-incorrect_data");
  t.equal(legacyCbvUrnToWebUri("urn:epcglobal:cbv:bt:0614141073467:1152"), "urn:epcglobal:cbv:bt:0614141073467:1152", "a business transaction id is not a vocabulary term");
});

t.test("every bizStep and disposition has a label in every locale, and no label is left over", async (t) => {
  t.same(Object.keys(BIZ_STEP_LABELS).sort(), [...BIZ_STEPS].sort());
  t.same(Object.keys(DISPOSITION_LABELS).sort(), [...DISPOSITIONS].sort());
  for (const [term, label] of [...Object.entries(BIZ_STEP_LABELS), ...Object.entries(DISPOSITION_LABELS)]) {
    for (const locale of CBV_LABEL_LOCALES) t.ok(label[locale].trim().length > 0, `${term} in ${locale}`);
  }
  t.equal(DISPOSITION_LABELS.recalled["zh-CN"], "已召回");
});
