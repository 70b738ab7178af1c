// Reads of one record by id (a receipt, a status), coalesced: the requests that arrive in one turn
// of the event loop are answered by one statement, not one each (issue 7: receipt GETs). Measured
// at 64 in flight, one statement per request spent 15–30 % of the server's main thread handing
// queries to PostgreSQL (a write to its socket, which wakes a backend) and as much again
// building and parsing them; one statement for a turn's worth of ids pays that once.
//
// DataLoader (graphql/dataloader) does the collecting. Its own cache is off: a record's status
// moves on (sealed, anchored, final), so every read asks the database. The batch is read for
// every reader at once ("all") and each request then keeps only what its scope may see, which is
// the same rule findRecords applies in SQL (inScope below, and the authorization matrix tests).
import DataLoader from "dataloader";
import type { Kysely } from "kysely";
import type { Database } from "../db/database.ts";
import { UUID_PATTERN } from "../schemas/common.ts";
import { findRecords, type RecordWithBatch } from "./repository.ts";
import type { ReadScope } from "./submitter.ts";

/** Ids read by one statement at most; more arriving in one turn make several. */
export const MAX_IDS_PER_READ = 256;

type RecordLoader = DataLoader<string, RecordWithBatch | undefined>;

/**
 * The ids PostgreSQL reads as a uuid: the routes' own rule (src/schemas/common.ts). Anything else
 * (`urn:uuid:…`, say, from a caller that skipped the schema) would fail the shared statement and
 * every read of the turn with it, so such an id is not found, on its own.
 */
const READABLE_UUID = new RegExp(UUID_PATTERN);

const loaders = new WeakMap<Kysely<Database>, RecordLoader>();

function loaderOf(db: Kysely<Database>): RecordLoader {
  let loader = loaders.get(db);
  if (loader === undefined) {
    loader = new DataLoader(
      async (ids: readonly string[]) => {
        const readable = [...new Set(ids)].filter((id) => READABLE_UUID.test(id));
        const found = new Map((await findRecords(db, readable)).map((r) => [r.id, r]));
        return ids.map((id) => found.get(id));
      },
      // setImmediate: after the I/O callbacks of this turn, so every request read from a socket in
      // it joins; DataLoader's default (the next tick) would close the batch after the first one.
      { cache: false, maxBatchSize: MAX_IDS_PER_READ, batchScheduleFn: (run) => setImmediate(run) },
    );
    loaders.set(db, loader);
  }
  return loader;
}

/**
 * The record with this id if `scope` may read it, else undefined (as if it did not exist). `db`
 * is the service's handle, never a transaction: a read inside one must see that transaction, so
 * it calls findRecords itself.
 */
export async function readRecord(db: Kysely<Database>, id: string, scope: ReadScope): Promise<RecordWithBatch | undefined> {
  const record = await loaderOf(db).load(id);
  return record && inScope(record, scope) ? record : undefined;
}

/** DESIGN.md "Visibility", as findRecords states it in SQL: everything, or the owner's own records. */
export function inScope(record: Pick<RecordWithBatch, "merchant_id" | "submitter_key_id">, scope: ReadScope): boolean {
  if (scope === "all") return true;
  if (scope.merchantId !== null) return record.merchant_id === scope.merchantId;
  return record.merchant_id === null && record.submitter_key_id === scope.keyId;
}
