// The mediator's pages (issue 11 item 5): sign in with an API key through a form (never in a URL),
// the case list (/cases), a case (/cases/{id}) whose every receipt the browser verifies with the
// scan page's bundled verifier, the case's bundle, and the decision form. The session cookie holds
// the key (HttpOnly, SameSite=Strict, Secure behind HTTPS, path /cases); every request looks the key
// up again through src/auth (principalForToken), so a revoked key signs the session out. Forms carry
// a per-session CSRF token derived from the key (its hash reveals nothing of the key).
// The pages declare a session access (src/plugins/auth.ts): the auth plugin reads the key from the
// cookie and sends a request without a live key of a page role to the sign-in form; a page answers
// a case its principal may not see with the 404 page.
import { createHash, timingSafeEqual } from "node:crypto";
import formbody from "@fastify/formbody";
import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { principalForToken, type Principal } from "../auth/api-keys.ts";
import { sessionPrincipal, type Access } from "../plugins/auth.ts";
import { blobSourceOf, firstOf } from "../bundle/blob-source.ts";
import { streamBundle } from "../bundle/bundle.ts";
import { collectCase } from "../bundle/collect.ts";
import { visibleCase } from "../cases/access.ts";
import { decideCase, listCases, OUTCOMES, type Outcome } from "../cases/cases.ts";
import { CASE_KINDS } from "../cases/timeline.ts";
import { caseSummary, caseView, periodsOf } from "../cases/view.ts";
import { serviceTrust } from "../chain/trust.ts";
import { AppError } from "../errors.ts";
import { messagesWithPrefix } from "../pages/locale.ts";
import { formatTime, PAGE_TIME_ZONE } from "../pages/dates.ts";
import { ErrorBody, Uuid } from "../schemas/common.ts";

export const SESSION_COOKIE = "tm_cases";
/** Mediators and consumers see the cases they are parties to, the operator every case. */
const signedIn = { roles: ["mediator", "consumer", "admin"], ownedOnly: ["mediator", "consumer"], session: { cookie: SESSION_COOKIE, signIn: "/cases/sign-in" } } as const satisfies Access;
/** The decision form, as the API's decision route: the case's mediator, or the operator. */
const decides = { ...signedIn, roles: ["mediator", "admin"], ownedOnly: ["mediator"] } as const satisfies Access;
const PAGE_ROLES: ReadonlySet<string> = new Set(signedIn.roles);
const CaseParams = Type.Object({ caseId: Uuid }, { additionalProperties: false });

const TIMELINE_KEYS: Record<string, string> = {
  [CASE_KINDS.opened]: "cases.timeline.opened",
  [CASE_KINDS.mediatorAssigned]: "cases.timeline.mediatorAssigned",
  [CASE_KINDS.evidenceAdded]: "cases.timeline.evidenceAdded",
  [CASE_KINDS.evidenceWithdrawn]: "cases.timeline.evidenceWithdrawn",
  [CASE_KINDS.statement]: "cases.timeline.statement",
  [CASE_KINDS.decision]: "cases.timeline.decision",
};
const OUTCOME_KEYS: Record<Outcome, string> = {
  refund: "cases.outcome.refund",
  "partial-refund": "cases.outcome.partial-refund",
  "return-and-refund": "cases.outcome.return-and-refund",
  replace: "cases.outcome.replace",
  rejected: "cases.outcome.rejected",
};
const PARTY_KEYS: Record<string, string> = {
  consumer: "cases.party.consumer",
  merchant: "cases.party.merchant",
  mediator: "cases.party.mediator",
  operator: "cases.party.operator",
};
const STATE_KEYS: Record<string, string> = { open: "cases.state.open", decided: "cases.state.decided" };
const DEADLINE_KEYS: Record<string, string> = { request: "cases.deadline.request", review: "cases.deadline.review", return: "cases.deadline.return" };
const DEADLINE_STATUS_KEYS: Record<string, string> = { met: "cases.deadline.met", late: "cases.deadline.late", due: "cases.deadline.due", overdue: "cases.deadline.overdue" };
const DECISION_RESULT_KEYS: Record<string, string> = { done: "cases.decision.done", conflict: "cases.decision.conflict", invalid: "cases.decision.invalid" };

