// Group commit for single-record writes (issue 7). A transaction of one record spends most of its
// cost on what every transaction pays: BEGIN, COMMIT and its WAL flush, a connection, round trips.
// So concurrent single-record requests share one: each request hands over its record, already
// built and checked (notarize.ts), and waits; a group is one multi-row insert (with the subjects
// claim) and one COMMIT (without Idempotency-Keys, the statement alone is the transaction); each request is answered only once the commit that holds its record is
// done, so a 202 still means durable.
//
// When a group opens: at once when no group transaction is open (a lone request does not wait
// for company, it goes on the next turn of the event loop, with whatever arrived in that same
// turn); while one is open, requests gather until GROUP_COMMIT_MAX records wait, or the oldest has
// waited GROUP_COMMIT_WINDOW_MS, or a transaction ends, and a new group opens when fewer than
// GROUP_COMMIT_TRANSACTIONS are open. Records keep their arrival order within a group (`seq`).
//
// Every request gets its own answer:
// - what can be checked before the group (body, prev links, idempotency replays) is checked by
//   notarize.ts, outside it;
// - a subject of another tenant refuses only the records of that subject (the statement says which
//   subjects were refused); an Idempotency-Key another request holds leaves out only that record;
// - two requests in one group that could not both be decided in one statement (two owners on one
//   subject, one Idempotency-Key twice) are not put together: the later one waits for the next group;
// - should the group's statements fail anyway (a value PostgreSQL refuses, a deadlock), the
//   transaction rolls back whole and each member is committed again on its own, so one bad record
//   fails only its own request. A failure of the COMMIT itself leaves the outcome unknown: every
//   member gets the error (a 5xx: retry with an Idempotency-Key), never a guessed answer.
import type { Db } from "../db/database.ts";
import { claimIdempotencyKeys, claimKey, insertOwnedRecords, releaseIdempotencyKeys, type IdempotencyClaim, type NewAcceptedRecord } from "./repository.ts";
import type { Owner } from "./submitter.ts";

export interface GroupMember {
  row: NewAcceptedRecord;
  owner: Owner;
  /** The request's Idempotency-Key claim, stored in the same transaction as its record. */
  idempotency: IdempotencyClaim | null;
}

/**
 * - committed: the record is durable.
 * - foreign-subject: the subject belongs to another owner; nothing was stored for this request.
 * - idempotency-key-taken: another request committed with the same key first; nothing was stored.
 */
export type MemberOutcome = "committed" | "foreign-subject" | "idempotency-key-taken";

export interface GroupCommitOptions {
  windowMs: number;
  maxRecords: number;
  transactions: number;
}

export interface GroupCommitStats {
  /** Transactions committed, and the records they held. */
  groups: number;
  records: number;
  /** Groups whose statements failed and whose members were then committed one by one. */
  split: number;
  /** Requests waiting for a group right now. */
  waiting: number;
}

interface Waiter {
  member: GroupMember;
  arrivedAt: number;
  resolve(outcome: MemberOutcome): void;
  reject(error: unknown): void;
}

/** The group's statements failed before COMMIT: the transaction rolled back, nothing was stored. */
class RolledBack extends Error {}

export class GroupCommitter {
  readonly #db: Db;
  readonly #options: GroupCommitOptions;
  #waiting: Waiter[] = [];
  #open = 0;
  #timer: NodeJS.Timeout | null = null;
  #pumpScheduled = false;
  readonly #running = new Set<Promise<void>>();
  readonly #stats = { groups: 0, records: 0, split: 0 };

  constructor(db: Db, options: GroupCommitOptions) {
    this.#db = db;
    this.#options = options;
  }

