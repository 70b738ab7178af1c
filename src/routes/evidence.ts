import type { FastifyInstance } from "fastify";
import blobsPlugin from "../plugins/blobs.ts";
import evidenceFilesRoutes from "./evidence-files.ts";

/** The evidence file store and the routes over it: one registration in src/app.ts. */
export default async function evidenceRoutes(app: FastifyInstance): Promise<void> {
  await app.register(blobsPlugin);
  await app.register(evidenceFilesRoutes);
}
