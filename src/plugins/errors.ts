import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { AppError, type ErrorCode } from "../errors.ts";
import type { ErrorBodyT } from "../schemas/common.ts";

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** "/records/3/kind" → "records[3].kind"; the missing or extra property is part of the field. */
export function fieldOf(context: string | undefined, issue: AjvIssue): string {
  const parts = issue.instancePath.split("/").filter(Boolean);
  const extra = issue.params["missingProperty"] ?? issue.params["additionalProperty"];
  if (typeof extra === "string") parts.push(extra);
  const path = parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
  return [context, path].filter(Boolean).join(path.startsWith("[") ? "" : ".");
}

function describe(issue: AjvIssue): string {
  if (issue.keyword === "required") return "is required";
  if (issue.keyword === "additionalProperties") return "is not allowed";
  return issue.message ?? "is invalid";
}

/** Codes for the 4xx errors Fastify and its plugins raise themselves (bad JSON, body too large, …). */
const CODE_OF_STATUS: Record<number, ErrorCode> = { 404: "NOT_FOUND", 413: "PAYLOAD_TOO_LARGE", 429: "RATE_LIMITED" };

function toBody(error: FastifyError | AppError, request: FastifyRequest): { status: number; body: ErrorBodyT } {
  const requestId = String(request.id);
  if (error instanceof AppError) {
    return { status: error.statusCode, body: { error: { code: error.code, message: error.message, field: error.field, requestId } } };
  }
  const validation = (error as FastifyError).validation as AjvIssue[] | undefined;
  if (validation && validation.length > 0) {
    const issue = validation[0] as AjvIssue;
    const field = fieldOf((error as FastifyError).validationContext, issue);
    return { status: 400, body: { error: { code: "VALIDATION_FAILED", message: `${field} ${describe(issue)}`, field, requestId } } };
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = CODE_OF_STATUS[status] ?? "BAD_REQUEST";
    return { status, body: { error: { code, message: error.message, requestId } } };
  }
  // 5xx: the details go to the log under the request id, never to the client.
  return { status: status >= 500 && status < 600 ? status : 500, body: { error: { code: status === 503 ? "NOT_READY" : "INTERNAL", message: "internal error; quote the request id to the operator", requestId } } };
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toBody(error, request);
    if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ code: body.error.code, field: body.error.field }, "request rejected");
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: "NOT_FOUND", message: `no route ${request.method} ${request.url.split("?")[0]}`, requestId: String(request.id) } }),
  );
}

export default fp(errorsPlugin, { name: "tracemark-errors" });
