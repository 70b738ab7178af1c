// Reads the `POST /v1/evidence/files` form (multipart/form-data, RFC 7578): one part, `file`,
// streamed straight into the blob store, hashed as it arrives and never held whole. busboy cuts
// the part at EVIDENCE_MAX_BYTES and marks it truncated; the store is told to discard it then.
import type { MultipartFile, MultipartValue } from "@fastify/multipart";
import type { FastifyRequest } from "fastify";
import { BlobTooLargeError, type BlobStore, type StoredBlob } from "../evidence/blobs/index.ts";
import { AppError, invalid } from "../errors.ts";

export interface FileForm {
  stored: StoredBlob;
  name: string;
  mediaType: string;
}

const MEDIA_TYPE = /^[a-zA-Z0-9!#$&^_.+-]+\/[a-zA-Z0-9!#$&^_.+-]+$/;
const NAME_MAX = 255;

/** The part's file name without any path, or "file"; control characters are dropped (the name goes into headers). */
export function cleanName(filename: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const base = (filename ?? "").split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return base === "" ? "file" : [...base].slice(0, NAME_MAX).join("");
}

const tooLarge = (max: number) => new AppError("PAYLOAD_TOO_LARGE", `body.file is larger than ${max} bytes`, { field: "body.file" });

function asClientError(error: unknown): unknown {
  if (error instanceof BlobTooLargeError) return tooLarge(error.maxBytes);
  if (error instanceof AppError || (typeof error === "object" && error !== null && "statusCode" in error)) return error;
  if (error instanceof Error && error.name === "BlobStoreError") return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (/boundary/i.test(reason)) return new AppError("BAD_REQUEST", `headers.content-type needs a boundary parameter: ${reason}`, { field: "headers.content-type", cause: error });
  return new AppError("BAD_REQUEST", `body is not a well-formed multipart/form-data form: ${reason}`, { field: "body", cause: error });
}

export async function readFileForm(request: FastifyRequest, blobs: BlobStore, maxBytes: number): Promise<FileForm> {
  let form: FileForm | undefined;
  try {
    for await (const part of request.parts() as AsyncIterable<MultipartFile | MultipartValue>) {
      const field = `body.${part.fieldname}`;
      if (part.fieldname !== "file") throw invalid(field, "is not a field of this form (file)");
      if (form !== undefined) throw invalid(field, "is given twice: send one file a request");
      if (part.type === "field") throw invalid(field, "must be a file part (with a filename)");
      const file = part.file;
      const stored = await blobs.put(file, {
        maxBytes,
        beforeCommit: () => {
          if (file.truncated) throw new BlobTooLargeError(maxBytes);
        },
      });
      const mediaType = MEDIA_TYPE.test(part.mimetype) ? part.mimetype.toLowerCase() : "application/octet-stream";
      form = { stored, name: cleanName(part.filename), mediaType };
    }
  } catch (error) {
    throw asClientError(error);
  }
  if (form === undefined) throw invalid("body.file", "is required");
  return form;
}
