// Coalesced reads of one record (src/records/record-reads.ts), against the test database: the reads
// of one turn share a statement, and each still sees only what its scope may read.
import { randomBytes, randomUUID } from "node:crypto";
import type { KyselyPlugin } from "kysely";
import t from "tap";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { createMerchant } from "../../src/merchants/merchants.ts";
import { readRecord } from "../../src/records/record-reads.ts";
import { insertOwnedRecords, type NewAcceptedRecord } from "../../src/records/repository.ts";
import type { Owner } from "../../src/records/submitter.ts";
import { openTestDatabase } from "../support/database.ts";

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

t.test("reads of one record by id", async (t) => {
  const { handle, teardown } = await openTestDatabase();
  t.teardown(teardown);
  const shopA = await createMerchant(handle.db, "Shop A");
  const shopB = await createMerchant(handle.db, "Shop B");
  const keyA = await issueApiKey(handle.db, { role: "merchant", merchantId: shopA.id });
  const keyB = await issueApiKey(handle.db, { role: "merchant", merchantId: shopB.id });
  const adminKey = await issueApiKey(handle.db, { role: "admin" });
  const ofA: Owner = { merchantId: shopA.id, keyId: null };
  const ofB: Owner = { merchantId: shopB.id, keyId: null };
  const ofAdmin: Owner = { merchantId: null, keyId: adminKey.keyId };

  const store = async (owner: Owner, keyId: string, count: number): Promise<string[]> => {
    const rows: NewAcceptedRecord[] = Array.from({ length: count }, () => ({
      id: randomUUID(),
      kind: "evidence.chat",
      subject: `order:${randomUUID()}`,
      envelope: "{}",
      record_hash: hex(32),
      salt: hex(32),
      leaf_hash: hex(32),
      submitter_key_id: keyId,
      merchant_id: owner.merchantId,
    }));
    await insertOwnedRecords(handle.db, rows.map((row) => ({ row, owner })));
    return rows.map((r) => r.id);
  };
  const idsA = await store(ofA, keyA.keyId, 40);
  const [idB] = await store(ofB, keyB.keyId, 1);
  const [idAdmin] = await store(ofAdmin, adminKey.keyId, 1);

  t.test("the reads that arrive in one turn are answered by one statement", async (t) => {
    let statements = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => (statements++, args.node),
      transformResult: async (args) => args.result,
    };
    const db = handle.db.withPlugin(counting);
    const records = await Promise.all(idsA.map((id) => readRecord(db, id, ofA)));
    t.same(records.map((r) => r?.id), idsA, "each read gets its own record, in the order asked");
    t.equal(statements, 1, "40 reads, 1 statement (the records are unsealed: no tree to read)");
  });

  t.test("a merchant reads its own records and nobody else's, even when both are read in the same statement", async (t) => {
    const [own, foreign, admins] = await Promise.all([readRecord(handle.db, idsA[0]!, ofA), readRecord(handle.db, idB!, ofA), readRecord(handle.db, idAdmin!, ofA)]);
    t.equal(own?.id, idsA[0]);
    t.equal(foreign, undefined, "Shop B's record is not there for Shop A");
    t.equal(admins, undefined, "nor is a record an admin key submitted outside any merchant");
  });

  t.test("an admin key's own scope is the records it submitted outside any merchant", async (t) => {
    t.equal((await readRecord(handle.db, idAdmin!, ofAdmin))?.id, idAdmin);
    t.equal(await readRecord(handle.db, idsA[0]!, ofAdmin), undefined);
    const other = await issueApiKey(handle.db, { role: "admin" });
    t.equal(await readRecord(handle.db, idAdmin!, { merchantId: null, keyId: other.keyId }), undefined, "another admin key's records are not its own");
  });

  t.test("the scope `all` (mediators, the operator) reads every record", async (t) => {
    const read = await Promise.all([idsA[1]!, idB!, idAdmin!].map((id) => readRecord(handle.db, id, "all")));
    t.same(read.map((r) => r?.id), [idsA[1], idB, idAdmin]);
  });

  t.test("an id PostgreSQL would refuse (urn:uuid:…, which the routes' uuid format lets through) is not found, and the other reads of its turn are answered", async (t) => {
    const [odd, upper, next] = await Promise.all([
      readRecord(handle.db, `urn:uuid:${idB}`, "all"),
      readRecord(handle.db, idB!.toUpperCase(), "all"),
      readRecord(handle.db, idB!, "all"),
    ]);
    t.equal(odd, undefined);
    t.equal(upper, undefined, "records are stored and named in lower case");
    t.equal(next?.id, idB);
  });

  t.test("an unknown id is not found, and one id asked twice in a turn is answered twice", async (t) => {
    const [unknown, first, second] = await Promise.all([readRecord(handle.db, randomUUID(), "all"), readRecord(handle.db, idB!, ofB), readRecord(handle.db, idB!, ofB)]);
    t.equal(unknown, undefined);
    t.equal(first?.id, idB);
    t.equal(second?.id, idB);
  });
});
