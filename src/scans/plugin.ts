// Scans, clone warnings and claims, for the routes and pages that need them: `app.scans`.
// The scan page calls recordScan() for every view (synchronous, in memory: counter.ts) and
// summary() for what it shows; the claim route calls claim(). The counter writes what is left
// when the app closes.
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { pinKeyOf } from "../trace/pins.ts";
import { claimItem, type Claimed } from "./claims.ts";
import type { CloneThresholds } from "./clone-rules.ts";
import { ScanCounter } from "./counter.ts";
import { deviceHasher, scanSaltOf, type DeviceHasher } from "./device.ts";
import { scanSummary, SummaryRows, type ScanSummary, type SummaryOptions } from "./summary.ts";

export interface Scans {
  /** The coarse device id of a request (device.ts). */
  deviceOf(request: FastifyRequest): string;
  /** Counts one view of an item page: cheap and synchronous, never a database write. */
  recordScan(request: FastifyRequest, itemSubject: string): void;
  /** "First checked on …, checked N times on M devices", the claim, and the clone warnings, as seen by this request's device. */
  summary(request: FastifyRequest, itemSubject: string, options?: SummaryOptions): Promise<ScanSummary>;
  claim(request: FastifyRequest, input: { uri: string; pin: string }): Promise<Claimed>;
  /** Writes the scans gathered in memory now (tests; close() does it too). */
  flush(): Promise<void>;
}

declare module "fastify" {
  interface FastifyInstance {
    scans: Scans;
  }
}

async function scansPlugin(app: FastifyInstance): Promise<void> {
  const { salt, perProcess } = scanSaltOf(app.config);
  if (perProcess && app.database.kind === "postgresql") {
    app.log.warn("SCAN_DEVICE_SALT is not set: device ids are keyed for this process only, so device counts start again after a restart");
  }
  const hasher: DeviceHasher = deviceHasher(salt);
  const counter = new ScanCounter(app.db, {
    flushMs: app.config.SCAN_FLUSH_MS,
    onFlushError: (error) => app.log.warn({ err: error }, "scan counts could not be written; they are kept for the next flush"),
  });
  app.addHook("onClose", () => counter.close());
  const thresholds: CloneThresholds = { maxDevices: app.config.CLONE_MAX_DEVICES };
  const pinKey = pinKeyOf(app.config, app.database.kind);
  const limits = { perItem: app.config.CLAIM_MAX_FAILURES_PER_ITEM, perClient: app.config.CLAIM_MAX_FAILURES_PER_CLIENT, windowMs: app.config.CLAIM_FAILURE_WINDOW_MS };

  // Scan pages of a hot item share the database's part of its summary for up to a flush interval.
  const rows = new SummaryRows(app.config.SCAN_FLUSH_MS);
  // Asked for twice by a scan page (its count, its summary): computed once per request.
  const devices = new WeakMap<FastifyRequest, string>();
  const deviceOf = (request: FastifyRequest) => {
    let device = devices.get(request);
    if (device === undefined) devices.set(request, (device = hasher.device(request.ip, request.headers["user-agent"])));
    return device;
  };
  app.decorate("scans", {
    deviceOf,
    recordScan: (request, subject) => counter.record(subject, deviceOf(request)),
    summary: (request, subject, options) => scanSummary(app.db, counter, thresholds, subject, deviceOf(request), { rows, ...options }),
    claim: async (request, input) => {
      const claimed = await claimItem({ db: app.db, pinKey, limits }, input, { client: hasher.client(request.ip), device: deviceOf(request) });
      rows.claimed();
      return claimed;
    },
    flush: () => counter.flush(),
  } satisfies Scans);
}

export default fp(scansPlugin, { name: "tracemark-scans", dependencies: ["tracemark-context"] });
