// Environment → one frozen, typed config object, checked against a TypeBox schema at start.
// A bad value stops the service with a message naming the variable; secret values are never
// echoed, not even in that message.
import { Type, type Static } from "typebox";
import { Value } from "typebox/value";
import { ConfigError } from "./errors.ts";
import { formatDigitalLink } from "./gs1/index.ts";
import { redact } from "./verifier/redact.ts";

const Hex32Key = Type.String({ pattern: "^(0x)?[0-9a-fA-F]{64}$" });
const Address = Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" });

export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: "127.0.0.1", minLength: 1 }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  // Literals spelled out: a mapped array would type the level as `never`.
  LOG_LEVEL: Type.Union(
    [Type.Literal("fatal"), Type.Literal("error"), Type.Literal("warn"), Type.Literal("info"), Type.Literal("debug"), Type.Literal("trace"), Type.Literal("silent")],
    { default: "info" },
  ),
  /** Without it: human-readable lines when stdout is a terminal, one JSON object a line otherwise. */
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("pretty")])),
  /** postgres:// URL; without it the service runs on PGlite. */
  DATABASE_URL: Type.Optional(Type.String({ pattern: "^postgres(ql)?://" })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  /** Directory for PGlite's files; without it PGlite keeps everything in memory. */
  PGLITE_DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  /** Any EVM JSON-RPC endpoint; without it the service starts Hardhat's in-process network. */
  CHAIN_RPC_URL: Type.Optional(Type.String({ pattern: "^(https?|wss?)://" })),
  CHAIN_ID: Type.Optional(Type.Integer({ minimum: 1 })),
  CONTRACT_ADDRESS: Type.Optional(Address),
  /** The block that deployed CONTRACT_ADDRESS (npm run deploy prints it); without it, found on the chain at start. */
  CONTRACT_DEPLOY_BLOCK: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  ANCHOR_PRIVATE_KEY: Type.Optional(Hex32Key),
  ANCHOR_KEYSTORE: Type.Optional(Type.String({ minLength: 1 })),
  ANCHOR_KEYSTORE_PASSWORD: Type.Optional(Type.String()),
  BATCH_MAX: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000 }),
  BATCH_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 2_000 }),
  CONFIRMATIONS: Type.Integer({ minimum: 1, maximum: 1_000, default: 1 }),
  /** "auto": the chain's `finalized` tag where it has one, else CONFIRMATIONS blocks. */
  FINALITY: Type.Union([Type.Literal("auto"), Type.Literal("tag"), Type.Literal("confirmations")], { default: "auto" }),
  MAX_FEE_PER_GAS_GWEI: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  MAX_PRIORITY_FEE_PER_GAS_GWEI: Type.Optional(Type.Number({ minimum: 0 })),
  ANCHOR_GAS_LIMIT: Type.Integer({ minimum: 21_000, maximum: 30_000_000, default: 120_000 }),
  CHAIN_POLL_MS: Type.Integer({ minimum: 10, maximum: 600_000, default: 500 }),
  /** Run the sealer and anchorer in this process (one leader per database is elected anyway). */
  PIPELINE: Type.Union([Type.Literal("on"), Type.Literal("off")], { default: "on" }),
  /** Requests per minute per client IP on the unauthenticated routes. */
  PUBLIC_RATE_LIMIT: Type.Integer({ minimum: 1, default: 120 }),
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  /** Largest file `POST /v1/verify/upload` hashes (as a stream: it is never held in memory). */
  VERIFY_UPLOAD_MAX_BYTES: Type.Integer({ minimum: 1, maximum: 2 ** 40, default: 1024 * 1024 * 1024 }),
  /** Public verifications in flight at once in this process; more are answered 503 with Retry-After. */
  VERIFY_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1_000, default: 8 }),
  /** A request body must arrive within this time, plus one second per BODY_MIN_BYTES_PER_SECOND bytes. */
  BODY_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  BODY_MIN_BYTES_PER_SECOND: Type.Integer({ minimum: 1, default: 64 * 1024 }),
  /**
   * How long a looked-up API key is trusted without reading it again: the bound on how late a
   * revocation reaches a replica (at most 1 s, issue 7). 0 looks the key up on every request.
   */
  KEY_CACHE_MS: Type.Integer({ minimum: 0, maximum: 1_000, default: 500 }),
  /**
   * Group commit of single-record writes (src/records/group-commit.ts): while a group's transaction
   * is open, new requests wait at most this long for more to join before a second one opens.
   */
  GROUP_COMMIT_WINDOW_MS: Type.Integer({ minimum: 0, maximum: 50, default: 2 }),
  /** Records in one group at most. */
  GROUP_COMMIT_MAX: Type.Integer({ minimum: 1, maximum: 1_000, default: 256 }),
  /** Group transactions open at once; keep it below DATABASE_POOL_SIZE, the other queries need connections too. */
  GROUP_COMMIT_TRANSACTIONS: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
  /**
   * Where the service is reached from outside: the stem of every GS1 Digital Link URI it issues
   * (the subjects of products, lots and items, and their QR codes). Without it: http://{HOST}:{PORT}.
   */
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: "^[Hh][Tt][Tt][Pp][Ss]?://" })),
  /**
   * 32 bytes, hex: the key of the HMAC that stores scratch PINs. Needed on PostgreSQL to issue
   * PINs; on PGlite one is made per process (PINs it issued cannot be checked after a restart).
   */
  PIN_HMAC_KEY: Type.Optional(Hex32Key),
  /** "1": after start, seed a demo merchant, product, lots, items and events (src/demo/), and print their resolver URLs. */
  TRACEMARK_DEMO: Type.Union([Type.Literal("0"), Type.Literal("1")], { default: "0" }),
  // Transaction evidence (orders, payments, chats, after-sales) is kept at least this long, counted
  // from an order's newest record: China's E-Commerce Law Art. 31 asks for three years. The purge
  // (src/evidence/erasure/retention.ts) runs every EVIDENCE_PURGE_INTERVAL_MS in each process with PIPELINE=on
  // (concurrent runs skip each other's locked rows).
  EVIDENCE_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 36_500, default: 1095 }),
  EVIDENCE_PURGE_INTERVAL_MS: Type.Integer({ minimum: 1_000, maximum: 86_400_000, default: 3_600_000 }),
  /** Largest evidence file `POST /v1/evidence/files` takes (streamed and hashed, never held whole): 2 GiB. */
  EVIDENCE_MAX_BYTES: Type.Integer({ minimum: 1, maximum: 2 ** 40, default: 2 * 1024 ** 3 }),
  /** Where evidence files are kept (src/evidence/blobs/): the local filesystem, or an S3-compatible object store. */
  BLOB_DRIVER: Type.Union([Type.Literal("local"), Type.Literal("s3")], { default: "local" }),
  /** The local driver's directory (created when missing). */
  EVIDENCE_DIR: Type.String({ minLength: 1, default: "data/evidence" }),
  /** The S3 driver: endpoint URL (without it, AWS's for S3_REGION), bucket, region, optional key prefix. */
  S3_ENDPOINT: Type.Optional(Type.String({ pattern: "^[Hh][Tt][Tt][Pp][Ss]?://" })),
  S3_BUCKET: Type.Optional(Type.String({ minLength: 1 })),
  S3_REGION: Type.String({ minLength: 1, default: "us-east-1" }),
  S3_PREFIX: Type.String({ default: "" }),
  /** Path-style URLs (endpoint/bucket/key): MinIO and most self-hosted stores need them; AWS, OSS and COS take virtual-hosted ones. */
  S3_FORCE_PATH_STYLE: Type.Boolean({ default: false }),
  /** Both or neither; without them the SDK's default chain (environment, profile, instance role) is used. */
  S3_ACCESS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  S3_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * 32 bytes, hex: the key of the HMAC that turns a client's network and user agent into a coarse
   * device id for scan counting (src/scans/device.ts). Without it, one is made per process: device
   * counts then start again after a restart. Secret: with it, the ids of a known network could be
   * recomputed.
   */
  SCAN_DEVICE_SALT: Type.Optional(Hex32Key),
  /**
   * The longest a cached history (GET /v1/trace, the scan page) is served without being rebuilt.
   * Every request checks it against the database first, so new records, seals and anchors show at
   * once; what that check does not cover shows within this: a merchant's new name, and a payload
   * changed in place in the database behind the service's back (the service never rewrites one),
   * which the shopper's browser then catches (src/trace/events/trace-view.ts).
   */
  TRACE_CACHE_MAX_AGE_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 60_000 }),
  /** Scans are counted in memory and written to the database at least this often (and on close). */
  SCAN_FLUSH_MS: Type.Integer({ minimum: 10, maximum: 1_000, default: 500 }),
  /** Clone rule: more devices than this having checked one item is a warning. */
  CLONE_MAX_DEVICES: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 5 }),
  /** Wrong scratch PINs for one item within CLAIM_FAILURE_WINDOW_MS before claiming it is refused (429). */
  CLAIM_MAX_FAILURES_PER_ITEM: Type.Integer({ minimum: 1, maximum: 1_000, default: 5 }),
  /** Wrong scratch PINs from one client (IP address) within CLAIM_FAILURE_WINDOW_MS before its claims are refused (429). */
  CLAIM_MAX_FAILURES_PER_CLIENT: Type.Integer({ minimum: 1, maximum: 10_000, default: 20 }),
  CLAIM_FAILURE_WINDOW_MS: Type.Integer({ minimum: 1_000, maximum: 7 * 24 * 3_600_000, default: 3_600_000 }),
  /** Public notarizations (POST /v1/public/records) per client IP a minute. */
  PUBLIC_NOTARIZE_RATE_LIMIT: Type.Integer({ minimum: 1, default: 10 }),
  /** Public notarizations a minute from all clients together, in this process. */
  PUBLIC_NOTARIZE_GLOBAL_LIMIT: Type.Integer({ minimum: 1, default: 600 }),
  /**
   * The JSON-RPC endpoint shoppers' browsers ask to verify the scan page's receipts (src/pages/).
   * Never derived from CHAIN_RPC_URL, which may hold a provider's key. Without it: in embedded mode
   * this service's own read-only `/rpc`; otherwise the browser checks only what needs no chain.
   */
  PUBLIC_RPC_URL: Type.Optional(Type.String({ pattern: "^[Hh][Tt][Tt][Pp][Ss]?://" })),
  /** Dispute cases (src/cases/deadlines.ts): days after delivery to open a case, ... */
  CASE_REQUEST_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 7 }),
  /** ... days after it is opened for the review and decision, ... */
  CASE_REVIEW_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 3 }),
  /** ... and days after a decision that sends the goods back for the return. */
  CASE_RETURN_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 3 }),
  /**
   * A folder of evidence files named by their SHA-256 (lower-case hex): the originals an evidence
   * bundle includes (src/bundle/blob-source.ts). Without it, bundles hold records and receipts only.
   */
  CASE_BLOB_DIR: Type.Optional(Type.String({ minLength: 1 })),
});

