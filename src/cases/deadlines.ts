// A case's deadlines, as a typical live-commerce platform rule sets them (issue 11): a request
// within CASE_REQUEST_DAYS of delivery (7), a review and decision within CASE_REVIEW_DAYS of the
// request (3), and, when the decision sends the goods back, the return within CASE_RETURN_DAYS (3).
// Pure: the same case and the same `now` give the same answer (the bundle's report relies on it).

export interface DeadlinePeriods {
  requestDays: number;
  reviewDays: number;
  returnDays: number;
}

export type DeadlineName = "request" | "review" | "return";
/** met: done in time; late: done after the due time; due: not done, time left; overdue: not done, time up. */
export type DeadlineStatus = "met" | "late" | "due" | "overdue";

export interface Deadline {
  name: DeadlineName;
  due: string;
  status: DeadlineStatus;
}

export interface CaseClock {
  deliveredAt: Date | null;
  openedAt: Date;
  decidedAt: Date | null;
  /** The decision sends the goods back: the return deadline runs from the decision. */
  returnRequired: boolean;
}

const DAY_MS = 86_400_000;
const at = (from: Date, days: number) => new Date(from.getTime() + days * DAY_MS);

function judge(name: DeadlineName, due: Date, doneAt: Date | null, now: Date): Deadline {
  const status: DeadlineStatus = doneAt ? (doneAt <= due ? "met" : "late") : now <= due ? "due" : "overdue";
  return { name, due: due.toISOString(), status };
}

/** Outcomes whose decision sends the goods back to the merchant. */
export const RETURN_OUTCOMES: ReadonlySet<string> = new Set(["return-and-refund", "replace"]);

export function deadlinesOf(clock: CaseClock, periods: DeadlinePeriods, now: Date): Deadline[] {
  const out: Deadline[] = [];
  // Without a delivery time the request deadline cannot be judged; it is left out, not guessed.
  if (clock.deliveredAt) out.push(judge("request", at(clock.deliveredAt, periods.requestDays), clock.openedAt, now));
  out.push(judge("review", at(clock.openedAt, periods.reviewDays), clock.decidedAt, now));
  // The return is done when the merchant says so in a statement; the case row does not know, so
  // it is shown as due or overdue from the decision on.
  if (clock.decidedAt && clock.returnRequired) out.push(judge("return", at(clock.decidedAt, periods.returnDays), null, now));
  return out;
}
