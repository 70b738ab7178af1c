import { Type, type Static } from "typebox";

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "Stable machine-readable code" }),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: "The request field that was wrong" })),
      requestId: Type.Optional(Type.String()),
    }),
  },
  { $id: "ErrorBody", description: "Every 4xx and 5xx response has this shape" },
);
export type ErrorBodyT = Static<typeof ErrorBody>;

export const Hex64 = Type.String({ pattern: "^[0-9a-f]{64}$", description: "32 bytes, lower-case hex, no 0x" });
/**
 * A UUID as PostgreSQL's uuid type reads it. The pattern as well as the format: ajv-formats'
 * `uuid` also takes the URN form (`urn:uuid:…`), which PostgreSQL refuses, so it reached the
 * database and came back a 500 instead of a 400 naming the field (found by the route fuzz test).
 */
export const UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
export const Uuid = Type.String({ format: "uuid", pattern: UUID_PATTERN });
/** The roles an operator issues keys for; a `consumer` key is a case token, issued only by opening a case (src/cases/). */
export const IssuableRole = Type.Union([Type.Literal("admin"), Type.Literal("merchant"), Type.Literal("mediator")]);
export const Role = Type.Union([Type.Literal("admin"), Type.Literal("merchant"), Type.Literal("mediator"), Type.Literal("consumer")]);

/** The error responses a route with a key can give, for OpenAPI. */
export const authErrors = { 401: ErrorBody, 403: ErrorBody };
