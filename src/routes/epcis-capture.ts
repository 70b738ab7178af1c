import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { publicBaseUrl } from "../config.ts";
import { notFound } from "../errors.ts";
import { schemaValidator } from "../epcis/index.ts";
import { findJob } from "../jobs/jobs.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { CaptureIdParams, CaptureJobView } from "../schemas/epcis.ts";
import { CAPTURE_JOB, captureJobView, startCapture } from "../trace/events/capture.ts";
import { MAX_CAPTURE_EVENTS } from "../trace/events/plan.ts";

/** EPCIS 2.0 REST binding: responses name the version of the standard they follow. */
const EPCIS_VERSION_HEADERS = { "GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0" };

// 10,000 events of a few hundred bytes to a few kilobytes each.
const CAPTURE_BODY_LIMIT = 32 * 1024 * 1024;

const epcisCaptureRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const base = publicBaseUrl(app.config);
  // EPCIS 2.0 documents are JSON-LD (`application/ld+json`, EPCIS 2.0 §10.2); plain JSON is accepted as well.
  // The EPCIS schema's validator takes ~0.2 s to compile: done while starting, not in the first
  // capture, which would hold up every other request for as long.
  app.addHook("onReady", async () => void schemaValidator());
  app.addContentTypeParser("application/ld+json", { parseAs: "string", bodyLimit: CAPTURE_BODY_LIMIT }, app.getDefaultJsonParser("error", "error"));

  app.post(
    "/epcis/capture",
    {
      config: { access: { roles: ["merchant"] } },
      bodyLimit: CAPTURE_BODY_LIMIT,
      schema: {
        tags: ["epcis"],
        summary: "Capture an EPCIS 2.0 document (JSON or JSON-LD)",
        description:
          `Up to ${MAX_CAPTURE_EVENTS} events, checked whole before anything is stored: the official EPCIS 2.0 JSON Schema (a 400 names the field, e.g. body.epcisBody.eventList[3].bizStep), ` +
          "and every EPC, class and parentID under one of your GS1 Company Prefixes (403 naming the field). Each event is stored with its CBV 2.0 event hash ID as a public record on the subject " +
          "of each object it names; an event captured before (same hash ID) is not stored again. Answers 202 with the capture job (Location: /epcis/capture/{captureID}); " +
          "documents of up to 1,000 events are stored before the answer, in one transaction.",
        security: [{ apiKey: [] }],
        consumes: ["application/ld+json", "application/json"],
        body: Type.Unknown({ description: "An EPCISDocument" }),
        response: { 202: CaptureJobView, 400: ErrorBody, 409: ErrorBody, 413: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const job = await startCapture({ db: app.db, jobs: app.jobs, base }, request.principal!, request.body);
      return reply.status(202).headers({ ...EPCIS_VERSION_HEADERS, location: `/epcis/capture/${job.id}` }).send(captureJobView(job));
    },
  );

  app.get(
    "/epcis/capture/:captureId",
    {
      // The capturing merchant, and the operator; another merchant's capture is a 404.
      config: { access: { roles: ["merchant", "admin"], ownedOnly: ["merchant"] } },
      schema: {
        tags: ["epcis"],
        summary: "A capture job: running, success, errors, and how many events were stored or were duplicates",
        security: [{ apiKey: [] }],
        params: CaptureIdParams,
        response: { 200: CaptureJobView, 400: ErrorBody, 404: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const job = await findJob(app.db, request.params.captureId, request.principal!.merchantId);
      if (!job || job.kind !== CAPTURE_JOB) throw notFound("capture", "params.captureId");
      return reply.headers(EPCIS_VERSION_HEADERS).send(captureJobView(job));
    },
  );
};

export default epcisCaptureRoutes;
