import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { JobRunner } from "../jobs/runner.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** Background jobs of this process (src/jobs/runner.ts). */
    jobs: JobRunner;
  }
}

// Closing the app stops the jobs between two units of work, before the database is closed.
async function jobsPlugin(app: FastifyInstance): Promise<void> {
  const runner = new JobRunner(app.db, app.log.child({ component: "jobs" }));
  app.decorate("jobs", runner);
  app.addHook("onClose", () => runner.close());
}

export default fp(jobsPlugin, { name: "tracemark-jobs", dependencies: ["tracemark-context"] });