  /** Resolves once the transaction that holds the member's record committed, or decided not to hold it. */
  submit(member: GroupMember): Promise<MemberOutcome> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ member, arrivedAt: performance.now(), resolve, reject });
      // On the next turn: the requests that arrive in this one join the same group.
      if (!this.#pumpScheduled) {
        this.#pumpScheduled = true;
        setImmediate(() => {
          this.#pumpScheduled = false;
          this.#pump();
        });
      }
    });
  }

  stats(): GroupCommitStats {
    return { ...this.#stats, waiting: this.#waiting.length };
  }

  /** Commits what waits, without waiting for the window, and resolves when every group is done. */
  async drain(): Promise<void> {
    while (this.#waiting.length > 0 || this.#running.size > 0) {
      this.#pump(true);
      await Promise.race(this.#running);
    }
  }

  #pump(now = false): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    while (this.#waiting.length > 0 && this.#open < this.#options.transactions) {
      const waitedMs = performance.now() - this.#waiting[0]!.arrivedAt;
      const due = now || this.#open === 0 || this.#waiting.length >= this.#options.maxRecords || waitedMs >= this.#options.windowMs;
      if (!due) {
        this.#timer = setTimeout(() => this.#pump(), Math.max(0, this.#options.windowMs - waitedMs));
        return;
      }
      this.#start(this.#takeGroup());
    }
  }

  /**
   * The waiting members, in arrival order, up to the group's size; a member that conflicts with
   * one already taken (another owner on the same subject, the same Idempotency-Key) stays waiting.
   */
  #takeGroup(): Waiter[] {
    const group: Waiter[] = [];
    const left: Waiter[] = [];
    const ownerOfSubject = new Map<string, string>();
    const keys = new Set<string>();
    for (const waiter of this.#waiting) {
      const { row, owner, idempotency } = waiter.member;
      const ownerId = owner.merchantId ?? `key:${owner.keyId}`;
      const claim = idempotency ? claimKey(idempotency) : null;
      const clash = (ownerOfSubject.get(row.subject) ?? ownerId) !== ownerId || (claim !== null && keys.has(claim));
      if (group.length >= this.#options.maxRecords || clash) {
        left.push(waiter);
        continue;
      }
      ownerOfSubject.set(row.subject, ownerId);
      if (claim) keys.add(claim);
      group.push(waiter);
    }
    this.#waiting = left;
    return group;
  }

  #start(group: Waiter[]): void {
    this.#open++;
    const running = this.#run(group).finally(() => {
      this.#open--;
      this.#running.delete(running);
      this.#pump();
    });
    this.#running.add(running);
  }

  async #run(group: Waiter[]): Promise<void> {
    try {
      const outcomes = await this.#commit(group.map((w) => w.member));
      group.forEach((w, i) => w.resolve(outcomes[i]!));
      return;
    } catch (error) {
      if (!(error instanceof RolledBack) || group.length === 1) {
        const cause = error instanceof RolledBack ? error.cause : error;
        for (const w of group) w.reject(cause);
        return;
      }
    }
    // One member (or a deadlock) failed the group: each on its own now, so each gets its own answer.
    this.#stats.split++;
    for (const w of group) {
      try {
        const [outcome] = await this.#commit([w.member]);
        w.resolve(outcome!);
      } catch (error) {
        w.reject(error instanceof RolledBack ? error.cause : error);
      }
    }
  }

  async #commit(members: GroupMember[]): Promise<MemberOutcome[]> {
    const outcomes = members.some((m) => m.idempotency !== null) ? await this.#inTransaction(members) : await this.#inOneStatement(members);
    this.#stats.groups++;
    this.#stats.records += outcomes.filter((o) => o === "committed").length;
    return outcomes;
  }

  /**
   * Without Idempotency-Keys a group is one statement, which PostgreSQL runs as a transaction of
   * its own: one round trip instead of three (BEGIN, the insert, COMMIT), for the same one WAL flush.
   * An error PostgreSQL answers with (a SQLSTATE) means it rolled back; any other (the connection
   * broke) leaves the outcome unknown.
   */
  async #inOneStatement(members: GroupMember[]): Promise<MemberOutcome[]> {
    try {
      const foreign = new Set(await insertOwnedRecords(this.#db, members));
      return members.map((m) => (foreign.has(m.row.subject) ? "foreign-subject" : "committed"));
    } catch (error) {
      throw answeredByDatabase(error) ? new RolledBack("the group's statement failed", { cause: error }) : error;
    }
  }

  /** With Idempotency-Keys: their claims and the records in one transaction. */
  async #inTransaction(members: GroupMember[]): Promise<MemberOutcome[]> {
    let committing = false;
    try {
      return await this.#db.transaction().execute(async (tx) => {
        const claims = members.flatMap((m) => (m.idempotency ? [m.idempotency] : []));
        const won = await claimIdempotencyKeys(tx, claims);
        const lost = (m: GroupMember) => m.idempotency !== null && !won.has(claimKey(m.idempotency));
        const writers = members.filter((m) => !lost(m));
        const foreign = new Set(await insertOwnedRecords(tx, writers));
        // A refused request stores nothing, its Idempotency-Key included: a retry is decided afresh.
        await releaseIdempotencyKeys(tx, writers.flatMap((m) => (m.idempotency && foreign.has(m.row.subject) ? [m.idempotency] : [])));
        committing = true;
        return members.map((m): MemberOutcome => (lost(m) ? "idempotency-key-taken" : foreign.has(m.row.subject) ? "foreign-subject" : "committed"));
      });
    } catch (error) {
      throw committing ? error : new RolledBack("the group's transaction rolled back", { cause: error });
    }
  }
}

/** An error PostgreSQL sent back (SQLSTATE code and severity), not a broken connection (ECONNRESET…). */
function answeredByDatabase(error: unknown): boolean {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && typeof severity === "string";
}
