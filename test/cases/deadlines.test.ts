// The case deadlines (src/cases/deadlines.ts): 7 days after delivery to ask, 3 to review, 3 to
// return after a decision that sends the goods back, judged at a given moment.
import t from "tap";
import { deadlinesOf } from "../../src/cases/deadlines.ts";

const periods = { requestDays: 7, reviewDays: 3, returnDays: 3 };
const day = (n: number, hour = 0) => new Date(Date.UTC(2026, 10, n, hour));

t.test("a request within the period is met; the review is due, then overdue", async (t) => {
  const clock = { deliveredAt: day(1), openedAt: day(5), decidedAt: null, returnRequired: false };
  t.same(deadlinesOf(clock, periods, day(6)), [
    { name: "request", due: day(8).toISOString(), status: "met" },
    { name: "review", due: day(8).toISOString(), status: "due" },
  ]);
  t.equal(deadlinesOf(clock, periods, day(8, 1))[1]!.status, "overdue");
});

t.test("a request after the period is late; a decision after the review period is late", async (t) => {
  const clock = { deliveredAt: day(1), openedAt: day(9), decidedAt: day(13), returnRequired: false };
  t.same(deadlinesOf(clock, periods, day(20)).map((d) => d.status), ["late", "late"]);
});

t.test("without a delivery time the request deadline is left out, not guessed", async (t) => {
  t.same(deadlinesOf({ deliveredAt: null, openedAt: day(1), decidedAt: null, returnRequired: false }, periods, day(1)).map((d) => d.name), ["review"]);
});

t.test("a decision that sends the goods back starts the return period", async (t) => {
  const clock = { deliveredAt: null, openedAt: day(1), decidedAt: day(2), returnRequired: true };
  t.same(deadlinesOf(clock, periods, day(4)), [
    { name: "review", due: day(4).toISOString(), status: "met" },
    { name: "return", due: day(5).toISOString(), status: "due" },
  ]);
  t.equal(deadlinesOf(clock, periods, day(6))[1]!.status, "overdue");
});

t.test("the periods are the configured ones", async (t) => {
  const clock = { deliveredAt: day(1), openedAt: day(2), decidedAt: null, returnRequired: false };
  t.same(deadlinesOf(clock, { requestDays: 15, reviewDays: 5, returnDays: 7 }, day(2)).map((d) => d.due), [day(16).toISOString(), day(7).toISOString()]);
});
