import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { JobRow } from "../db/jobs.table.ts";
import { AppError, notFound } from "../errors.ts";
import { findJob, jobView, type SecretResultState } from "../jobs/jobs.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { JobIdParams, JobItemsQuery, JobView } from "../schemas/jobs.ts";
import { csvLine, csvLines } from "../qr/csv.ts";
import { ITEMS_JOB, itemsOfJob } from "../trace/items.ts";

const jobsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const secretsOf = (job: JobRow): SecretResultState => {
    if (!job.secret_result) return "none";
    if (!app.jobs.hasOnce(job.id)) return "gone";
    return job.status === "succeeded" || job.status === "failed" ? "ready" : "pending";
  };

  app.get(
    "/v1/jobs/:jobId",
    {
      // The job's owner, and the operator; another merchant's job is a 404, as if it did not exist.
      config: { access: { roles: ["merchant", "admin"], ownedOnly: ["merchant"] } },
      schema: { tags: ["jobs"], summary: "A background job's status and progress", security: [{ apiKey: [] }], params: JobIdParams, response: { 200: JobView, 404: ErrorBody, ...authErrors } },
    },
    async (request) => {
      const job = await findJob(app.db, request.params.jobId, request.principal!.merchantId);
      if (!job) throw notFound("job", "params.jobId");
      return jobView(job, secretsOf(job));
    },
  );

  app.get(
    "/v1/jobs/:jobId/items",
    {
      config: { access: { roles: ["merchant"], ownedOnly: ["merchant"] } },
      schema: {
        tags: ["jobs"],
        summary: "The serials and Digital Link URIs an items job created, with the scratch PINs the first time",
        description:
          "JSON (`{ items: [{ serial, uri, pin? }] }`) or `?format=csv` (serial,uri,pin). The PINs are in the first download after the job ends and never again: " +
          "Tracemark keeps only their keyed hashes. The `tracemark-pins` header says whether this answer holds them.",
        security: [{ apiKey: [] }],
        params: JobIdParams,
        querystring: JobItemsQuery,
        response: {
          200: Type.Unknown({ description: "JSON { items: [{ serial, uri, pin? }] }, or CSV serial,uri[,pin]; streamed" }),
          404: ErrorBody,
          409: ErrorBody,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const job = await findJob(app.db, request.params.jobId, request.principal!.merchantId);
      if (!job || job.kind !== ITEMS_JOB) throw notFound("job", "params.jobId");
      if (job.status === "queued" || job.status === "running") {
        throw new AppError("CONFLICT", `params.jobId: the job is ${job.status} (${job.done} of ${job.total}); download its items once it has ended`, { field: "params.jobId" });
      }
      const pins = app.jobs.takeOnce(job.id) as string[] | undefined;
      const csv = request.query.format === "csv";
      reply
        .header("cache-control", "no-store")
        .header("tracemark-pins", pins ? "included" : job.secret_result ? "gone" : "none")
        .type(csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8");
      return reply.send(Readable.from(lines(app.db, job.id, pins ?? null, csv)));
    },
  );
};

/** The download, a page of rows at a time: 100,000 items are never one string in memory. */
async function* lines(db: Parameters<typeof itemsOfJob>[0], jobId: string, pins: string[] | null, csv: boolean): AsyncGenerator<string> {
  yield csv ? csvLine(pins ? ["serial", "uri", "pin"] : ["serial", "uri"]) : '{"items":[';
  let first = true;
  for await (const page of itemsOfJob(db, jobId)) {
    if (csv) {
      yield csvLines(page.map((item) => (pins ? [item.serial, item.subject, pins[item.job_index!] ?? ""] : [item.serial, item.subject])));
      continue;
    }
    let chunk = "";
    for (const item of page) {
      const pin = pins?.[item.job_index!];
      chunk += (first ? "" : ",") + JSON.stringify(pin === undefined ? { serial: item.serial, uri: item.subject } : { serial: item.serial, uri: item.subject, pin });
      first = false;
    }
    yield chunk;
  }
  if (!csv) yield "]}";
}

export default jobsRoutes;
