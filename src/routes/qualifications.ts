import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decideQualification, readQualifications, submitQualification } from "../evidence/qualifications/qualifications.ts";
import type { Access } from "../plugins/auth.ts";
import { acceptedReceipt } from "../records/receipts.ts";
import { authErrors, ErrorBody, Uuid } from "../schemas/common.ts";
import { DecisionBody, QualificationBody, QualificationIdParams, QualificationOut, QualificationStatus, QualificationWritten } from "../schemas/evidence.ts";

const merchants: Access = { roles: ["merchant"] };
// The operator and mediators see every merchant's submissions; a merchant its own.
const readers: Access = { roles: ["merchant", "mediator", "admin"], ownedOnly: ["merchant"] };
const operator: Access = { roles: ["admin"] };

const written = (w: Awaited<ReturnType<typeof submitQualification>>) => ({
  qualification: w.qualification,
  record: { id: w.record.id, status: "accepted" as const, receipt: acceptedReceipt(w.record) },
});

const qualificationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/v1/qualifications",
    {
      config: { access: merchants },
      schema: {
        tags: ["evidence"],
        summary: "Submit a qualification document for the operator to check",
        description:
          "The document's scan is an evidence file you uploaded (POST /v1/evidence/files). Notarized as a private `merchant.qualification` record on " +
          "urn:tracemark:merchant:{your id}; the operator's decision follows on the same chain as a public record.",
        security: [{ apiKey: [] }],
        body: QualificationBody,
        response: { 201: QualificationWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => reply.status(201).send(written(await submitQualification(app.db, request.principal!, request.body))),
  );

  app.get(
    "/v1/qualifications",
    {
      config: { access: readers },
      schema: {
        tags: ["evidence"],
        summary: "Qualification documents and their decisions, newest first (at most 1,000)",
        description: "A merchant sees its own; mediators and the operator every merchant's, or one merchant's with `merchantId`.",
        security: [{ apiKey: [] }],
        querystring: Type.Object({ merchantId: Type.Optional(Uuid), status: Type.Optional(QualificationStatus) }, { additionalProperties: false }),
        response: { 200: Type.Object({ qualifications: Type.Array(QualificationOut) }), 400: ErrorBody, ...authErrors },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const merchantId = principal.role === "merchant" ? principal.merchantId! : request.query.merchantId;
      return { qualifications: await readQualifications(app.db, { ...(merchantId ? { merchantId } : {}), ...(request.query.status ? { status: request.query.status } : {}) }) };
    },
  );

  app.post(
    "/v1/admin/qualifications/:qualificationId/decision",
    {
      config: { access: operator },
      schema: {
        tags: ["admin"],
        summary: "Approve or reject a pending qualification document, with a reason",
        description: "Notarized as a public `merchant.qualification.decision` record on the merchant's subject: the scan page shows it. A document is decided once (409 after).",
        security: [{ apiKey: [] }],
        params: QualificationIdParams,
        body: DecisionBody,
        response: { 200: QualificationWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request) => written(await decideQualification(app.db, request.principal!, request.params.qualificationId, request.body)),
  );
};

export default qualificationsRoutes;
