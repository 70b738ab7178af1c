// Shared by the parts of `npm run bench`: a throw-away database, a free loopback port, sample
// records, percentiles and number formatting.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";

export const quietLog = { info: () => {}, warn: () => {} };

export interface BenchDatabase {
  /** postgres:// URL of a fresh, empty database, or undefined when the bench runs on PGlite. */
  url: string | undefined;
  drop(): Promise<void>;
}

/**
 * A fresh database on the server named by DATABASE_URL (created here, dropped by drop()), so the
 * bench neither reads nor disturbs anyone's data. Without DATABASE_URL: undefined (PGlite).
 */
export async function freshDatabase(serverUrl: string | undefined): Promise<BenchDatabase> {
  if (!serverUrl) return { url: undefined, drop: async () => {} };
  const name = `tracemark_bench_${randomBytes(6).toString("hex")}`;
  await onServer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(serverUrl, `drop database if exists ${name} with (force)`).then(() => {}) };
}

/** One statement on the server's own database, on a connection of its own. */
export async function onServer(serverUrl: string, statement: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Whether commits on this server wait for the WAL to reach the disk (what "durably" means here). */
export async function durabilitySettings(serverUrl: string): Promise<string> {
  const { rows } = await onServer(serverUrl, "select current_setting('fsync') as fsync, current_setting('synchronous_commit') as sc, version() as v");
  const row = rows[0] as { fsync: string; sc: string; v: string };
  return `${row.v.split(" on ")[0]}, fsync=${row.fsync}, synchronous_commit=${row.sc}`;
}


/**
 * A realistic record: a live-stream order's evidence as a small JSON payload (the costlier
 * path: the payload is canonicalised and hashed on the server), about 200 bytes on the wire.
 */
export function sampleRecord(n: number): { kind: string; subject: string; payload: Record<string, unknown> } {
  return {
    kind: "evidence.order",
    subject: `order:${n}`,
    payload: {
      orderId: `LS-${n}`,
      sku: `SKU-${n % 977}`,
      qty: 1 + (n % 3),
      price: { amount: (n % 10_000) / 100, currency: "CNY" },
      stream: `stream:${n % 13}`,
      buyer: `buyer-${(n * 7919) % 100_003}`,
      at: new Date(1_750_000_000_000 + n * 1000).toISOString(),
    },
  };
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const verdict = (pass: boolean) => (pass ? "PASS" : "MISS");

/** CPU time (user + system) a process has used so far, ms; null where /proc cannot tell. */
export function processCpuMs(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces, hence the last ")"); utime and stime
    // are fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
