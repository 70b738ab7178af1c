// Live streams (issue 10): open a stream, record the host's claims, notarize HLS segments as they
// are produced, close the stream with its final playlist. Request bodies, params and views.
import { Type, type Static } from "typebox";
import { Hex64, Uuid } from "./common.ts";
import { AcceptedRecord, ReceiptOut, RecordStatus } from "./records.ts";
import { GtinText } from "./trace.ts";

/** One line of text: PostgreSQL cannot store NUL, and a name has no business holding control characters. */
const Line = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: "^[^\\u0000-\\u001f\\u007f]*$", ...(description ? { description } : {}) });
const Time = Type.String({ format: "date-time" });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const MediaType = Type.String({ minLength: 3, maxLength: 255, pattern: "^[a-zA-Z0-9!#$&^_.+-]+/[a-zA-Z0-9!#$&^_.+-]+$" });
/** RFC 3339 with a time zone, as HLS EXT-X-PROGRAM-DATE-TIME writes it (RFC 8216 §4.3.2.6). */
const Rfc3339 = Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$", description: "RFC 3339 date-time with a time zone" });
const Rendition = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9._-]+$", description: "The rendition's name (one media playlist of the stream)" });
export const MAX_SEGMENTS_PER_REQUEST = 100;

export const StreamParams = Type.Object({ streamId: Uuid });

export const OpenStreamBody = Type.Object(
  {
    platform: Line(100, "Where the stream runs: Douyin, Taobao Live, Kuaishou, …"),
    roomUrl: Type.String({ minLength: 8, maxLength: 2_000, pattern: "^[Hh][Tt][Tt][Pp][Ss]?://[^\\u0000-\\u0020\\u007f]+$", description: "The live room's http(s) URL" }),
    host: Line(200, "Who presents the stream"),
    plannedProducts: Type.Optional(Type.Array(GtinText, { maxItems: 200, description: "GTINs of the products the stream plans to sell" })),
    public: Type.Optional(Type.Boolean({ default: false, description: "A public stream's claims are public records, listed on the product's scan page" })),
  },
  { additionalProperties: false },
);
export type OpenStreamBodyT = Static<typeof OpenStreamBody>;

export const StreamView = Type.Object({
  id: Uuid,
  subject: Type.String({ description: "urn:tracemark:stream:{uuid}: the subject of every record of the stream" }),
  merchantId: Uuid,
  platform: Type.String(),
  roomUrl: Type.String(),
  host: Type.String(),
  plannedProducts: Type.Array(Type.String({ description: "GTIN-14" })),
  public: Type.Boolean(),
  status: Type.Union([Type.Literal("live"), Type.Literal("ended")]),
  openedAt: Time,
  endedAt: Nullable(Time),
  finalPlaylistSha256: Nullable(Hex64),
  openedRecordId: Uuid,
  finalRecordId: Nullable(Uuid),
});
export type StreamViewT = Static<typeof StreamView>;

export const StreamWritten = Type.Object({ stream: StreamView, record: AcceptedRecord });

const Price = Type.Object(
  {
    amount: Type.String({ pattern: "^(0|[1-9][0-9]{0,11})(\\.[0-9]{1,4})?$", description: "A decimal, as said: 199.00" }),
    currency: Type.String({ pattern: "^[A-Z]{3}$", description: "ISO 4217, e.g. CNY" }),
  },
  { additionalProperties: false },
);

export const ClaimBody = Type.Object(
  {
    gtin: GtinText,
    quote: Type.String({ minLength: 1, maxLength: 2_000, pattern: "^[^\\u0000]*$", description: "What the host said or showed, as said" }),
    price: Type.Optional(Price),
    promises: Type.Optional(Type.Array(Line(300), { maxItems: 20, description: 'e.g. "100% mulberry silk", "7-day no-reason returns"' })),
    at: Type.Optional(Rfc3339),
    screenshot: Type.Optional(
      Type.Object({ sha256: Hex64, mediaType: MediaType }, { additionalProperties: false, description: "A screenshot of the moment, by SHA-256 (the file is uploaded to the file store)" }),
    ),
  },
  { additionalProperties: false, description: "`at`: the moment in the stream it was said; without it, now" },
);
export type ClaimBodyT = Static<typeof ClaimBody>;

