import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { openBlobStore, type BlobStore } from "../evidence/blobs/index.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** The evidence file store BLOB_DRIVER names (src/evidence/blobs/). */
    blobs: BlobStore;
  }
}

// Opens the store, removes what puts interrupted by a crash left behind (temporary files, never a
// final one: there is no half file under a final name to remove), and closes it with the app.
async function blobsPlugin(app: FastifyInstance): Promise<void> {
  const store = await openBlobStore(app.config);
  // Housekeeping only: an object store that cannot be reached at start must not keep the rest of
  // the service down; uploads answer 500 (and the log says why) until it can.
  try {
    const swept = await store.sweep();
    if (swept > 0) app.log.info({ swept, driver: store.driver }, "evidence store: removed what interrupted uploads left behind");
  } catch (error) {
    app.log.warn({ driver: store.driver, reason: (error as Error).message }, "evidence store: the sweep of interrupted uploads failed; uploads fail until the store answers");
  }
  app.decorate("blobs", store);
  app.addHook("onClose", () => store.close());
}

export default fp(blobsPlugin, { name: "tracemark-blobs", dependencies: ["tracemark-context"] });
