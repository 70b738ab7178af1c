// The moments a crash test kills the service at, and what each kill turned out to hit. Three
// phases: while it ingests (a random moment under load, or, on PostgreSQL, every other time the
// moment a write transaction is open: mostly group commits of single records), around a seal,
// and between storing an anchor transaction and its confirmation. A kill is aimed from the server's own log lines (and,
// on PostgreSQL, from pg_stat_activity), with offsets from a seeded PRNG.
import { sql } from "kysely";
import type { Db } from "../../src/db/database.ts";
import type { LogLine, LogWatch } from "./log-watch.ts";
import type { PipelineState, TxState } from "./pipeline-state.ts";
import type { Random } from "./seeded-random.ts";

export const PHASES = ["ingest", "seal", "anchor"] as const;
export type Phase = (typeof PHASES)[number];

export const SEALED = "batch sealed";
export const STORED = "anchor transaction stored; broadcasting";
export const SEALER_OPEN = "the sealer's transaction is open";
export const WRITE_OPEN = "a write transaction is open";

const TRIGGER_TIMEOUT_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const sealedLine = (l: LogLine) => l.msg === SEALED;

export interface Kill {
  phase: Phase;
  /** The log line the kill was aimed at (null: not seen in time), and how long after it the signal went. */
  trigger: LogLine | null;
  delayMs: number;
  /** The last anchor transaction the process logged as stored and not as anchored, and where it was. */
  openTx: { batch: number; state: TxState } | null;
  /** Seals the process logged after the trigger line, before it died. */
  sealsAfterTrigger: number;
  /** The database holds a batch no process logged as sealed: killed between its commit and its log line. */
  sealUnlogged: boolean;
  /** What the database held right after the kill, when it was looked at. */
  state: PipelineState | null;
}

export interface Aim {
  watch: LogWatch;
  random: Random;
  /** How many kills of this phase came before this one. */
  occurrence: number;
  /** Whether the sealer's transaction is open right now; null where it cannot be seen (PGlite). */
  sealerInTransaction: (() => Promise<boolean>) | null;
  /** The highest batch seq known to be sealed before this process's log. */
  lastSeal: number;
  /** Whether a transaction inserting records is open right now; null where it cannot be seen (PGlite). */
  writeInTransaction?: (() => Promise<boolean>) | null;
}

/**
 * Whether a transaction that inserts records is open: between its first statement and the end of
 * its COMMIT. The insert is the subjects claim with the records in one statement (repository.ts),
 * which a group commit and a batch request share.
 */
export async function writeInTransaction(db: Db): Promise<boolean> {
  const { rows } = await sql<{ open: boolean }>`
    select exists (select 1 from pg_stat_activity
                    where datname = current_database() and pid <> pg_backend_pid()
                      and xact_start is not null and query ~ 'insert into subjects') as open`.execute(db);
  return rows[0]?.open === true;
}

/** Waits for the moment `phase` aims at; the caller kills right after it resolves. */
export async function aim(phase: Phase, { watch, random, occurrence, sealerInTransaction, lastSeal, writeInTransaction }: Aim): Promise<Pick<Kill, "trigger" | "delayMs">> {
  if (phase === "ingest" && occurrence % 2 === 1 && writeInTransaction) {
    // Inside a write: the moment PostgreSQL shows a transaction inserting records, after a random
    // moment of load (so that it is a group under way, not the first request after the restart).
    await sleep(random.int(150, 600));
    const deadline = Date.now() + TRIGGER_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await writeInTransaction()) return { trigger: { at: Date.now(), msg: WRITE_OPEN }, delayMs: 0 };
    }
    return { trigger: null, delayMs: 0 };
  }
  if (phase === "ingest") {
    const delayMs = random.int(150, 1_500);
    await sleep(delayMs);
    return { trigger: null, delayMs };
  }
  if (phase === "seal" && occurrence % 2 === 1 && sealerInTransaction) {
    // Inside a seal: the moment PostgreSQL shows the sealer's transaction open.
    const deadline = Date.now() + TRIGGER_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await sealerInTransaction()) {
        const logged = watch.lines.filter(sealedLine).map((l) => l["batch"] as number);
        return { trigger: { at: Date.now(), msg: SEALER_OPEN, batch: Math.max(lastSeal, ...logged) }, delayMs: 0 };
      }
    }
    return { trigger: null, delayMs: 0 };
  }
  if (phase === "seal" && occurrence % 2 === 1) {
    // PGlite's sessions cannot be watched from outside: aim at the next seal, one inter-seal gap
    // after the last (under steady load the gaps are alike, give or take the sealer's 50 ms poll).
    const jitterMs = random.int(-25, 25);
    const previous = await watch.next(sealedLine, TRIGGER_TIMEOUT_MS);
    const trigger = previous && (await watch.next(sealedLine, TRIGGER_TIMEOUT_MS));
    if (!previous || !trigger) return { trigger: null, delayMs: 0 };
    const delayMs = Math.max(0, trigger.at - previous.at + jitterMs);
    await sleep(trigger.at + delayMs - Date.now());
    return { trigger, delayMs };
  }
  // Just after a seal committed, before the anchorer sent it; or after an anchor transaction was
  // stored: the interval miner takes it within its interval of the broadcast, so most of these
  // kills land while it waits in the mempool, some just after it was mined, and the immediate
  // ones (every third) often before the broadcast reached the node.
  const delayMs = phase === "seal" ? random.int(0, 50) : occurrence % 3 === 0 ? 0 : random.int(0, 350);
  const trigger = await watch.next(phase === "seal" ? sealedLine : (l) => l.msg === STORED, TRIGGER_TIMEOUT_MS);
  await sleep((trigger?.at ?? Date.now()) + delayMs - Date.now());
  return { trigger, delayMs };
}