export const ClaimView = Type.Object({
  id: Uuid,
  streamId: Uuid,
  gtin: Type.String({ description: "GTIN-14" }),
  quote: Type.String(),
  price: Nullable(Type.Object({ amount: Type.String(), currency: Type.String() })),
  promises: Type.Array(Type.String()),
  at: Time,
  screenshot: Nullable(Type.Object({ sha256: Hex64, mediaType: Type.String() })),
  status: RecordStatus,
});
export type ClaimViewT = Static<typeof ClaimView>;

export const ClaimWritten = Type.Object({ claim: ClaimView, record: AcceptedRecord });
export const ClaimList = Type.Object({ claims: Type.Array(ClaimView) });

export const SegmentInput = Type.Object(
  {
    mediaSequence: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "The segment's Media Sequence Number (RFC 8216 §6.3.2)" }),
    uri: Type.String({ minLength: 1, maxLength: 1_000, pattern: "^[^\\u0000-\\u001f\\u007f]*$", description: "The segment's URI as the playlist names it" }),
    programDateTime: Type.Optional(Rfc3339),
    duration: Type.Number({ minimum: 0, maximum: 86_400, description: "EXTINF duration, seconds" }),
    bytes: Type.Integer({ minimum: 0, maximum: 2 ** 40 }),
    sha256: Hex64,
    mediaType: Type.Optional(MediaType),
  },
  { additionalProperties: false },
);

export const SegmentsBody = Type.Object(
  { rendition: Rendition, segments: Type.Array(SegmentInput, { minItems: 1, maxItems: MAX_SEGMENTS_PER_REQUEST }) },
  { additionalProperties: false },
);
export type SegmentsBodyT = Static<typeof SegmentsBody>;

export const SegmentOutcome = Type.Object({
  mediaSequence: Type.Integer(),
  outcome: Type.Union([Type.Literal("created"), Type.Literal("duplicate")]),
  id: Uuid,
  recordHash: Hex64,
  receipt: Type.Optional(ReceiptOut),
});
export const SegmentsWritten = Type.Object({ rendition: Type.String(), segments: Type.Array(SegmentOutcome) });

export const SegmentsQuery = Type.Object(
  { rendition: Type.Optional(Rendition) },
  { additionalProperties: false },
);

export const SegmentView = Type.Object({
  rendition: Type.String(),
  mediaSequence: Type.Integer(),
  uri: Type.String(),
  programDateTime: Nullable(Time),
  duration: Type.Number(),
  bytes: Type.Integer(),
  sha256: Hex64,
  id: Uuid,
  recordHash: Hex64,
  prev: Nullable(Hex64),
  status: RecordStatus,
  acceptedAt: Time,
});
export type SegmentViewT = Static<typeof SegmentView>;

export const SegmentReport = Type.Object({
  streamId: Uuid,
  status: Type.Union([Type.Literal("live"), Type.Literal("ended")]),
  renditions: Type.Array(
    Type.Object({
      rendition: Type.String(),
      count: Type.Integer(),
      firstMediaSequence: Nullable(Type.Integer()),
      lastMediaSequence: Nullable(Type.Integer()),
      bytes: Type.Integer(),
      gaps: Type.Array(Type.Object({ from: Type.Integer(), to: Type.Integer(), missing: Type.Integer() }), { description: "Media sequence numbers never notarized, from–to inclusive" }),
      outOfOrder: Type.Array(Type.Integer(), { description: "Segments notarized after a segment with a higher media sequence number" }),
    }),
  ),
  segments: Type.Array(SegmentView),
});
export type SegmentReportT = Static<typeof SegmentReport>;

export const EndStreamBody = Type.Object(
  {
    rendition: Rendition,
    playlist: Type.Object(
      {
        sha256: Hex64,
        bytes: Type.Integer({ minimum: 1, maximum: 64 * 1024 * 1024 }),
        segments: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
        firstMediaSequence: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
        lastMediaSequence: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
      },
      { additionalProperties: false, description: "The final media playlist (the one with #EXT-X-ENDLIST): its SHA-256, size, and the segments it lists" },
    ),
  },
  { additionalProperties: false },
);
export type EndStreamBodyT = Static<typeof EndStreamBody>;
