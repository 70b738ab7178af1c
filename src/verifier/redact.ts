// Secrets that travel inside URLs, and how to keep them out of what is printed or returned.
// Kept apart from rpc.ts so that code which only needs to name a URL does not load ethers.
//
// A hosted JSON-RPC endpoint carries its API key in the path (Infura `/v3/<key>`, Alchemy
// `/v2/<key>`), in the query (`?apikey=`) or in the userinfo; a database URL carries a password.
// ethers copies the whole URL into its errors (`info.requestUrl`, and again inside `message`),
// and a gateway may echo the path in its answer, so naming the host is the most a message may do.

/** scheme://host[:port] of a URL, without userinfo, path or query, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "<invalid URL>";
  }
}

export interface SecretUrl {
  url: string;
  /** An RPC URL's path and user name are credentials; a database URL's are not (its password is). */
  kind: "rpc" | "database";
}

/** Parts shorter than this are not hunted for on their own: they would match ordinary words. */
const MIN_SECRET_PART = 6;

const decoded = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The substrings of `url` that may not be shown on their own, longest first. */
export function secretPartsOf({ url, kind }: SecretUrl): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.length >= MIN_SECRET_PART ? [url] : [];
  }
  const parts = new Set<string>([u.password, u.search, u.search.slice(1)]);
  for (const value of u.searchParams.values()) parts.add(value);
  if (kind === "rpc") {
    parts.add(u.username);
    if (u.pathname !== "/") parts.add(u.pathname + u.search);
    parts.add(u.pathname.replace(/^\/+|\/+$/g, ""));
    for (const segment of u.pathname.split("/")) parts.add(segment);
  }
  const all = [...parts].flatMap((p) => [p, decoded(p)]).filter((p) => p.length >= MIN_SECRET_PART);
  return [...new Set(all)].sort((a, b) => b.length - a.length);
}

export type Scrub = (text: string) => string;

// userinfo of any URL, known or not: `scheme://user:password@` keeps only the scheme.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/**
 * A function that rewrites a text (a log line, an error message, a response detail) so that
 * none of `urls` appears in it: each whole URL becomes its redact() form, then any part of it
 * that still shows up on its own (a path echoed by a gateway, a decoded password) becomes
 * "[redacted]". Userinfo is dropped from every URL in the text.
 */
export function scrubberFor(urls: ReadonlyArray<SecretUrl | undefined>): Scrub {
  const known = urls.filter((u): u is SecretUrl => u !== undefined && u.url !== "");
  const whole = new Map<string, string>();
  for (const { url } of known) {
    const shown = redact(url);
    whole.set(url, shown);
    try {
      whole.set(new URL(url).href, shown);
    } catch {
      // not a URL: its parts are the whole string, handled below
    }
  }
  const wholeInOrder = [...whole.entries()].sort((a, b) => b[0].length - a[0].length);
  const parts = [...new Set(known.flatMap(secretPartsOf))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const [url, shown] of wholeInOrder) out = out.replaceAll(url, shown);
    for (const part of parts) out = out.replaceAll(part, "[redacted]");
    return out.replace(USERINFO, "$1");
  };
}

/** The secret URLs a process's configuration knows. */
export function configSecretUrls(config: { CHAIN_RPC_URL?: string | undefined; DATABASE_URL?: string | undefined }): Array<SecretUrl | undefined> {
  return [
    config.CHAIN_RPC_URL === undefined ? undefined : { url: config.CHAIN_RPC_URL, kind: "rpc" },
    config.DATABASE_URL === undefined ? undefined : { url: config.DATABASE_URL, kind: "database" },
  ];
}

/** `error`'s message (ethers' short one where it has it), first line, scrubbed. */
export function safeMessage(error: unknown, scrub: Scrub): string {
  const message = error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error);
  return scrub(message.split("\n")[0] ?? "");
}
