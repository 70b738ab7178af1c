// Statements marked PREPARED (src/db/prepared.ts) are named prepared statements on PostgreSQL:
// parsed once per connection, planned generically after a few runs, with the same answers.
import t from "tap";
import { sql } from "kysely";
import { PREPARED } from "../../src/db/prepared.ts";
import { openTestDatabase, usingPostgres } from "../support/database.ts";

t.test("a marked statement is prepared once per connection and answers like an unmarked one", { skip: !usingPostgres && "PostgreSQL only (PGlite reads the mark as a comment)" }, async (t) => {
  const { handle, teardown } = await openTestDatabase({ DATABASE_POOL_SIZE: "1" });
  t.teardown(teardown);
  const db = handle.db;
  const lookup = (n: number) => sql<{ doubled: number }>`${PREPARED} select ${n}::int * 2 as doubled`.execute(db);
  for (let n = 0; n < 8; n++) t.equal((await lookup(n)).rows[0]!.doubled, n * 2, `run ${n} answers ${n * 2}`);
  t.equal((await sql<{ doubled: number }>`select ${21}::int * 2 as doubled`.execute(db)).rows[0]!.doubled, 42, "an unmarked statement as before");

  const { rows } = await sql<{ statement: string; generic_plans: string; custom_plans: string }>`
    select statement, generic_plans, custom_plans from pg_prepared_statements where statement like '/* prepared */%'`.execute(db);
  t.equal(rows.length, 1, "one prepared statement on the connection, whatever the parameters");
  t.equal(Number(rows[0]!.generic_plans) + Number(rows[0]!.custom_plans), 8, "that served every run");
  t.ok(Number(rows[0]!.generic_plans) > 0, "on a generic plan once PostgreSQL settled on one");
});