export type Config = Readonly<Static<typeof ConfigSchema>>;

/** Variables whose values must never be printed. */
export const SECRET_VARIABLES = new Set(["ANCHOR_PRIVATE_KEY", "ANCHOR_KEYSTORE_PASSWORD", "DATABASE_URL", "PIN_HMAC_KEY", "S3_SECRET_ACCESS_KEY", "SCAN_DEVICE_SALT"]);

const PROBLEMS: Record<string, (params: Record<string, unknown>) => string> = {
  pattern: () => "has the wrong format",
  minimum: (p) => `must be ${p["comparison"] ?? ">="} ${String(p["limit"])}`,
  maximum: (p) => `must be ${p["comparison"] ?? "<="} ${String(p["limit"])}`,
  exclusiveMinimum: (p) => `must be > ${String(p["limit"])}`,
  type: (p) => `must be ${String(p["type"] ?? "of another type")}`,
  minLength: () => "must not be empty",
};

/** `requireContract: false` for the deploy command, which is what makes the contract. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { requireContract?: boolean } = {}): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const config = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw)) as Static<typeof ConfigSchema>;
  const [first] = Value.Errors(ConfigSchema, config);
  if (first) {
    const variable = first.instancePath.replace(/^\//, "").split("/")[0] ?? "configuration";
    const problem = PROBLEMS[first.keyword]?.(first.params as Record<string, unknown>) ?? first.message;
    const shown = SECRET_VARIABLES.has(variable) ? "" : ` (got ${JSON.stringify(raw[variable])})`;
    throw new ConfigError(variable, `${problem}${shown}`);
  }
  checkCombinations(config, options.requireContract ?? true);
  return Object.freeze(config);
}

function checkCombinations(config: Static<typeof ConfigSchema>, requireContract: boolean): void {
  if (requireContract && config.CHAIN_RPC_URL && !config.CONTRACT_ADDRESS) {
    throw new ConfigError("CONTRACT_ADDRESS", "is required when CHAIN_RPC_URL is set (deploy with `npm run deploy`)");
  }
  if (config.ANCHOR_KEYSTORE && config.ANCHOR_KEYSTORE_PASSWORD === undefined) {
    throw new ConfigError("ANCHOR_KEYSTORE_PASSWORD", "is required when ANCHOR_KEYSTORE is set");
  }
  if (config.ANCHOR_KEYSTORE && config.ANCHOR_PRIVATE_KEY) {
    throw new ConfigError("ANCHOR_PRIVATE_KEY", "and ANCHOR_KEYSTORE are exclusive: set one");
  }
  if (config.PUBLIC_BASE_URL !== undefined) {
    const problem = publicBaseUrlProblem(config.PUBLIC_BASE_URL);
    if (problem) throw new ConfigError("PUBLIC_BASE_URL", `${problem} (got ${JSON.stringify(config.PUBLIC_BASE_URL)})`);
  }
}

/**
 * Why a URL cannot be the stem of GS1 Digital Link URIs (URI Syntax 1.6: http or https, a domain,
 * optionally a path; the AIs follow it), or null. A query or fragment would end up in the middle
 * of every URI, and a user name or password in every QR code.
 */
