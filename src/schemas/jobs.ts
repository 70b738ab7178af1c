import { Type } from "typebox";
import { Uuid } from "./common.ts";

export const JobIdParams = Type.Object({ jobId: Uuid });

export const JobView = Type.Object({
  id: Uuid,
  kind: Type.String(),
  status: Type.Union([Type.Literal("queued"), Type.Literal("running"), Type.Literal("succeeded"), Type.Literal("failed")]),
  total: Type.Integer(),
  done: Type.Integer({ description: "Units committed so far" }),
  errors: Type.Array(Type.String(), { description: "Why the job failed; what was done stays committed" }),
  target: Type.Record(Type.String(), Type.String()),
  pins: Type.Union([Type.Literal("none"), Type.Literal("pending"), Type.Literal("ready"), Type.Literal("gone")], {
    description: "Scratch PINs: ready to download once (GET …/items), pending while the job runs, gone once downloaded, expired or lost in a restart",
  }),
  createdAt: Type.String({ format: "date-time" }),
  startedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  finishedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  links: Type.Object({ self: Type.String(), items: Type.String() }),
});

export const JobItemsQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal("csv"), Type.Literal("json")], { default: "json" })) },
  { additionalProperties: false },
);
