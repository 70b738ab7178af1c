// EPCIS events: each chunk is a document of its own, captured with POST /epcis/capture. The
// service stores each event under its CBV 2.0 event hash ID and counts one it holds already as a
// duplicate (docs/epcis.md), so a chunk sent twice after an interruption stores nothing twice.
// A capture is all or nothing, so an event the service refuses (400/403 naming
// `body.epcisBody.eventList[i]…`) is set aside with its reason and the rest of the chunk sent again.
import { reasonOf, type ApiClient } from "./api.ts";
import type { Tally } from "./outcome.ts";
import type { EventsFile, IndexedEvent } from "./sources.ts";

const EVENT_FIELD = /^body\.epcisBody\.eventList\[(\d+)\]/;
const POLL_MS = 250;

interface CaptureView {
  captureID: string;
  running: boolean;
  success: boolean;
  errors: string[];
  stored: number;
  duplicates: number;
}

const idOf = (item: IndexedEvent) => {
  const eventID = (item.event as { eventID?: unknown } | null)?.eventID;
  return typeof eventID === "string" ? eventID : `eventList[${item.index}]`;
};

export async function importEvents(api: ApiClient, file: EventsFile, chunk: IndexedEvent[], chunkKey: string): Promise<Tally> {
  const tally: Tally = { created: 0, already: 0, rejected: [] };
  let pending = chunk;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const document = { ...file.frame, epcisBody: { eventList: pending.map((e) => e.event) } };
    // A retry sends other events: it gets a key of its own.
    const idempotencyKey = attempt === 0 ? chunkKey : `${chunkKey}.${attempt}`;
    const answer = await api.send("POST", "/epcis/capture", { json: document, mediaType: "application/ld+json", idempotencyKey });
    if (answer.status === 202) {
      const view = await finished(api, answer.body as CaptureView);
      if (!view.success) {
        for (const item of pending) tally.rejected.push({ where: `event ${item.index}`, id: idOf(item), code: "CAPTURE_FAILED", reason: view.errors.join("; ") || "the capture job failed" });
        return tally;
      }
      tally.created += view.stored;
      tally.already += view.duplicates;
      return tally;
    }
    const reason = reasonOf(answer);
    const at = reason.field === undefined ? null : EVENT_FIELD.exec(reason.field);
    if (at === null || Number(at[1]) >= pending.length || answer.status >= 500) {
      // Not about one event (the document, the key, its size): the whole chunk is refused.
      for (const item of pending) tally.rejected.push({ where: `event ${item.index}`, id: idOf(item), code: reason.code, reason: reason.message });
      return tally;
    }
    const bad = pending[Number(at[1])]!;
    // The service numbers events within the chunk; the file numbers them within the whole list.
    const field = reason.field!.replace(EVENT_FIELD, `eventList[${bad.index}]`);
    tally.rejected.push({ where: `event ${bad.index}`, id: idOf(bad), code: reason.code, reason: reason.message.includes(reason.field!) ? reason.message.replace(reason.field!, field) : `${field}: ${reason.message}` });
    pending = pending.filter((item) => item !== bad);
  }
  return tally;
}

/** Documents of up to 1,000 events are stored before the answer; a larger one is a job to poll. */
async function finished(api: ApiClient, view: CaptureView): Promise<CaptureView> {
  let current = view;
  while (current.running) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const answer = await api.send("GET", `/epcis/capture/${current.captureID}`);
    if (answer.status !== 200) throw new Error(`capture ${current.captureID}: ${reasonOf(answer).message}`);
    current = answer.body as CaptureView;
  }
  return current;
}
