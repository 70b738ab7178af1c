// Events per second for EPCIS validation and the CBV 2.0 event hash ID, on the standard's own
// example events (../shared/gs1/epcis-examples/), one core. Capture aims at 5,000 events/s
// end to end, so these two steps must cost a small part of that budget.
//   node scripts/bench-epcis.ts [events=20000]
import { readFileSync, readdirSync } from "node:fs";
import { eventHashId, eventsOfDocument, validateEpcisDocument, validateEpcisEvent } from "../src/epcis/index.ts";

const examples = new URL("../../shared/gs1/epcis-examples/", import.meta.url);
const total = Number(process.argv[2] ?? 20_000);

const samples: { event: Record<string, unknown>; context: unknown }[] = [];
for (const file of readdirSync(examples).filter((f) => f.endsWith(".jsonld"))) {
  const document = JSON.parse(readFileSync(new URL(file, examples), "utf8")) as Record<string, unknown>;
  for (const event of eventsOfDocument(document)) {
    if (validateEpcisEvent(event).length === 0) samples.push({ event, context: document["@context"] });
  }
}
const events = Array.from({ length: total }, (_, i) => samples[i % samples.length]!);

function rate(label: string, work: () => void): void {
  work(); // once untimed, so that the line measures optimised code, not the JIT's warm-up
  const started = performance.now();
  work();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(44)} ${Math.round(total / seconds).toLocaleString("en").padStart(9)} events/s`);
}

console.log(`${samples.length} valid example events, ${total.toLocaleString("en")} validated and hashed per line`);
rate("validate each event", () => events.forEach(({ event }) => validateEpcisEvent(event)));
rate("hash each event", () => events.forEach(({ event, context }) => eventHashId(event, { context })));
rate("validate + hash each event", () => events.forEach(({ event, context }) => {
  validateEpcisEvent(event);
  eventHashId(event, { context });
}));
const document = { "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], type: "EPCISDocument", schemaVersion: "2.0", creationDate: "2024-05-01T00:00:00Z", epcisBody: { eventList: events.map(({ event }) => event) } };
rate(`validate one ${total.toLocaleString("en")}-event document`, () => validateEpcisDocument(document));
