// The import's HTTP client: one merchant key, JSON in and out, and the two ways a request can
// fail that are not the row's fault — the service cannot be reached, or it asks us to slow down.
// The key goes into the Authorization header and nowhere else: no message here ever holds it.

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** The service could not be reached (refused, reset, timed out) or kept failing with 5xx: exit 4. */
export class ApiUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiUnreachable";
  }
}

export interface ApiClient {
  send(method: "GET" | "POST", path: string, options?: { json?: unknown; mediaType?: string; idempotencyKey?: string }): Promise<ApiAnswer>;
}

const ATTEMPTS = 5;
const REQUEST_TIMEOUT_MS = 120_000;

/** The error of the one error shape `{ error: { code, message, field? } }`, as one line. */
export function reasonOf(answer: ApiAnswer): { code: string; message: string; field?: string } {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    return { code: error.code, message: error.message, ...(typeof error.field === "string" && { field: error.field }) };
  }
  return { code: `HTTP_${answer.status}`, message: typeof answer.body === "string" ? answer.body.slice(0, 200) : `status ${answer.status}` };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds from a Retry-After header (RFC 9110 §10.2.3, the delay-seconds form), within reason. */
function retryAfterMs(header: string | null, attempt: number): number {
  const seconds = header !== null && /^[0-9]+$/.test(header) ? Number(header) : 2 ** attempt;
  return Math.min(seconds, 60) * 1000;
}

export function apiClient(apiUrl: string, key: string): ApiClient {
  const base = apiUrl.replace(/\/+$/, "");
  return {
    async send(method, path, options = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: "application/json" };
      if (options.json !== undefined) headers["content-type"] = options.mediaType ?? "application/json";
      if (options.idempotencyKey !== undefined) headers["idempotency-key"] = options.idempotencyKey;
      const body = options.json === undefined ? undefined : JSON.stringify(options.json);
      let last = "";
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        let response: Response;
        try {
          response = await fetch(base + path, { method, headers, ...(body !== undefined && { body }), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        } catch (error) {
          // Only the origin is named: a URL may carry credentials of its own.
          const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
          throw new ApiUnreachable(`cannot reach ${new URL(base).origin} (${cause})`);
        }
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = text === "" ? null : JSON.parse(text);
        } catch {
          // not JSON: kept as text for the reason
        }
        // 429 and 503 say "later" (rate limit, busy, not ready); other 5xx may be a passing fault.
        if (response.status === 429 || response.status >= 500) {
          last = `${response.status} ${reasonOf({ status: response.status, body: parsed }).message}`;
          await pause(retryAfterMs(response.headers.get("retry-after"), attempt));
          continue;
        }
        return { status: response.status, body: parsed };
      }
      throw new ApiUnreachable(`${new URL(base).origin} kept failing: ${last}`);
    },
  };
}
