// A load generator for tests that kill the server under load: a few workers post records to
// /v1/records/batch (and some to /v1/records), and more workers post single records back to back
// so that several wait at once and share group commits (src/records/group-commit.ts); each request
// has a subject of its own, and every request's outcome is kept. Only a 202 with the ids counts as accepted; a request whose
// answer was lost (the server died) may or may not have been stored. Some requests carry an
// Idempotency-Key and are sent again, unchanged, until one attempt is answered.
import type { Random } from "./seeded-random.ts";

export interface RequestOutcome {
  /** Unique per request: the test counts the records stored under it. */
  subject: string;
  size: number;
  idempotencyKey: string | null;
  /** The ids of the records, once an attempt was answered with 202. */
  ids: string[] | null;
  /** The server answered with the records of an earlier attempt (it committed, its answer was lost). */
  replayed: boolean;
  /** Attempts whose answer was lost (connection reset, timeout, 5xx); refused connections do not count. */
  lost: number;
  /** A 4xx answer: the request was refused and nothing may be stored. */
  refused: { status: number; body: string } | null;
}

export interface LoadOptions {
  /** Where the server is now (it may change between attempts). */
  url(): string;
  token: string;
  workers: number;
  random: Random;
  /** At most this many records per request. */
  maxRecords: number;
  /** Pause between two requests of one worker, ms. */
  pauseMs: [number, number];
  /** Share of requests with an Idempotency-Key, in [0, 1]. */
  idempotentShare: number;
  /** Workers that send only single-record requests, with their own pause between two. */
  singleWorkers?: { workers: number; pauseMs: [number, number] };
}

export interface Load {
  readonly outcomes: readonly RequestOutcome[];
  /** Ids of every record answered 202, with the subject they were sent under. */
  accepted(): Map<string, string>;
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 5_000;
const RETRY_PAUSE_MS = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startLoad(options: LoadOptions): Load {
  const outcomes: RequestOutcome[] = [];
  let stopping = false;
  const { random } = options;

  function nextRequest(worker: number, n: number, onlySingle: boolean): { outcome: RequestOutcome; path: string; body: string } {
    const single = onlySingle || random() < 0.2;
    const size = single ? 1 : random.int(1, options.maxRecords);
    const subject = `crash-test:w${worker}:r${n}`;
    const records = Array.from({ length: size }, (_, i) =>
      random() < 0.5
        ? { kind: "evidence.chat", subject, payload: { worker, n, i, text: random().toString(36) } }
        : { kind: "evidence.file", subject, contentHash: Math.floor(random() * 2 ** 52).toString(16).padStart(64, "0"), mediaType: "image/jpeg" },
    );
    const key = random() < options.idempotentShare ? `crash-test-w${worker}-r${n}` : null;
    return {
      outcome: { subject, size, idempotencyKey: key, ids: null, replayed: false, lost: 0, refused: null },
      path: single ? "/v1/records" : "/v1/records/batch",
      body: JSON.stringify(single ? records[0] : { records }),
    };
  }

  /**
   * One attempt. "down": nothing was stored (the connection was refused, or a keyed attempt is
   * still in flight elsewhere), so it can be sent again as it is. "lost": it may have been
   * received, and its answer did not come.
   */
  async function attempt(outcome: RequestOutcome, path: string, body: string): Promise<"answered" | "lost" | "down"> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, "content-type": "application/json" };
    if (outcome.idempotencyKey) headers["idempotency-key"] = outcome.idempotencyKey;
    let status: number;
    let text: string;
    let replayed: boolean;
    try {
      const response = await fetch(`${options.url()}${path}`, { method: "POST", headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      status = response.status;
      replayed = response.headers.get("idempotent-replayed") === "true";
      text = await response.text();
    } catch (error) {
      if ((error as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED") return "down";
      outcome.lost += 1;
      return "lost";
    }
    if (status >= 500) {
      outcome.lost += 1;
      return "lost";
    }
    // 409 for a keyed request: an attempt with the same key is still in flight; the API says retry.
    if (status === 409 && outcome.idempotencyKey) return "down";
    if (status !== 202) {
      outcome.refused = { status, body: text.slice(0, 500) };
      return "answered";
    }
    const answer = JSON.parse(text) as { id?: string; records?: { id: string }[] };
    outcome.ids = answer.records ? answer.records.map((r) => r.id) : [answer.id as string];
    outcome.replayed = replayed;
    return "answered";
  }

  async function worker(index: number, onlySingle: boolean, pauseMs: [number, number]): Promise<void> {
    for (let n = 0; !stopping; n++) {
      const { outcome, path, body } = nextRequest(index, n, onlySingle);
      outcomes.push(outcome);
      // Sent again while the server is down; after a lost answer, only a keyed request is.
      for (;;) {
        const result = await attempt(outcome, path, body);
        if (result === "answered" || stopping || (result === "lost" && !outcome.idempotencyKey)) break;
        await sleep(RETRY_PAUSE_MS);
      }
      await sleep(random.int(pauseMs[0], pauseMs[1]));
    }
  }

  const singles = options.singleWorkers;
  const running = [
    ...Array.from({ length: options.workers }, (_, i) => worker(i, false, options.pauseMs)),
    ...Array.from({ length: singles?.workers ?? 0 }, (_, i) => worker(options.workers + i, true, singles!.pauseMs)),
  ];
  return {
    outcomes,
    accepted() {
      const ids = new Map<string, string>();
      for (const o of outcomes) for (const id of o.ids ?? []) ids.set(id, o.subject);
      return ids;
    },
    async stop() {
      stopping = true;
      await Promise.all(running);
    },
  };
}