export function publicBaseUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http:// or https:// URL";
  if (url.search !== "" || value.includes("?")) return "must not have a query (?…)";
  if (url.hash !== "" || value.includes("#")) return "must not have a fragment (#…)";
  if (url.username !== "" || url.password !== "") return "must not hold a user name or password";
  try {
    formatDigitalLink({ base: value, primaryKey: { ai: "01", value: "09520123456788" } });
  } catch (error) {
    return `cannot be the stem of a GS1 Digital Link URI: ${(error as Error).message}`;
  }
  return null;
}

/** The stem of the GS1 Digital Link URIs this service issues, without a trailing slash. */
export function publicBaseUrl(config: Config): string {
  if (config.PUBLIC_BASE_URL !== undefined) return config.PUBLIC_BASE_URL.replace(/\/+$/, "");
  const host = config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}`;
}

/** Where the database and chain come from, for the start-up banner. No secrets. */
export function describeConfig(config: Config): { database: string; chain: string } {
  return {
    database: config.DATABASE_URL
      ? `postgresql at ${safeUrlHost(config.DATABASE_URL)}`
      : config.PGLITE_DATA_DIR
        ? `embedded PGlite in ${config.PGLITE_DATA_DIR}`
        : "embedded PGlite in memory",
    chain: config.CHAIN_RPC_URL ? `JSON-RPC at ${safeUrlHost(config.CHAIN_RPC_URL)}` : "in-process Hardhat network",
  };
}

/** scheme://host:port of a URL: its user, password, path and query may carry API keys. */
export const safeUrlHost = redact;