/** The form token of a session: a hash of its key under a fixed label (not the key, not reversible). */
export function csrfOf(key: string): string {
  return createHash("sha256").update("tracemark-cases-csrf\0").update(key).digest("base64url");
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface Session {
  principal: Principal;
  csrf: string;
}

const mediatorPages: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new AppError("RATE_LIMITED", `too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
  const periods = periodsOf(app.config);
  const blobs = firstOf({ open: (sha256) => app.blobs.open(sha256) }, blobSourceOf(app.config));
  const trust = serviceTrust(app.chain);
  const signInLimit = { rateLimit: { max: app.config.PUBLIC_RATE_LIMIT, timeWindow: 60_000 } };

  /** The session of a request the auth plugin admitted (a `signedIn` route): its principal, and its form token. */
  const sessionOf = (request: FastifyRequest): Session => ({ principal: request.principal!, csrf: csrfOf(request.cookies[SESSION_COOKIE]!) });
  const toSignIn = (reply: FastifyReply) => reply.redirect(signedIn.session.signIn, 303);
  const checkCsrf = (session: Session, token: string) => {
    if (!sameToken(session.csrf, token)) throw new AppError("FORBIDDEN", "body.csrf does not match this session: reload the page", { field: "body.csrf" });
  };
  const missing = (reply: FastifyReply, session: Session) => reply.status(404).page("case-missing", { csrf: session.csrf });

  app.get("/cases/sign-in", { config: { access: "public" }, schema: { hide: true } }, async (_request, reply) => reply.page("cases-sign-in", { failed: false }));

  app.post(
    "/cases/sign-in",
    {
      config: { access: "public", ...signInLimit, notStoredAsText: ["body.key"] },
      schema: {
        hide: true,
        consumes: ["application/x-www-form-urlencoded"],
        body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 400: ErrorBody, 415: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, typedReply) => {
      const reply = typedReply as unknown as FastifyReply;
      const key = request.body.key.trim();
      const principal = await principalForToken(app.db, key);
      if (!principal || !PAGE_ROLES.has(principal.role)) return reply.status(401).page("cases-sign-in", { failed: true });
      reply.setCookie(SESSION_COOKIE, key, { path: "/cases", httpOnly: true, sameSite: "strict", secure: request.protocol === "https" });
      return reply.redirect("/cases", 303);
    },
  );

  app.post(
    "/cases/sign-out",
    {
      config: { access: "public" },
      schema: {
        hide: true,
        consumes: ["application/x-www-form-urlencoded"],
        body: Type.Object({ csrf: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
        response: { 400: ErrorBody, 403: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, typedReply) => {
      const reply = typedReply as unknown as FastifyReply;
      // Public, so that a stale or revoked session can always sign out; a live one must show its form token.
      const principal = await sessionPrincipal(app.db, request, signedIn.session, signedIn.roles);
      if (principal) checkCsrf({ principal, csrf: csrfOf(request.cookies[SESSION_COOKIE]!) }, request.body.csrf);
      reply.clearCookie(SESSION_COOKIE, { path: "/cases", httpOnly: true, sameSite: "strict", secure: request.protocol === "https" });
      return toSignIn(reply);
    },
  );

  app.get("/cases", { config: { access: signedIn }, schema: { hide: true } }, async (request, reply) => {
    const session = sessionOf(request);
    const now = new Date();
    const rows = await listCases(app.db, session.principal, 200);
    return reply.header("cache-control", "no-store").page("cases", ({ t, locale }) => ({
      csrf: session.csrf,
      cases: rows.map((row) => {
        const deadlines = caseSummary(row, periods, now).deadlines;
        return {
          id: row.id,
          orderRef: row.order_ref,
          summary: row.summary,
          state: row.state,
          stateText: t(STATE_KEYS[row.state] ?? row.state),
          opened: formatTime(new Date(row.opened_at).toISOString(), locale),
          overdue: deadlines.some((d) => d.status === "overdue"),
          deadlines: deadlines.map((d) => ({ ...d, text: t(DEADLINE_KEYS[d.name]!), statusText: t(DEADLINE_STATUS_KEYS[d.status]!), dueText: formatTime(d.due, locale) })),
        };
      }),
    }));
  });

  app.get(
    "/cases/:caseId",
    { config: { access: signedIn }, schema: { hide: true, params: CaseParams, querystring: Type.Object({ decision: Type.Optional(Type.String({ maxLength: 20 })), lang: Type.Optional(Type.String({ maxLength: 10 })) }) } },
    async (request, typedReply) => {
      const reply = typedReply as unknown as FastifyReply;
      const session = sessionOf(request);
      let row;
      try {
        row = await visibleCase(app.db, session.principal, request.params.caseId);
      } catch (error) {
        if (error instanceof AppError && error.code === "NOT_FOUND") return missing(reply, session);
        throw error;
      }
      const view = await caseView(app.db, row, periods, new Date());
      const material = await collectCase(app.db, row, periods);
      const proofs = new Map(material.records.map((r) => [r.recordId, { receipt: r.receipt, payload: r.payload }]));
      const decisionResult = request.query.decision && DECISION_RESULT_KEYS[request.query.decision] ? request.query.decision : null;
      const mayDecide = view.state === "open" && (session.principal.role === "mediator" || session.principal.role === "admin");
      return reply.header("cache-control", "no-store").page("case", ({ t, locale }) => ({
        csrf: session.csrf,
        trust,
        timeZone: PAGE_TIME_ZONE,
        messages: messagesWithPrefix(locale, "verify."),
        mayDecide,
        decisionResult: decisionResult ? t(DECISION_RESULT_KEYS[decisionResult]!) : null,
        outcomes: OUTCOMES.map((o) => ({ value: o, text: t(OUTCOME_KEYS[o]) })),
        view: {
          ...view,
          stateText: t(STATE_KEYS[view.state] ?? view.state),
          openedText: formatTime(view.openedAt, locale),
          openedByText: t(PARTY_KEYS[view.openedBy] ?? view.openedBy),
          decisionText: view.decision ? { outcome: t(OUTCOME_KEYS[view.decision.outcome as Outcome] ?? view.decision.outcome), reasons: view.decision.reasons, at: formatTime(view.decision.decidedAt, locale) } : null,
          deadlines: view.deadlines.map((d) => ({ ...d, text: t(DEADLINE_KEYS[d.name]!), statusText: t(DEADLINE_STATUS_KEYS[d.status]!), dueText: formatTime(d.due, locale) })),
        },
        evidence: view.evidence.map((e) => ({
          ...e,
          partyText: t(PARTY_KEYS[e.party] ?? e.party),
          addedText: formatTime(e.addedAt, locale),
          proof: e.withdrawnAt === null ? (proofs.get(e.recordId) ?? null) : null,
        })),
        timeline: view.timeline.map((entry) => ({
          recordId: entry.recordId,
          title: t(TIMELINE_KEYS[entry.kind] ?? "cases.timeline.other", { kind: entry.kind }),
          by: entry.submitter,
          time: formatTime(entry.submittedAt, locale),
          iso: entry.submittedAt,
          detail: detailOf(entry.kind, entry.payload, t),
          proof: proofs.get(entry.recordId) ?? null,
        })),
      }));
    },
  );

  app.get("/cases/:caseId/bundle", { config: { access: signedIn }, schema: { hide: true, params: CaseParams } }, async (request, typedReply) => {
    const reply = typedReply as unknown as FastifyReply;
    const session = sessionOf(request);
    let row;
    try {
      row = await visibleCase(app.db, session.principal, request.params.caseId);
    } catch (error) {
      if (error instanceof AppError && error.code === "NOT_FOUND") return missing(reply, session);
      throw error;
    }
    const stream = await streamBundle({ db: app.db, chain: app.chain, blobs, periods }, row);
    return reply.header("content-type", "application/zip").header("content-disposition", `attachment; filename="case-${row.id}.zip"`).header("cache-control", "no-store").send(stream);
  });

  app.post(
    "/cases/:caseId/decision",
    {
      config: { access: decides },
      schema: {
        hide: true,
        consumes: ["application/x-www-form-urlencoded"],
        params: CaseParams,
        body: Type.Object({ csrf: Type.String({ maxLength: 100 }), outcome: Type.String({ maxLength: 40 }), reasons: Type.String({ maxLength: 8000 }) }, { additionalProperties: false }),
        response: { 400: ErrorBody, 403: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, typedReply) => {
      const reply = typedReply as unknown as FastifyReply;
      const session = sessionOf(request);
      checkCsrf(session, request.body.csrf);
      const back = `/cases/${request.params.caseId}`;
      const outcome = request.body.outcome as Outcome;
      const reasons = request.body.reasons.trim();
      if (!OUTCOMES.includes(outcome) || reasons === "") return reply.redirect(`${back}?decision=invalid#decision`, 303);
      try {
        await decideCase(app.db, session.principal, request.params.caseId, { outcome, reasons });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        if (error.code === "NOT_FOUND") return missing(reply, session);
        return reply.redirect(`${back}?decision=${error.code === "CONFLICT" ? "conflict" : "invalid"}#decision`, 303);
      }
      return reply.redirect(`${back}?decision=done#timeline`, 303);
    },
  );
};

/** One line about a timeline record, from its payload. */
function detailOf(kind: string, payload: unknown, t: (key: string, params?: Record<string, string | number>) => string): string {
  const p = (payload ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  switch (kind) {
    case CASE_KINDS.opened:
      return t("cases.detail.opened", { order: text(p["orderRef"]), summary: text(p["summary"]) });
    case CASE_KINDS.decision:
      return t("cases.detail.decision", { outcome: t(OUTCOME_KEYS[text(p["outcome"]) as Outcome] ?? "cases.timeline.other", { kind: text(p["outcome"]) }), reasons: text(p["reasons"]) });
    case CASE_KINDS.statement:
      return text(p["text"]);
    case CASE_KINDS.evidenceAdded:
    case CASE_KINDS.evidenceWithdrawn:
      return text(p["note"]) || text(p["reason"]) || text(p["record"]);
    case CASE_KINDS.mediatorAssigned:
      return text(p["mediator"]);
    default:
      return "";
  }
}

export default mediatorPages;
