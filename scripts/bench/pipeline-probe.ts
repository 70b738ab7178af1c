// Reads of the bench database that the pipeline parts share: how many records were accepted,
// sealed and made final so far, bytes per record, accept→final delays, and GET receipt rates.
// Counts come from the sequence and the batches table, so a sample costs the same at 2 million
// records as at 2 thousand.
import pg from "pg";
import { load } from "./single.ts";

export interface Progress {
  atMs: number;
  /** Highest records.seq drawn (rolled-back inserts aside, the records accepted). */
  accepted: number;
  sealed: number;
  final: number;
}

export interface Probe {
  progress(): Promise<Progress>;
  bytesPerRecord(): Promise<BytesPerRecord>;
  acceptToFinal(): Promise<{ records: number; p50Ms: number; p95Ms: number; maxMs: number }>;
  recordIds(n: number): Promise<string[]>;
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface BytesPerRecord {
  records: number;
  /** pg_total_relation_size (heap + TOAST + indexes) of records, batches and batch_trees, ÷ records. */
  perRecord: number;
  recordsHeap: number;
  recordsIndexes: number;
  batchStorage: number;
}

export async function openProbe(databaseUrl: string): Promise<Probe> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = performance.now();
  const query = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await client.query<T>(text, values)).rows;
  return {
    query,
    async progress() {
      const [row] = await query<{ accepted: string | null; sealed: string | null; final: string | null }>(`
        select pg_sequence_last_value(pg_get_serial_sequence('records', 'seq')::regclass) as accepted,
               (select sum(tree_size) from batches) as sealed,
               (select sum(tree_size) from batches where status = 'final') as final`);
      return { atMs: performance.now() - started, accepted: Number(row?.accepted ?? 0), sealed: Number(row?.sealed ?? 0), final: Number(row?.final ?? 0) };
    },
    async bytesPerRecord() {
      const [row] = await query<{ n: string; heap: string; idx: string; total: string; batch: string }>(`
        select (select count(*) from records) as n, pg_relation_size('records') + pg_relation_size(coalesce((select reltoastrelid from pg_class where oid = 'records'::regclass), 0)) as heap,
               pg_indexes_size('records') as idx, pg_total_relation_size('records') as total,
               pg_total_relation_size('batches') + pg_total_relation_size('batch_trees') as batch`);
      const n = Number(row!.n);
      return {
        records: n,
        perRecord: (Number(row!.total) + Number(row!.batch)) / n,
        recordsHeap: Number(row!.heap) / n,
        recordsIndexes: Number(row!.idx) / n,
        batchStorage: Number(row!.batch) / n,
      };
    },
    async acceptToFinal() {
      // accepted_at is stamped by PostgreSQL at insert, final_at by the anchorer on the same machine.
      const [row] = await query<{ n: string; p50: number; p95: number; max: number }>(`
        select count(*) as n,
               percentile_disc(0.5) within group (order by ms) as p50,
               percentile_disc(0.95) within group (order by ms) as p95, max(ms) as max
          from (select extract(epoch from (b.final_at - r.accepted_at)) * 1000 as ms
                  from batches b join records r on r.seq between b.records_from and b.records_to and r.batch_seq is null
                 where b.final_at is not null) as d`);
      return { records: Number(row!.n), p50Ms: Number(row!.p50), p95Ms: Number(row!.p95), maxMs: Number(row!.max) };
    },
    async recordIds(n) {
      // Sealed records spread over the whole table: one every (sealed / n) seqs.
      const [{ last } = { last: "0" }] = await query<{ last: string }>("select sealed_through as last from seal_progress");
      const step = Math.max(1, Math.floor(Number(last) / n));
      return (await query<{ id: string }>("select id from records where seq <= $1 and seq % $2 = 0 limit $3", [last, step, n])).map((r) => r.id);
    },
    close: () => client.end(),
  };
}

export interface ReceiptRate {
  requests: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/**
 * GET /v1/records/:id/receipt over `ids`, round and round, with the load generator of the single
 * part (single.ts load(): wrk or undici, 64 in flight), so the two receipt figures compare.
 */
export async function receiptRate(url: string, token: string, ids: readonly string[], options: { concurrency?: number; ms?: number } = {}): Promise<ReceiptRate> {
  const headers = { authorization: `Bearer ${token}` };
  const noMeter = { sample: async () => ({ server: null, database: null, client: 0 }), close: async () => {} };
  const r = await load({
    what: "GET /v1/records/:id/receipt",
    url,
    concurrency: options.concurrency ?? 64,
    warmupMs: 1_000,
    measureMs: options.ms ?? 5_000,
    meter: noMeter,
    requests: ids.map((id) => ({ method: "GET", path: `/v1/records/${id}/receipt`, headers })),
    expected: 200,
  });
  return { requests: r.requests, perSec: r.perSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors };
}
