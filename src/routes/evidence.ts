import type { FastifyInstance } from "fastify";
import evidenceFilesRoutes from "./evidence-files.ts";
import qualificationsRoutes from "./qualifications.ts";

/** The evidence file store, the routes over it and merchant qualifications: one registration in src/app.ts. */
export default async function evidenceRoutes(app: FastifyInstance): Promise<void> {
  await app.register(evidenceFilesRoutes);
  await app.register(qualificationsRoutes);
}
