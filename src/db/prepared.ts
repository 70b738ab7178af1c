// Named prepared statements for the hot reads (a receipt, a history check), on PostgreSQL.
//
// node-postgres sends every query as an unnamed statement, which PostgreSQL parses and plans
// anew each time. For a one-row lookup the plan costs more than the execution: the receipt's
// record-and-batch join plans in ~0.3 ms and runs in ~0.07 ms (EXPLAIN ANALYZE, PostgreSQL 15).
// A statement that starts with PREPARED is sent as a named one instead (its name is a hash of its
// text, so two texts never share a name); each connection parses it once, and after five runs
// PostgreSQL settles on a generic plan when that costs no more than the custom ones. Only
// statements whose text is fixed (parameters vary, never the SQL) may be marked, or each
// connection would keep a new prepared statement per text. PGlite reads the mark as a comment.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type pg from "pg";

const MARK = "/* prepared */";

/** Put first in a statement (sql`${PREPARED} select …`) to have it prepared once per connection. */
export const PREPARED = sql.raw(`${MARK} `);

const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `tm_${createHash("sha256").update(text).digest("base64url").slice(0, 22)}`;
    names.set(text, name);
  }
  return name;
}

type QueryFn = (...args: unknown[]) => unknown;

/** Makes each new connection of `pool` send statements that start with the mark as named ones. */
export function prepareMarkedStatements(pool: pg.Pool): void {
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as QueryFn;
    (client as unknown as { query: QueryFn }).query = (text: unknown, values?: unknown, callback?: unknown) =>
      typeof text === "string" && text.startsWith(MARK) ? query({ name: nameOf(text), text, values }, callback) : query(text, values, callback);
  });
}
