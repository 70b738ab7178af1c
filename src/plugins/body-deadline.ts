// A slow body holds a socket, a parser and (on the verify routes) a concurrency slot for as long
// as the client likes: one byte every few seconds defeats any idle timeout. So every request body
// runs against a deadline that grows with what has arrived: BODY_TIMEOUT_MS from the request's
// start, plus one second per BODY_MIN_BYTES_PER_SECOND bytes received. A body that falls behind is
// answered 408 (when nothing was answered yet) and its connection is closed. This covers bodies
// the route never reads too (Node drains them after a 401), and multipart uploads, which are read
// from the raw request rather than through Fastify's parser: the count is the socket's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { AppError } from "../errors.ts";

/** Checks at least this often once the grace period is over (ms). */
const MIN_CHECK_INTERVAL_MS = 250;

function watchBody(request: FastifyRequest, reply: FastifyReply, graceMs: number, minBytesPerSecond: number): void {
  const raw = request.raw;
  const socket = raw.socket;
  const start = Date.now();
  const base = socket.bytesRead;
  let timer: NodeJS.Timeout;
  const stop = () => {
    clearTimeout(timer);
    socket.off("close", stop);
    raw.off("end", stop);
  };
  const check = () => {
    if (raw.complete || socket.destroyed) return stop();
    const earned = ((socket.bytesRead - base) / minBytesPerSecond) * 1000;
    const remaining = start + graceMs + earned - Date.now();
    if (remaining > 0) {
      timer = setTimeout(check, Math.max(remaining, MIN_CHECK_INTERVAL_MS)).unref();
      return;
    }
    stop();
    cutOff(request, reply, graceMs, minBytesPerSecond);
  };
  timer = setTimeout(check, graceMs).unref();
  socket.once("close", stop);
  raw.once("end", stop);
}

function cutOff(request: FastifyRequest, reply: FastifyReply, graceMs: number, minBytesPerSecond: number): void {
  request.log.info({ bytesRead: request.raw.socket.bytesRead }, "request body too slow: connection closed");
  const destroy = () => void request.raw.socket.destroy();
  if (reply.sent || reply.raw.headersSent) return destroy();
  reply.raw.once("finish", destroy);
  const message = `the request body arrived too slowly: it must arrive within ${graceMs} ms plus one second per ${minBytesPerSecond} bytes`;
  void reply.send(new AppError("REQUEST_TIMEOUT", message, { field: "body" }));
}

async function bodyDeadlinePlugin(app: FastifyInstance): Promise<void> {
  const { BODY_TIMEOUT_MS, BODY_MIN_BYTES_PER_SECOND } = app.config;
  app.addHook("onRequest", (request, reply, done) => {
    // `inject` has no socket that counts bytes, and a request without a body is complete already.
    if (!request.raw.complete && typeof request.raw.socket?.bytesRead === "number") watchBody(request, reply, BODY_TIMEOUT_MS, BODY_MIN_BYTES_PER_SECOND);
    done();
  });
}

export default fp(bodyDeadlinePlugin, { name: "tracemark-body-deadline", dependencies: ["tracemark-context", "tracemark-errors"] });
