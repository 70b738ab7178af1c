// Issue 7: every query the sealer runs on a timer is an index lookup whose cost does not grow with
// the table, vacuumed or not. EXPLAIN (ANALYZE, BUFFERS) of the very statements the sealer sends,
// on a table of which almost every record is sealed and that was never vacuumed.
import t from "tap";
import { sql, type RawBuilder } from "kysely";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { createMerchant } from "../../src/merchants/merchants.ts";
import { oldestWaiting, sealBatch, sealedThrough, waitingIn } from "../../src/pipeline/sealer.ts";
import { openTestDatabase, usingPostgres } from "../support/database.ts";

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Shared Hit Blocks": number;
  "Shared Read Blocks": number;
  Plans?: PlanNode[];
}

const RECORDS = 120_000;
const WAITING = 1_500;

t.test("the sealer's reads are bounded index scans on a mostly sealed, unvacuumed table", { skip: usingPostgres ? false : "the plans are PostgreSQL's" }, async (t) => {
  const { handle, teardown } = await openTestDatabase();
  t.teardown(teardown);
  const db = handle.db;
  const merchant = await createMerchant(db, "Plans Shop");
  const key = await issueApiKey(db, { role: "merchant", merchantId: merchant.id });
  const insert = (n: number) => sql`
    insert into records (id, kind, subject, envelope, record_hash, salt, leaf_hash, submitter_key_id)
    select gen_random_uuid(), 'evidence.chat', 'plans:' || i, '{"i":' || i || '}', encode(sha256(('r' || i)::bytea), 'hex'),
           encode(sha256(('s' || i)::bytea), 'hex'), encode(sha256(('l' || i || random())::bytea), 'hex'), ${key.keyId}
      from generate_series(1, ${n}) as i`.execute(db);
  await insert(RECORDS - WAITING);
  while (await sealBatch(db, 20_000)) {
    /* seal everything there is */
  }
  await insert(WAITING);
  const from = await sealedThrough(db);
  t.equal(from, RECORDS - WAITING, `${RECORDS - WAITING} records sealed, ${WAITING} waiting`);
  const { rows: stats } = await sql<{ vacuums: string }>`select coalesce(vacuum_count + autovacuum_count, 0) as vacuums from pg_stat_user_tables where relname = 'records'`.execute(db);
  t.equal(Number(stats[0]?.vacuums ?? 0), 0, "and the table was never vacuumed");

  const explain = async (query: RawBuilder<unknown>) => {
    const compiled = query.compile(db);
    const { rows } = await sql<{ "QUERY PLAN": [{ Plan: PlanNode }] }>`explain (analyze, buffers, format json) ${sql.raw(inline(compiled.sql, compiled.parameters))}`.execute(db);
    return rows[0]!["QUERY PLAN"][0].Plan;
  };

  for (const [what, query, top, maxBuffers] of [
    ["the oldest waiting record", oldestWaiting(from), "Limit", 10],
    ["the next batch's 1,000 records", waitingIn(from, from + 1_000), "Aggregate", 200],
  ] as const) {
    const plan = await explain(query);
    const nodes = flatten(plan);
    const scan = nodes.find((n) => /^(Index|Bitmap Index)/.test(n["Node Type"]));
    t.equal(plan["Node Type"], top, `${what}: ${top === "Limit" ? "a Limit" : "an Aggregate"}…`);
    t.equal(scan?.["Index Name"], "records_seq_key", `…over a range scan of records_seq_key (${nodes.map((n) => n["Node Type"]).join(" → ")})`);
    t.same(nodes.filter((n) => n["Node Type"] === "Seq Scan"), [], "no sequential scan");
    const buffers = plan["Shared Hit Blocks"] + plan["Shared Read Blocks"];
    t.ok(buffers <= maxBuffers, `${what} touches ${buffers} buffers (at most ${maxBuffers}) of a ${RECORDS.toLocaleString("en")}-record table`);
  }
});

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}

/** The statement with its parameters written in, so EXPLAIN plans it as the sealer's custom plan would. */
function inline(text: string, parameters: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = parameters[Number(n) - 1];
    if (typeof value === "number" || typeof value === "bigint") return String(value);
    return `'${String(value).replace(/'/g, "''")}'`;
  });
}