/** The last anchor transaction a process stored without logging it anchored. */
export function openTransaction(lines: LogLine[]): { batch: number; tx: string } | null {
  const stored = lines.filter((l) => l.msg === STORED).at(-1);
  if (!stored) return null;
  const done = lines.some((l) => l["batch"] === stored["batch"] && /^batch anchored/.test(l.msg));
  return done ? null : { batch: stored["batch"] as number, tx: stored["tx"] as string };
}

const TX_STATE: Record<TxState, string> = { unknown: "never reached the node", mempool: "was in the mempool", mined: "was mined, not yet recorded" };

/** One line per kill, for the test's log. */
export function describeKill(n: number, k: Kill): string {
  const aimed =
    k.phase === "ingest" && k.trigger?.msg === WRITE_OPEN ? `when ${WRITE_OPEN}`
    : k.phase === "ingest" ? `${k.delayMs} ms into the load`
    : !k.trigger ? "trigger not seen"
    : k.trigger.msg === SEALER_OPEN ? `when ${SEALER_OPEN} (after batch ${String(k.trigger["batch"])})`
    : `${k.delayMs} ms after "${k.trigger.msg}" (batch ${String(k.trigger["batch"])})`;
  const seals = (k.phase === "seal" ? `, ${k.sealsAfterTrigger} more seal(s) logged before it died` : "") + (k.sealUnlogged ? "; a seal committed, its log line never came" : "");
  const tx = k.openTx ? `; batch ${k.openTx.batch}'s anchor tx ${TX_STATE[k.openTx.state]}` : "";
  const s = k.state;
  const db = s
    ? `; db: ${s.unsealed} unsealed, sealed ${s.batches.sealed}, submitted ${s.batches.submitted}${s.submitted.map((b) => ` (${b.seq}: ${b.chain})`).join("")}, anchored ${s.batches.anchored}, final ${s.batches.final}`
    : "";
  return `kill ${n + 1} (${k.phase}): ${aimed}${seals}${tx}${db}`;
}

/** What the kills hit, counted. */
export function summarizeKills(kills: Kill[]): string[] {
  const count = (test: (k: Kill) => boolean) => kills.filter(test).length;
  return [
    `kills: ${PHASES.map((p) => `${p} ${count((k) => k.phase === p)}`).join(", ")}; triggers missed: ${count((k) => k.phase !== "ingest" && !k.trigger)}`,
    `ingest kills: ${count((k) => k.trigger?.msg === WRITE_OPEN)} while a write transaction was open (seen in pg_stat_activity: a group commit or a batch request), ` +
      `${count((k) => k.phase === "ingest" && k.trigger?.msg !== WRITE_OPEN)} at a random moment of the load`,
    `seal kills: ${count((k) => k.trigger?.msg === SEALER_OPEN && k.sealsAfterTrigger === 0 && !k.sealUnlogged)} inside an open seal transaction (seen in pg_stat_activity; its batch never committed), ` +
      `${count((k) => k.sealUnlogged)} (of any phase) between a seal's commit and its log line, ` +
      `${count((k) => k.phase === "seal" && k.trigger?.msg === SEALED && k.sealsAfterTrigger === 0 && !k.sealUnlogged)} after a seal and before the next was logged`,
    `anchor transactions left unconfirmed by a kill: ${count((k) => k.openTx?.state === "mempool")} in the mempool, ${count((k) => k.openTx?.state === "unknown")} never broadcast, ` +
      `${count((k) => k.openTx?.state === "mined")} mined but not recorded`,
    `database after the kill (${count((k) => k.state !== null)} kills looked at): a batch 'submitted' ${count((k) => (k.state?.batches.submitted ?? 0) > 0)} times, ` +
      `'sealed' ${count((k) => (k.state?.batches.sealed ?? 0) > 0)}, 'anchored' ${count((k) => (k.state?.batches.anchored ?? 0) > 0)}, records unsealed ${count((k) => (k.state?.unsealed ?? 0) > 0)}`,
  ];
}
