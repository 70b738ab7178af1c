// What became of each row or event: the summary's three counts, and why anything was rejected.

export interface Rejection {
  /** Where in the file: "line 7" (CSV, the header is line 1) or "event 12" (eventList index, from 0). */
  where: string;
  /** What it was: a GTIN, GTIN + lot, or an eventID when the event has one. */
  id: string;
  code: string;
  reason: string;
}

export interface Tally {
  created: number;
  /** Sent before (an earlier, interrupted run) or registered some other way: nothing new written. */
  already: number;
  rejected: Rejection[];
}

export const emptyTally = (): Tally => ({ created: 0, already: 0, rejected: [] });

export function addTally(into: Tally, more: Tally): void {
  into.created += more.created;
  into.already += more.already;
  into.rejected.push(...more.rejected);
}

export const handled = (tally: Tally) => tally.created + tally.already + tally.rejected.length;
