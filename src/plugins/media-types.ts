// A body in a media type the route does not take is refused with 415 naming
// headers.content-type (RFC 9110 §15.5.16), whatever parsers happen to be registered: Fastify
// would otherwise parse text/plain into a string for a JSON route, or a multipart form for the
// JSON verify route, and answer with a validation error about the body instead. A route takes
// the types its OpenAPI schema `consumes`, or application/json when it has a body schema.
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { AppError } from "../errors.ts";

function acceptedTypes(request: FastifyRequest): readonly string[] | undefined {
  const schema = request.routeOptions.schema as { consumes?: string[]; body?: unknown } | undefined;
  if (schema?.consumes) return schema.consumes;
  return schema?.body === undefined ? undefined : ["application/json"];
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers["content-length"];
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** "Application/JSON; charset=utf-8" → "application/json". */
export function mediaTypeEssence(contentType: string | undefined): string {
  return (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
}

async function mediaTypesPlugin(app: FastifyInstance): Promise<void> {
  app.addHook("preParsing", (request, _reply, payload, done) => {
    const accepted = acceptedTypes(request);
    if (accepted === undefined || !hasBody(request)) return done(null, payload);
    const essence = mediaTypeEssence(request.headers["content-type"]);
    if (!accepted.includes(essence)) {
      const got = essence === "" ? "no content-type" : JSON.stringify(essence);
      return done(new AppError("UNSUPPORTED_MEDIA_TYPE", `headers.content-type must be ${accepted.join(" or ")}, not ${got}`, { field: "headers.content-type" }));
    }
    done(null, payload);
  });
}

export default fp(mediaTypesPlugin, { name: "tracemark-media-types" });
