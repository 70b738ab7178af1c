// HTTP/1.1 over a bare loopback socket, for what `inject` cannot do: bodies that trickle, bytes
// that are not HTTP, connections the server must close.
import { connect } from "node:net";

export interface RawExchange {
  /** Everything the server sent. */
  response: string;
  status: number | undefined;
  /** ms from connecting until the first byte of the answer, if any came. */
  answeredAfterMs: number | undefined;
  /** ms from connecting until the server closed the connection (or the time limit). */
  closedAfterMs: number;
  /** False when the time limit was reached with the connection still open. */
  closedByServer: boolean;
}

export interface RawSend {
  /** Bytes sent at once on connecting. */
  head: Buffer | string;
  /** Then one chunk every `everyMs`, until the server answers or closes (or the chunks run out). */
  trickle?: { chunk: Buffer | string; everyMs: number; count: number };
  /** Give up (and close) after this long. */
  limitMs: number;
  /** Stop this long after the first bytes of an answer, rather than wait for the server to close. */
  settleMs?: number;
}

export function rawExchange(port: number, send: RawSend): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect({ host: "127.0.0.1", port });
    let response = "";
    let answeredAfterMs: number | undefined;
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean) => {
      clearInterval(timer);
      clearTimeout(limit);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1];
      resolve({ response, status: status === undefined ? undefined : Number(status), answeredAfterMs, closedAfterMs: Date.now() - started, closedByServer });
    };
    const limit = setTimeout(() => finish(false), send.limitMs);
    socket.on("connect", () => {
      socket.write(send.head);
      if (send.trickle) {
        const { chunk, everyMs, count } = send.trickle;
        timer = setInterval(() => {
          if (sent++ >= count || socket.destroyed) return clearInterval(timer);
          socket.write(chunk);
        }, everyMs);
      }
    });
    socket.on("data", (data) => {
      if (answeredAfterMs === undefined && send.settleMs !== undefined) setTimeout(() => finish(true), send.settleMs);
      answeredAfterMs ??= Date.now() - started;
      response += data.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => finish(true));
  });
}

/** The JSON body of a raw HTTP/1.1 response (not chunked). */
export function rawJson(response: string): unknown {
  const body = response.slice(response.indexOf("\r\n\r\n") + 4);
  return JSON.parse(body);
}
