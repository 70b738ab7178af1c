// What the fuzz test throws at the routes: hostile path parameters, queries, headers and bodies,
// drawn from a seeded generator so a failing run can be replayed with its seed.
import type { Random } from "../support/seeded-random.ts";
import { BOUNDARY, multipartBody, multipartType } from "../support/multipart.ts";

export const pick = <T>(random: Random, items: readonly T[]): T => items[random.int(0, items.length - 1)]!;

const MiB = 1024 * 1024;

/** A path parameter: sometimes valid, mostly not. Already percent-encoded for the URL. */
export function paramValue(random: Random, valid: string[]): string {
  return pick(random, [
    () => pick(random, valid),
    () => "%00",
    () => `${pick(random, valid)}%00`,
    () => "%E0%A4%A",
    () => "%",
    () => "%zz",
    () => "%ED%A0%80", // a lone surrogate, UTF-8-encoded (not valid UTF-8)
    () => "a".repeat(random.int(90, 5_000)),
    () => "..%2F..%2Fetc%2Fpasswd",
    () => encodeURIComponent("名前"),
    () => "00000000-0000-0000-0000-000000000000",
    // JSON Schema's `uuid` format (ajv-formats) takes the URN form; PostgreSQL's uuid type does not.
    () => "urn:uuid:00000000-0000-0000-0000-000000000000",
    () => String(random.int(-1e6, 1e6)),
    () => "%20",
    () => encodeURIComponent("\u{1F600}"),
  ])();
}

export function queryString(random: Random): string {
  return pick(random, [
    () => "",
    () => "",
    () => "?x=1",
    () => "?x=%00",
    () => "?%E0%A4%A=1",
    () => "?x=%ED%A0%80",
    () => `?x=${"q".repeat(random.int(100, 8_000))}`,
    () => "?__proto__[polluted]=1&constructor[prototype][polluted]=1",
    () => "?x=1&x=2&x=3",
    () => "?=&&=&",
    () => `?${"k".repeat(50)}=${"%41".repeat(100)}`,
  ])();
}

export const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/json; charset=latin1",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  multipartType(),
  "multipart/form-data; boundary=",
  "application/octet-stream",
  "application/xml",
  "application/ld+json",
  "garbage",
  ";;;",
  "application/json\u0000",
];

export function deepNesting(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

/** A body for a route whose valid body is `valid` (an object): mutated, replaced or broken. */
export function body(random: Random, valid: unknown): { payload: string | Buffer; contentType?: string } {
  const json = (value: unknown) => ({ payload: JSON.stringify(value), contentType: "application/json" });
  const mutateField = (value: unknown): unknown => {
    if (value === null || typeof value !== "object") return value;
    const copy = structuredClone(value) as Record<string, unknown>;
    const keys = Object.keys(copy);
    const key = keys.length > 0 && random() < 0.8 ? pick(random, keys) : pick(random, ["extra", "__proto__", "constructor", ""]);
    copy[key] = pick(random, [
      null,
      true,
      0,
      -1,
      1e308,
      "",
      "\u0000",
      `x\u0000y`,
      "\ud800",
      "x".repeat(random.int(1, 300_000)),
      [],
      [1, 2, 3],
      {},
      { __proto__: null, nested: "\u0000" },
      Array.from({ length: 2_000 }, () => ({})),
      "a".repeat(64),
      "0".repeat(64),
      "00000000-0000-0000-0000-000000000000",
    ]);
    return copy;
  };
  return pick(random, [
    () => json(valid),
    () => json(mutateField(valid)),
    () => json(mutateField(mutateField(valid))),
    () => json(pick(random, [null, 1, "x", [], [valid], true])),
    () => ({ payload: deepNesting(random.int(100, 200_000)), contentType: "application/json" }),
    () => ({ payload: `{"a":${deepNesting(random.int(60, 5_000))}}`, contentType: "application/json" }),
    () => ({ payload: JSON.stringify(valid).slice(0, random.int(0, JSON.stringify(valid).length)), contentType: "application/json" }),
    () => ({ payload: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}', contentType: "application/json" }),
    () => ({ payload: `{"x":"${"\\u0000".repeat(10)}"}`, contentType: "application/json" }),
    () => ({ payload: '{"x":"\\ud800"}', contentType: "application/json" }),
    () => ({ payload: "x".repeat(random.int(MiB, 2 * MiB)), contentType: "application/json" }),
    () => ({ payload: Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]), contentType: "application/json" }),
    () => ({ payload: "", contentType: "application/json" }),
    () => ({ payload: "not json", contentType: "text/plain" }),
    () => ({ payload: JSON.stringify(valid), contentType: pick(random, CONTENT_TYPES) }),
    () => ({ payload: multipartForm(random, valid), contentType: pick(random, [multipartType(), "multipart/form-data", multipartType("other")]) }),
    () => ({ payload: randomBytes(random, random.int(0, 4_096)), contentType: pick(random, CONTENT_TYPES) }),
    () => ({ payload: JSON.stringify(valid) }),
  ])();
}

