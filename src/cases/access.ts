// Who sees a case (issue 11): its consumer (through the case token), its merchant, the mediator
// the operator assigned (or who opened it), and the operator. Anyone else gets the answer a case
// that does not exist gets: 404, so that a case id reveals nothing to the wrong caller.
import type { Principal } from "../auth/api-keys.ts";
import type { CaseParty, CaseRow } from "../db/cases.table.ts";
import type { Db } from "../db/database.ts";
import { notFound } from "../errors.ts";
import type { Tx } from "../trace/domain-write.ts";

/** The party a principal acts as in cases: the operator is the admin role. */
export function partyOf(principal: Principal): CaseParty {
  return principal.role === "admin" ? "operator" : principal.role;
}

export function maySee(principal: Principal, row: CaseRow): boolean {
  switch (principal.role) {
    case "admin":
      return true;
    case "merchant":
      return row.merchant_id === principal.merchantId;
    case "mediator":
      return row.mediator_key_id === principal.keyId || row.opener_key_id === principal.keyId;
    case "consumer":
      return row.consumer_key_id === principal.keyId;
  }
}

/** The case, when `principal` may see it; else the very 404 of a case that does not exist. */
export async function visibleCase(db: Db | Tx, principal: Principal, id: string, options: { lock?: boolean } = {}): Promise<CaseRow> {
  const row = await db
    .selectFrom("cases")
    .selectAll()
    .where("id", "=", id)
    .$if(options.lock === true, (q) => q.forUpdate())
    .executeTakeFirst();
  if (!row || !maySee(principal, row)) throw notFound("case", "params.caseId");
  return row;
}
