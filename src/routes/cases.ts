// Dispute cases (issue 11): HTTP only. A consumer without an account opens a case and gets a case
// token (shown once); merchants, mediators and the operator use their API keys. Who sees a case is
// decided in src/cases/access.ts: anyone else gets the 404 of a case that does not exist.
import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { visibleCase } from "../cases/access.ts";
import { assignMediator, decideCase, listCases, openCase } from "../cases/cases.ts";
import { attachEvidence, makeStatement, withdrawEvidence } from "../cases/evidence.ts";
import { caseSummary, caseView, evidenceOf, periodsOf } from "../cases/view.ts";
import { streamBundle } from "../bundle/bundle.ts";
import { blobSourceOf, firstOf } from "../bundle/blob-source.ts";
import { AppError } from "../errors.ts";
import type { Access } from "../plugins/auth.ts";
import {
  AssignMediatorBody,
  AttachEvidenceBody,
  CaseIdParams,
  CaseListQuery,
  CaseOut,
  CaseSummaryOut,
  DecisionBody,
  EvidenceIdParams,
  EvidenceOut,
  OpenCaseBody,
  OpenedCaseOut,
  StatementBody,
  WithdrawBody,
} from "../schemas/cases.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";

// The case's parties and the operator; the parties reach only their own cases (404 otherwise).
const parties: Access = { roles: ["consumer", "merchant", "mediator", "admin"], ownedOnly: ["consumer", "merchant", "mediator"] };
const errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody, ...authErrors };
const security = [{ apiKey: [] }];
const tags = ["cases"];

const casesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new AppError("RATE_LIMITED", `too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
  const periods = periodsOf(app.config);
  const blobs = firstOf({ open: (sha256) => app.blobs.open(sha256) }, blobSourceOf(app.config));

  app.post(
    "/v1/cases/consumer",
    {
      config: { access: "public", rateLimit: { max: app.config.PUBLIC_RATE_LIMIT, timeWindow: 60_000 } },
      schema: {
        tags,
        summary: "A consumer opens a case about an order, without an account",
        description: "Answers the case and its case token, shown once: a bearer secret for this case only (`Authorization: Bearer <token>`). No API key; rate-limited.",
        body: OpenCaseBody,
        response: { 201: OpenedCaseOut, 400: ErrorBody, 422: ErrorBody },
      },
    },
    async (request, reply) => {
      const { row, token } = await openCase(app.db, null, request.body);
      return reply.status(201).send({ case: await caseView(app.db, row, periods, new Date()), token });
    },
  );

  app.post(
    "/v1/cases",
    {
      config: { access: { roles: ["merchant", "mediator", "admin"] } },
      schema: { tags, summary: "A merchant, a mediator or the operator opens a case", security, body: OpenCaseBody, response: { 201: OpenedCaseOut, ...errors } },
    },
    async (request, reply) => {
      const { row } = await openCase(app.db, request.principal!, request.body);
      return reply.status(201).send({ case: await caseView(app.db, row, periods, new Date()), token: null });
    },
  );

  app.get(
    "/v1/cases",
    {
      config: { access: { roles: ["consumer", "merchant", "mediator", "admin"] } },
      schema: { tags, summary: "The cases the caller sees, newest first, with what is due and overdue", security, querystring: CaseListQuery, response: { 200: Type.Object({ cases: Type.Array(CaseSummaryOut) }), ...authErrors } },
    },
    async (request) => {
      const now = new Date();
      const rows = await listCases(app.db, request.principal!, request.query.limit ?? 100);
      return { cases: rows.map((row) => caseSummary(row, periods, now)) };
    },
  );

  app.get(
    "/v1/cases/:caseId",
    {
      config: { access: parties },
      schema: { tags, summary: "A case: state, deadlines, evidence and its timeline of records", security, params: CaseIdParams, response: { 200: CaseOut, ...errors } },
    },
    async (request) => caseView(app.db, await visibleCase(app.db, request.principal!, request.params.caseId), periods, new Date()),
  );

  app.post(
    "/v1/cases/:caseId/evidence",
    {
      config: { access: parties, notStoredAsText: ["body.receipt"] },
      schema: {
        tags,
        summary: "Attach a record as evidence: by id (a record the caller may see) or by its receipt",
        security,
        params: CaseIdParams,
        body: AttachEvidenceBody,
        response: { 201: EvidenceOut, ...errors },
      },
    },
    async (request, reply) => {
      const added = await attachEvidence(app.db, request.principal!, request.params.caseId, request.body);
      const item = (await evidenceOf(app.db, request.params.caseId)).find((e) => e.id === added.id)!;
      return reply.status(201).send(item);
    },
  );

  app.post(
    "/v1/cases/:caseId/evidence/:evidenceId/withdrawal",
    {
      // The party that added it, or the operator (content that must not stay); a mediator stays neutral.
      config: { access: { roles: ["consumer", "merchant", "admin"], ownedOnly: ["consumer", "merchant"] } },
      schema: { tags, summary: "Withdraw evidence the caller added, or (the operator) any (it stays in the timeline, marked)", security, params: EvidenceIdParams, body: WithdrawBody, response: { 200: EvidenceOut, ...errors } },
    },
    async (request) => {
      await withdrawEvidence(app.db, request.principal!, request.params.caseId, request.params.evidenceId, request.body.reason ?? "");
      return (await evidenceOf(app.db, request.params.caseId)).find((e) => e.id === request.params.evidenceId)!;
    },
  );

  app.post(
    "/v1/cases/:caseId/statements",
    {
      config: { access: parties },
      schema: { tags, summary: "A party's statement, recorded on the case's chain", security, params: CaseIdParams, body: StatementBody, response: { 201: Type.Object({ recordId: Type.String() }), ...errors } },
    },
    async (request, reply) => {
      const recordId = await makeStatement(app.db, request.principal!, request.params.caseId, request.body.text);
      return reply.status(201).send({ recordId });
    },
  );

  app.post(
    "/v1/cases/:caseId/mediator",
    {
      config: { access: { roles: ["admin"] } },
      schema: { tags, summary: "The operator assigns the case's mediator", security, params: CaseIdParams, body: AssignMediatorBody, response: { 200: CaseSummaryOut, ...errors } },
    },
    async (request) => caseSummary(await assignMediator(app.db, request.principal!, request.params.caseId, request.body.keyId), periods, new Date()),
  );

  app.post(
    "/v1/cases/:caseId/decision",
    {
      config: { access: { roles: ["mediator", "admin"], ownedOnly: ["mediator"] } },
      schema: { tags, summary: "The case's mediator (or the operator) records the decision and its reasons", security, params: CaseIdParams, body: DecisionBody, response: { 200: CaseSummaryOut, ...errors } },
    },
    async (request) => caseSummary(await decideCase(app.db, request.principal!, request.params.caseId, request.body), periods, new Date()),
  );

  app.get(
    "/v1/cases/:caseId/bundle",
    {
      config: { access: parties },
      schema: {
        tags,
        summary: "The case's evidence bundle: a BagIt bag (RFC 8493) in a ZIP, streamed",
        description:
          "Every record's payload or file, every receipt, the trust document, report.html and report.pdf (zh-CN and English) and VERIFY.md; " +
          "`sha256sum -c manifest-sha256.txt` checks it unpacked, `tracemark verify-bundle` checks it whole. The same case at the same moment gives the same bytes.",
        security,
        params: CaseIdParams,
        response: { 200: Type.Unknown({ description: "application/zip" }), ...errors },
      },
    },
    async (request, reply) => {
      const row = await visibleCase(app.db, request.principal!, request.params.caseId);
      const stream = await streamBundle({ db: app.db, chain: app.chain, blobs, periods }, row);
      return reply
        .header("content-type", "application/zip")
        .header("content-disposition", `attachment; filename="case-${row.id}.zip"`)
        .send(stream);
    },
  );
};

export default casesRoutes;
