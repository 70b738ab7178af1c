// One active sealer/anchorer per database (DESIGN.md "Past one machine"): the process that holds
// a session-level PostgreSQL advisory lock on a dedicated connection leads. If that connection
// dies, the server releases the lock and another process takes over.
import type pg from "pg";
import type { DatabaseHandle } from "../db/connect.ts";

// A fixed 64-bit key for pg_try_advisory_lock: "tracemark pipeline".
const PIPELINE_LOCK_KEY = "7308895158471206753";
const CONFIRM_EVERY_MS = 1_000;

export interface Leadership {
  /** True while this process holds the lock; tries to take it when it does not. */
  check(): Promise<boolean>;
  release(): Promise<void>;
}

export function leadership(database: DatabaseHandle): Leadership {
  // PGlite lives inside this one process: there is nobody to share the pipeline with.
  if (!database.openLockClient) return { check: async () => true, release: async () => {} };
  const open = database.openLockClient;
  let client: pg.Client | null = null;
  let leading = false;
  let lastConfirmed = 0;

  const drop = () => {
    const c = client;
    client = null;
    leading = false;
    void c?.end().catch(() => {});
  };

  async function attempt(): Promise<boolean> {
    try {
      if (!client) {
        const opened = await open();
        // Only the current client's death ends leadership; a late event from an old one must not.
        const dropIfCurrent = () => {
          if (client === opened) drop();
        };
        opened.on("error", dropIfCurrent);
        opened.on("end", dropIfCurrent);
        client = opened;
      }
      if (leading) {
        // The loops ask many times a second; the connection's error and end events report a loss
        // at once, so a round trip to prove it is still alive is needed only now and then.
        if (Date.now() - lastConfirmed < CONFIRM_EVERY_MS) return true;
        await client.query("select 1"); // still connected, so still holding the lock
        lastConfirmed = Date.now();
        return true;
      }
      const { rows } = await client.query<{ locked: boolean }>("select pg_try_advisory_lock($1::bigint) as locked", [PIPELINE_LOCK_KEY]);
      leading = rows[0]?.locked === true;
      lastConfirmed = Date.now();
      return leading;
    } catch {
      drop();
      return false;
    }
  }

  // The sealer and the anchorer ask at the same moment. Run side by side, two checks would each
  // open a client, the second would replace the first, and the first (unreferenced, never closed)
  // could keep the lock while this process no longer leads: no pipeline anywhere until it exits.
  // So concurrent callers share one check.
  let pending: Promise<boolean> | null = null;

  return {
    check() {
      pending ??= attempt().finally(() => {
        pending = null;
      });
      return pending;
    },
    async release() {
      const c = client;
      client = null;
      leading = false;
      if (c) await c.end().catch(() => {});
    },
  };
}
