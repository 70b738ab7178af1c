import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
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
  // Fastify calls the query string's context "querystring"; errors name it "query", as the routes' own do.
  return [context === "querystring" ? "query" : context, path].filter(Boolean).join(path.startsWith("[") ? "" : ".");
}

function describe(issue: AjvIssue): string {
  if (issue.keyword === "required") return "is required";
  if (issue.keyword === "additionalProperties") return "is not allowed";
  return issue.message ?? "is invalid";
}

/** Codes for the 4xx errors Fastify and its plugins raise themselves (bad JSON, body too large, …). */
const CODE_OF_STATUS: Record<number, ErrorCode> = {
  404: "NOT_FOUND",
  408: "REQUEST_TIMEOUT",
  413: "PAYLOAD_TOO_LARGE",
  414: "URI_TOO_LONG",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
};

/**
 * What was wrong, for the errors Fastify and @fastify/multipart raise themselves: the client can
 * only fix what the answer names. A status here overrides theirs (a form that is not multipart is
 * an unsupported media type, 415, not their 406).
 */
const FRAMEWORK_ERRORS: Record<string, { field: string; status?: number }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { field: "body" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { field: "headers.content-type" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { field: "headers.content-length" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { field: "body" },
  FST_ERR_CTP_INVALID_JSON_BODY: { field: "body" },
  FST_ERR_BAD_URL: { field: "url" },
  FST_ERR_MAX_PARAM_LENGTH: { field: "url" },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { field: "headers.content-type", status: 415 },
  FST_INVALID_JSON_FIELD_ERROR: { field: "body", status: 400 },
  FST_PROTO_VIOLATION: { field: "body" },
  FST_MP_PREMATURE_CLOSE: { field: "body" },
  FST_PARTS_LIMIT: { field: "body" },
  FST_FILES_LIMIT: { field: "body" },
  FST_FIELDS_LIMIT: { field: "body" },
};

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
  const known = FRAMEWORK_ERRORS[(error as FastifyError).code];
  // JSON.parse's SyntaxError reaches us with a 400 and no code of Fastify's.
  const field = known?.field ?? (error instanceof SyntaxError ? "body" : undefined);
  const status = known?.status ?? error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = CODE_OF_STATUS[status] ?? "BAD_REQUEST";
    const message = (error as FastifyError).code === "FST_ERR_CTP_BODY_TOO_LARGE" ? `body is larger than the ${request.routeOptions.bodyLimit} bytes this route takes` : error.message;
    return { status, body: { error: { code, message, ...(field === undefined ? {} : { field }), requestId } } };
  }
  // 5xx: the details go to the log under the request id, never to the client.
  return { status: status >= 500 && status < 600 ? status : 500, body: { error: { code: status === 503 ? "NOT_READY" : "INTERNAL", message: "internal error; quote the request id to the operator", requestId } } };
}

/** Statuses after which the rest of a request body is not worth reading: the connection closes. */
const CLOSES_CONNECTION = new Set([408, 413, 503]);

function sendError(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = toBody(error, request);
  // BUSY is load shedding working as intended: worth a warning, not an error with a stack.
  if (status >= 500 && body.error.code !== "BUSY") request.log.error({ err: error }, "request failed");
  else request.log[status >= 500 ? "warn" : "info"]({ code: body.error.code, field: body.error.field }, "request rejected");
  if (CLOSES_CONNECTION.has(status)) reply.header("connection", "close");
  return reply.status(status).send(body);
}

/**
 * Fastify's `frameworkErrors` option: what the router rejects before any route or hook runs (a URL
 * that does not percent-decode, a path parameter past maxParamLength) gets the same error shape.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendError(error, request, reply);
}

/** Node's HTTP parser errors, by llhttp code: what the client got wrong, before any request exists. */
const CLIENT_ERRORS: Record<string, { status: number; code: ErrorCode; field: string; message: string }> = {
  // Node's headersTimeout and requestTimeout both end here, so it may be either part that was late.
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: "REQUEST_TIMEOUT", field: "request", message: "the request's headers or body did not arrive in time" },
  HPE_HEADER_OVERFLOW: { status: 431, code: "HEADERS_TOO_LARGE", field: "headers", message: "the request's headers are larger than the server accepts" },
  HPE_INVALID_METHOD: { status: 400, code: "BAD_REQUEST", field: "method", message: "the request line has no valid HTTP method" },
  HPE_INVALID_URL: { status: 400, code: "BAD_REQUEST", field: "url", message: "the request line has no valid URL" },
};

/**
 * Fastify's `clientErrorHandler` option: a request Node's HTTP parser cannot read (a broken request
 * line, a header with a NUL, headers past the size limit, a malformed chunked body) is answered
 * in the one error shape too, then the connection is closed (there is no request, so no id).
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ""] ?? { status: 400, code: "BAD_REQUEST" as const, field: "headers", message: "the request is not well-formed HTTP/1.1" };
  const body = JSON.stringify({ error: { code: known.code, message: `${known.message} (${error.code ?? "parse error"})`, field: known.field } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler(sendError);
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400. Node would answer it with an empty
  // body (its requireHostHeader, turned off in app.ts); here it gets the error shape.
  app.addHook("onRequest", (request, _reply, done) => {
    if (request.raw.httpVersion === "1.1" && request.headers.host === undefined) {
      return done(new AppError("BAD_REQUEST", "headers.host is required in HTTP/1.1 (RFC 9112 §3.2)", { field: "headers.host" }));
    }
    done();
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: "NOT_FOUND", message: `no route ${request.method} ${request.url.split("?")[0]}`, requestId: String(request.id) } }),
  );
}

export default fp(errorsPlugin, { name: "tracemark-errors" });
