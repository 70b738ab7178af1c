// Reads the `POST /v1/verify/upload` form (multipart/form-data, RFC 7578): a `receipt` (a file
// or a field, at most the JSON cap) and a `content` file that is hashed with SHA-256 as it
// streams in, never held whole; only its first JSON-cap bytes are kept, so a small JSON payload
// can still be checked in its RFC 8785 form. Each field at most once; anything else in the form,
// or a form busboy cannot parse, is a 4xx naming the field.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { MultipartFile, MultipartValue } from "@fastify/multipart";
import type { FastifyRequest } from "fastify";
import { AppError, invalid } from "../errors.ts";

export interface VerifyForm {
  receipt: unknown;
  content?: {
    sha256: string;
    bytes: number;
    /** The whole content when it is at most `keepUpTo` bytes; otherwise only its hash is known. */
    whole?: Buffer;
  };
}

const tooLarge = (field: string, max: number) => new AppError("PAYLOAD_TOO_LARGE", `${field} is larger than ${max} bytes`, { field });

async function hashContent(file: Readable & { truncated?: boolean }, keepUpTo: number, max: number): Promise<NonNullable<VerifyForm["content"]>> {
  const hash = createHash("sha256");
  let kept: Buffer[] | undefined = [];
  let bytes = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    if (kept && bytes <= keepUpTo) kept.push(chunk);
    else kept = undefined;
  }
  // busboy stops at its fileSize limit and marks the stream truncated (it does not fail it).
  if (file.truncated) throw tooLarge("body.content", max);
  return { sha256: hash.digest("hex"), bytes, ...(kept ? { whole: Buffer.concat(kept) } : {}) };
}

async function readReceiptFile(file: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > max) throw tooLarge("body.receipt", max);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** busboy's own parse errors ("Unexpected end of form", "Malformed part header") carry no status. */
function asClientError(error: unknown): unknown {
  if (error instanceof AppError || (typeof error === "object" && error !== null && "statusCode" in error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  // "Multipart: Boundary not found": the fault is in the header, not the body (RFC 7578 §4.1).
  if (/boundary/i.test(reason)) return new AppError("BAD_REQUEST", `headers.content-type needs a boundary parameter: ${reason}`, { field: "headers.content-type", cause: error });
  return new AppError("BAD_REQUEST", `body is not a well-formed multipart/form-data form: ${reason}`, { field: "body", cause: error });
}

export async function readVerifyForm(request: FastifyRequest, limits: { jsonMax: number; uploadMax: number }): Promise<VerifyForm> {
  let receiptText: string | undefined;
  let content: VerifyForm["content"];
  try {
    for await (const part of request.parts() as AsyncIterable<MultipartFile | MultipartValue>) {
      const field = `body.${part.fieldname}`;
      if (part.fieldname !== "receipt" && part.fieldname !== "content") throw invalid(field, "is not a field of this form (receipt, content)");
      if ((part.fieldname === "receipt" ? receiptText : content) !== undefined) throw invalid(field, "is given twice: send it once");
      if (part.type === "field") {
        if (part.valueTruncated) throw tooLarge(field, limits.jsonMax);
        const text = String(part.value);
        if (part.fieldname === "receipt") receiptText = text;
        else content = { sha256: createHash("sha256").update(text).digest("hex"), bytes: Buffer.byteLength(text), whole: Buffer.from(text, "utf8") };
      } else if (part.fieldname === "receipt") {
        receiptText = await readReceiptFile(part.file, limits.jsonMax);
      } else {
        content = await hashContent(part.file, limits.jsonMax, limits.uploadMax);
      }
    }
  } catch (error) {
    throw asClientError(error);
  }
  if (receiptText === undefined) throw invalid("body.receipt", "is required");
  try {
    return { receipt: JSON.parse(receiptText) as unknown, ...(content ? { content } : {}) };
  } catch {
    throw invalid("body.receipt", "is not JSON");
  }
}
