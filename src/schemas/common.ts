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
export const Uuid = Type.String({ format: "uuid" });
/** The roles an operator issues keys for; a `consumer` key is a case token, issued only by opening a case (src/cases/). */
export const IssuableRole = Type.Union([Type.Literal("admin"), Type.Literal("merchant"), Type.Literal("mediator")]);
export const Role = Type.Union([Type.Literal("admin"), Type.Literal("merchant"), Type.Literal("mediator"), Type.Literal("consumer")]);

/** The error responses a route with a key can give, for OpenAPI. */
export const authErrors = { 401: ErrorBody, 403: ErrorBody };