export function randomBytes(random: Random, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = random.int(0, 255);
  return bytes;
}

/** A multipart form around `valid`: well-formed, duplicated, truncated or mangled. */
export function multipartForm(random: Random, valid: unknown): Buffer {
  const receipt = JSON.stringify((valid as { receipt?: unknown } | null)?.receipt ?? valid);
  const whole = multipartBody(
    pick(random, [
      [{ name: "receipt", data: receipt }, { name: "content", filename: "a.bin", data: randomBytes(random, random.int(0, 4_096)) }],
      [{ name: "receipt", filename: "r.json", type: "application/json", data: receipt }],
      [{ name: "receipt", data: receipt }, { name: "receipt", data: receipt }],
      [{ name: "content", filename: "a", data: "x" }, { name: "content", filename: "b", data: "y" }, { name: "receipt", data: receipt }],
      [{ name: "receipt", type: "application/json", data: "{broken" }],
      [{ name: "__proto__", data: "x" }],
      [{ name: "constructor", filename: "c", data: "x" }],
      [{ name: "x".repeat(300), data: "x" }],
      [{ name: "receipt", data: "\u0000" }],
      [{ name: "content", filename: "a", data: "x" }],
      Array.from({ length: random.int(4, 40) }, (_, i) => ({ name: `f${i}`, data: "x" })),
    ]),
  );
  return pick(random, [
    () => whole,
    () => whole.subarray(0, random.int(0, whole.length)),
    () => Buffer.concat([whole.subarray(0, random.int(0, whole.length)), randomBytes(random, random.int(1, 200)), whole.subarray(random.int(0, whole.length))]),
    () => Buffer.from(whole.toString("latin1").replaceAll(BOUNDARY, "wrong"), "latin1"),
    () => Buffer.from(whole.toString("latin1").replace("Content-Disposition", "Content-Dispositio"), "latin1"),
  ])();
}

/** An evidence upload form (POST /v1/evidence/files): well-formed, or broken in its parts or framing. */
export function fileForm(random: Random): Buffer {
  const whole = multipartBody(
    pick(random, [
      [{ name: "file", filename: "scan.pdf", type: "application/pdf", data: randomBytes(random, random.int(0, 4_096)) }],
      [{ name: "file", filename: "../../etc/passwd\u0000.png", type: "image/png\r\nX-Evil: 1", data: "x" }],
      [{ name: "file", filename: "名".repeat(400), data: "x" }],
      [{ name: "file", data: "not a file" }],
      [{ name: "file", filename: "a", data: "x" }, { name: "file", filename: "b", data: "y" }],
      [{ name: "note", data: "x" }, { name: "file", filename: "a", data: "x" }],
      [{ name: "__proto__", filename: "p", data: "x" }],
      Array.from({ length: random.int(3, 20) }, (_, i) => ({ name: `f${i}`, data: "x" })),
    ]),
  );
  return pick(random, [
    () => whole,
    () => whole.subarray(0, random.int(0, whole.length)),
    () => Buffer.concat([whole.subarray(0, random.int(0, whole.length)), randomBytes(random, random.int(1, 200)), whole.subarray(random.int(0, whole.length))]),
    () => Buffer.from(whole.toString("latin1").replaceAll(BOUNDARY, "wrong"), "latin1"),
  ])();
}
