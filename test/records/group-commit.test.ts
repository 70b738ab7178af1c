// Group commit through the API (src/records/group-commit.ts): concurrent single-record requests
// share a transaction, each is answered only after that transaction committed, and each gets its
// own answer. Which requests shared a transaction is read from PostgreSQL itself: a row's xmin is
// the id of the transaction that inserted it. To put chosen requests into one group, a test holds
// one subject's row lock from another connection: the group that writes to it waits, with
// GROUP_COMMIT_TRANSACTIONS=1 no other group opens, and the requests sent meanwhile gather into
// the next group.
import t from "tap";
import pg from "pg";
import { bearer, buildTestApp, merchantKey, type TestApp } from "../support/app.ts";
import { usingPostgres } from "../support/database.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Key = { token: string };

/** The transaction (xmin) that inserted each record of these subjects. */
async function insertingTransactions(h: TestApp, subjects: string[]): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: h.config.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ subject: string; xmin: string }>("select subject, xmin::text as xmin from records where subject = any($1)", [subjects]);
    return new Map(rows.map((r) => [r.subject, r.xmin]));
  } finally {
    await client.end();
  }
}

/** Locks a subject's row from another connection until release(); resolves once a writer waits on it. */
async function holdSubject(h: TestApp, subject: string) {
  const client = new pg.Client({ connectionString: h.config.DATABASE_URL });
  await client.connect();
  await client.query("begin");
  await client.query("select 1 from subjects where subject = $1 for update", [subject]);
  return {
    async untilSomeoneWaits(): Promise<void> {
      for (let i = 0; i < 200; i++) {
        const { rows } = await client.query("select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
        if (rows.length > 0) return;
        await sleep(20);
      }
      throw new Error("no transaction ever waited for the held subject");
    },
    async release(): Promise<void> {
      await client.query("commit");
      await client.end();
    },
  };
}

t.test("group commit of single-record writes", { skip: usingPostgres ? false : "needs PostgreSQL: a second connection holds a lock" }, async (t) => {
  const h = await buildTestApp({ GROUP_COMMIT_TRANSACTIONS: "1", GROUP_COMMIT_WINDOW_MS: "2" });
  t.teardown(h.close);
  const shopA = await merchantKey(h.database, "Shop A");
  const shopB = await merchantKey(h.database, "Shop B");
  const write = (key: Key, record: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method: "POST", url: "/v1/records", headers: { ...bearer(key), ...headers }, payload: record });
  const count = async (subject: string) =>
    Number((await h.database.db.selectFrom("records").select((eb) => eb.fn.countAll().as("n")).where("subject", "=", subject).executeTakeFirstOrThrow()).n);

  // A subject of A's, whose row lock holds the pipe for a test.
  t.equal((await write(shopA, { kind: "evidence.chat", subject: "held", payload: { line: 0 } })).statusCode, 202);
  /** Sends the blocker and waits until it is stuck on the held lock; `send` then fills the next group. */
  async function inOneGroup<T>(send: () => Promise<T>): Promise<{ answers: T; blocker: Awaited<ReturnType<typeof write>> }> {
    const hold = await holdSubject(h, "held");
    const blocker = write(shopA, { kind: "evidence.chat", subject: "held", payload: { line: Math.random() } });
    await hold.untilSomeoneWaits();
    const answers = send();
    await sleep(300); // every request reaches the queue behind the blocked group
    await hold.release();
    return { answers: await answers, blocker: await blocker };
  }

  t.test("concurrent requests share one transaction", async (t) => {
    const subjects = Array.from({ length: 40 }, (_, i) => `order:share-${i}`);
    const answers = await Promise.all(subjects.map((subject, i) => write(shopA, { kind: "evidence.order", subject, payload: { i } })));
    t.same(answers.map((a) => a.statusCode), subjects.map(() => 202), "every request is answered 202");
    const transactions = new Set((await insertingTransactions(h, subjects)).values());
    t.ok(transactions.size < subjects.length, `40 records were committed in ${transactions.size} transactions`);
  });

  t.test("each request is answered only after the commit that holds its record", async (t) => {
    const hold = await holdSubject(h, "held");
    const subjects = Array.from({ length: 10 }, (_, i) => `order:wait-${i}`);
    let answered = 0;
    const requests = [
      write(shopA, { kind: "evidence.chat", subject: "held", payload: { line: "waits" } }),
      ...subjects.map((subject) => write(shopA, { kind: "evidence.order", subject, payload: {} })),
    ].map((p) => p.then((res) => (answered++, res)));
    await hold.untilSomeoneWaits();
    await sleep(300);
    t.equal(answered, 0, "no request is answered while its group's transaction cannot commit");
    t.equal((await insertingTransactions(h, subjects)).size, 0, "and none of their records is visible to another connection");
    await hold.release();
    const answers = await Promise.all(requests);
    t.same(answers.map((a) => a.statusCode), answers.map(() => 202), "once it commits, every one is answered 202");
    t.equal((await insertingTransactions(h, subjects)).size, subjects.length, "and every record is there");
  });

  t.test("one tenant's refused request does not fail the others in its group", async (t) => {
    t.equal((await write(shopA, { kind: "provenance.origin", subject: "item:a-own", payload: {} })).statusCode, 202);
    const mine = Array.from({ length: 5 }, (_, i) => `order:group-a-${i}`);
    const { answers } = await inOneGroup(() =>
      Promise.all([
        ...mine.slice(0, 2).map((subject) => write(shopA, { kind: "evidence.order", subject, payload: {} })),
        write(shopB, { kind: "provenance.retail", subject: "item:a-own", payload: { fake: true } }),
        ...mine.slice(2).map((subject) => write(shopA, { kind: "evidence.order", subject, payload: {} })),
      ]),
    );
    const refused = answers[2]!;
    t.equal(refused.statusCode, 403, "B's record on A's subject is refused");
    t.equal(refused.json().error.field, "body.subject", "naming body.subject");
    t.same([...answers.slice(0, 2), ...answers.slice(3)].map((a) => a.statusCode), [202, 202, 202, 202, 202], "A's records around it are accepted");
    const transactions = await insertingTransactions(h, mine);
    t.equal(new Set(transactions.values()).size, 1, "and committed in one transaction, with B's request in its group");
    t.equal(await count("item:a-own"), 1, "nothing was appended to A's subject");
  });

  t.test("two tenants racing on a new subject in one group: the first wins, the second is refused", async (t) => {
    const { answers } = await inOneGroup(async () => {
      const a = write(shopA, { kind: "evidence.chat", subject: "race:in-group", payload: { by: "A" } });
      await sleep(50);
      const b = write(shopB, { kind: "evidence.chat", subject: "race:in-group", payload: { by: "B" } });
      return Promise.all([a, b]);
    });
    t.same(answers.map((a) => a.statusCode), [202, 403]);
    t.equal(await count("race:in-group"), 1);
  });

  t.test("a record PostgreSQL refuses fails only its own request", async (t) => {
    const good = Array.from({ length: 4 }, (_, i) => `order:nul-neighbour-${i}`);
    const { answers } = await inOneGroup(() =>
      Promise.all([
        ...good.map((subject) => write(shopA, { kind: "evidence.order", subject, payload: {} })),
        // A NUL in text: PostgreSQL refuses it (22021), the group's statement fails with it.
        write(shopA, { kind: "evidence.order", subject: "order:nul\u0000here", payload: {} }),
      ]),
    );
    t.same(answers.slice(0, 4).map((a) => a.statusCode), [202, 202, 202, 202], "the other records of the group are accepted");
    t.not(answers[4]!.statusCode, 202, `the refused record is not answered 202 (${answers[4]!.statusCode})`);
    t.equal((await insertingTransactions(h, good)).size, good.length, "and stored");
  });

  t.test("Idempotency-Key under grouping: one record, replays for the duplicates, 409 for another body", async (t) => {
    const body = { kind: "evidence.payment", subject: "order:pay-group", payload: { amount: 99 } };
    const key = { "idempotency-key": "pay-group-1" };
    const { answers } = await inOneGroup(() =>
      Promise.all([write(shopA, body, key), write(shopA, body, key), write(shopA, { ...body, payload: { amount: 100 } }, key), write(shopA, body, key)]),
    );
    const [first, second, other, third] = answers;
    t.same([first, second, third].map((a) => a!.statusCode), [202, 202, 202], "every copy of the request is answered 202");
    t.equal(new Set([first, second, third].map((a) => a!.json().id)).size, 1, "with the same record");
    t.same([first, second, third].map((a) => a!.headers["idempotent-replayed"]).sort(), ["false", "true", "true"], "created once, replayed twice");
    t.equal(other!.statusCode, 409, "the same key with another body is refused");
    t.equal(other!.json().error.code, "IDEMPOTENCY_KEY_REUSED");
    t.equal(await count("order:pay-group"), 1, "one record is stored");
    const later = await write(shopA, body, key);
    t.equal(later.headers["idempotent-replayed"], "true", "and a later retry is a replay of it");
    t.equal(later.json().id, first!.json().id);
  });

  t.test("a refused keyed request leaves its Idempotency-Key free", async (t) => {
    const key = { "idempotency-key": "b-on-a" };
    const { answers } = await inOneGroup(() => Promise.all([write(shopB, { kind: "provenance.retail", subject: "item:a-own", payload: {} }, key), write(shopB, { kind: "evidence.chat", subject: "chat:b-own", payload: {} })]));
    t.same(answers.map((a) => a.statusCode), [403, 202]);
    const retry = await write(shopB, { kind: "provenance.retail", subject: "item:a-own", payload: {} }, key);
    t.equal(retry.statusCode, 403, "a retry is decided afresh, not replayed from a record that was never stored");
  });
});
