// Runs the sealer and the anchorer as two loops in the leader process. Errors never stop them:
// an RPC or database failure is logged and retried with backoff while the API keeps accepting.
import { parseUnits } from "ethers";
import type { ChainHandle } from "../chain/connect.ts";
import type { Config } from "../config.ts";
import type { DatabaseHandle } from "../db/connect.ts";
import { Anchorer, short, type PipelineLog } from "./anchorer.ts";
import { leadership } from "./leader.ts";
import { sealBatch, sealIsDue } from "./sealer.ts";
import { settledSequence } from "./settled.ts";
import { warmTreeWorker } from "./tree-builder.ts";

export interface Pipeline {
  stop(): Promise<void>;
}

const SEAL_POLL_MS = 50;
const LEADER_POLL_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/** A write transaction on records open this long holds sealing back (settled.ts): say so, once a minute. */
const HELD_BACK_WARN_MS = 10_000;
const HELD_BACK_REPEAT_MS = 60_000;

export function startPipeline(config: Config, database: DatabaseHandle, chain: ChainHandle, log: PipelineLog): Pipeline {
  const lead = leadership(database);
  const anchorer = new Anchorer(database.db, chain, anchorPolicy(config), log);
  let stopping = false;
  const sleepers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  async function loop(name: string, idleMs: number, work: () => Promise<boolean>): Promise<void> {
    let failures = 0;
    while (!stopping) {
      try {
        if (!(await lead.check())) {
          await sleep(LEADER_POLL_MS);
          continue;
        }
        const progressed = await work();
        if (failures > 0) log.info({ loop: name }, `${name} recovered`);
        failures = 0;
        if (!progressed) await sleep(idleMs);
      } catch (error) {
        failures += 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 7));
        log.warn({ loop: name, err: short(error), retryInMs: backoff }, `${name} failed; retrying`);
        await sleep(backoff);
      }
    }
  }

  const settled = settledSequence();
  let warnedAt = 0;
  let sealing = false;
  const sealer = loop("sealer", SEAL_POLL_MS, async () => {
    // The tree worker starts with this process's first turn as the leader, not in every replica.
    if (!sealing) {
      sealing = true;
      void warmTreeWorker();
    }
    const due = await sealIsDue(database.db, { batchMax: config.BATCH_MAX, intervalMs: config.BATCH_INTERVAL_MS }, settled);
    const held = settled.heldBy();
    if (held && held.sinceMs >= HELD_BACK_WARN_MS && Date.now() - warnedAt >= HELD_BACK_REPEAT_MS) {
      warnedAt = Date.now();
      log.warn({ pids: held.pids, forMs: held.sinceMs }, "sealing waits for open transactions that wrote to records");
    }
    if (!due) return false;
    const batch = await sealBatch(database.db, config.BATCH_MAX, settled);
    if (batch) log.info({ batch: batch.seq, size: batch.treeSize, root: batch.root }, "batch sealed");
    return batch !== null;
  });
  const anchoring = loop("anchorer", config.CHAIN_POLL_MS, () => anchorer.step());

  return {
    async stop() {
      stopping = true;
      for (const wake of [...sleepers]) wake();
      await Promise.all([sealer, anchoring]);
      await lead.release();
    },
  };
}

export function anchorPolicy(config: Config) {
  return {
    confirmations: config.CONFIRMATIONS,
    finality: config.FINALITY,
    gasLimit: config.ANCHOR_GAS_LIMIT,
    mineWaitMs: Math.max(1_000, config.CHAIN_POLL_MS * 4),
    ...(config.MAX_FEE_PER_GAS_GWEI !== undefined ? { maxFeePerGasWei: parseUnits(String(config.MAX_FEE_PER_GAS_GWEI), "gwei") } : {}),
    ...(config.MAX_PRIORITY_FEE_PER_GAS_GWEI !== undefined ? { maxPriorityFeePerGasWei: parseUnits(String(config.MAX_PRIORITY_FEE_PER_GAS_GWEI), "gwei") } : {}),
  };
}
