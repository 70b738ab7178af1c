// The watch engine of `tracemark stream watch` against the real app on a loopback port, with a
// playlist written by hand into a directory: stopped and resumed with neither gap nor duplicate,
// an unreadable segment left as a gap, the end on #EXT-X-ENDLIST; and the CLI's usage errors.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { apiClient } from "../../src/import/api.ts";
import { main, STREAM_EXIT } from "../../src/stream-watch/cli.ts";
import { sourceOf } from "../../src/stream-watch/source.ts";
import { UsageError } from "../../src/cli/usage-error.ts";
import { watchStream, type WatchOptions } from "../../src/stream-watch/watch.ts";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";

const playlist = (first: number, uris: string[], end: boolean) =>
  ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2", `#EXT-X-MEDIA-SEQUENCE:${first}`, ...uris.flatMap((u) => ["#EXTINF:2.0,", u]), ...(end ? ["#EXT-X-ENDLIST"] : [])].join("\n") + "\n";

t.test("watching a directory: stop, resume, a gap, the end", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  const api = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  const key = await merchantKey(h.database, "Watch Shop");
  const stream = (await h.app.inject({ method: "POST", url: "/v1/streams", headers: bearer(key), payload: { platform: "Kuaishou", roomUrl: "https://live.example/w", host: "Mei" } })).json().stream as { id: string };
  const dir = await mkdtemp(join(tmpdir(), "tracemark-watch-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const n of [10, 11, 12, 14]) await writeFile(join(dir, `s${n}.ts`), `bytes of segment ${n}`);
  await writeFile(join(dir, "live.m3u8"), playlist(10, ["s10.ts", "s11.ts", "s12.ts"], false));
  const client = apiClient(api, key.token);
  const options: WatchOptions = { streamId: stream.id, rendition: "main", batch: 2, pollMs: 20, idleMs: 5_000, missingPolls: 2, maxSegments: 2, interrupted: () => false };

  const first = await watchStream(client, await sourceOf(dir), options);
  t.match(first, { status: "stopped", totals: { segments: 2 } }, "stopped after two segments");

  // The stream goes on: 13 is listed but never written (deleted), 14 follows, then the end.
  await writeFile(join(dir, "live.m3u8"), playlist(10, ["s10.ts", "s11.ts", "s12.ts", "s13.ts", "s14.ts"], true));
  let resumedWith: [number, number | null] | null = null;
  const gaps: number[] = [];
  const second = await watchStream(client, await sourceOf(join(dir, "live.m3u8")), { ...options, maxSegments: null }, { resumed: (held, last) => (resumedWith = [held, last]), gap: (s) => gaps.push(s.mediaSequence) });
  t.same(resumedWith, [2, 11], "asked the service where it got to");
  t.equal(second.status, "ended");
  t.equal(second.totals.segments, 2, "12 and 14, nothing sent twice");
  t.same(gaps, [13]);
  const report = (await h.app.inject({ method: "GET", url: `/v1/streams/${stream.id}/segments`, headers: bearer(key) })).json();
  t.same(report.segments.map((s: { mediaSequence: number }) => s.mediaSequence), [10, 11, 12, 14]);
  t.same(report.renditions[0].gaps, [{ from: 13, to: 13, missing: 1 }]);
  t.equal(report.segments[0].sha256, createHash("sha256").update("bytes of segment 10").digest("hex"));
  const view = (await h.app.inject({ method: "GET", url: `/v1/streams/${stream.id}`, headers: bearer(key) })).json();
  t.match(view, { status: "ended", finalPlaylistSha256: createHash("sha256").update(playlist(10, ["s10.ts", "s11.ts", "s12.ts", "s13.ts", "s14.ts"], true)).digest("hex") });

  t.test("a multivariant playlist is refused: the watcher needs one rendition's media playlist", async (t) => {
    const other = (await h.app.inject({ method: "POST", url: "/v1/streams", headers: bearer(key), payload: { platform: "x", roomUrl: "https://live.example/m", host: "y" } })).json().stream as { id: string };
    await mkdir(join(dir, "variants"));
    const master = join(dir, "variants", "master.m3u8");
    await writeFile(master, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nlow/index.m3u8\n");
    await t.rejects(watchStream(client, await sourceOf(master), { ...options, streamId: other.id }), UsageError);
  });

  t.test("the command line: usage errors exit 2 and say what is wrong", async (t) => {
    const lines: string[] = [];
    const io = { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l), progress: process.stderr };
    t.equal(await main(["watch", dir, "--api", api, "--key", "k"], io, {}), STREAM_EXIT.usage);
    t.match(lines.pop(), /--stream must be the stream's id/);
    t.equal(await main(["watch", dir, "--stream", stream.id, "--api", api], io, {}), STREAM_EXIT.usage);
    t.match(lines.pop(), /missing --key/);
    t.equal(await main(["listen", dir], io, {}), STREAM_EXIT.usage);
    t.match(lines.pop(), /unknown verb "listen"/);
    t.equal(await main(["watch", dir, "--stream", stream.id, "--api", api, "--key", "tmk_nope_nope"], io, {}), STREAM_EXIT.usage);
    t.match(lines.pop(), /the service refused: GET .* 401/);
    t.equal(await main(["check", dir, "--stream", stream.id, "--api", api], io, { TRACEMARK_API_KEY: key.token }), STREAM_EXIT.problems, "check: the gap is a problem");
    t.match(lines.join("\n"), /✗ gap: segment 13 never notarized/);
  });
});
