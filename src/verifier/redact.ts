// Kept apart from rpc.ts so that code which only needs to name a URL does not load ethers.

/** The URL without credentials or query (API keys often live there), for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "<invalid URL>";
  }
}
