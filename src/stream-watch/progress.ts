// Progress of a watch on stderr: segments, bytes and lag (from a segment appearing in the playlist
// to the service's 202). A bar against the segments listed so far when stderr is a terminal
// (cli-progress), a plain line per batch otherwise (CI logs, pipes).
import cliProgress from "cli-progress";
import type { SegmentSent, WatchTotals } from "./watch.ts";

export interface WatchProgress {
  update(batch: SegmentSent[], totals: WatchTotals): void;
  /** A line that must not be lost under the bar (a gap). */
  note(line: string): void;
  stop(): void;
}

export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** The p-th percentile by nearest rank, in seconds with two decimals. */
export function lagSeconds(lagsMs: readonly number[], p: number): string {
  if (lagsMs.length === 0) return "?";
  const sorted = [...lagsMs].sort((a, b) => a - b);
  return (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! / 1000).toFixed(2);
}

export function progressOn(stream: NodeJS.WriteStream): WatchProgress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: "stream [{bar}] {value}/{total} segments | {bytes} | lag {lag} s (p95 {p95} s){gaps}", hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(1, 0, { bytes: "0 B", lag: "?", p95: "?", gaps: "" });
    return {
      update: (batch, totals) => {
        bar.setTotal(Math.max(totals.listed, totals.segments, 1));
        bar.update(totals.segments, { bytes: formatBytes(totals.bytes), lag: lagSeconds(batch.map((s) => s.acceptedAt - s.appearedAt), 100), p95: lagSeconds(totals.lagsMs, 95), gaps: totals.gaps > 0 ? ` | ${totals.gaps} gaps` : "" });
      },
      note: (line) => {
        stream.write(`\n${line}\n`);
      },
      stop: () => bar.stop(),
    };
  }
  return {
    update: (batch, totals) => {
      const first = batch[0]!.mediaSequence;
      const last = batch.at(-1)!.mediaSequence;
      const duplicates = batch.filter((s) => s.outcome === "duplicate").length;
      stream.write(
        `stream: segment${batch.length > 1 ? `s ${first}–${last}` : ` ${first}`} notarized${duplicates > 0 ? ` (${duplicates} already held)` : ""}; ` +
          `${totals.segments} segments, ${formatBytes(totals.bytes)}, lag ${lagSeconds(batch.map((s) => s.acceptedAt - s.appearedAt), 100)} s (p95 ${lagSeconds(totals.lagsMs, 95)} s)${totals.gaps > 0 ? `, ${totals.gaps} gaps` : ""}\n`,
      );
    },
    note: (line) => void stream.write(`stream: ${line}\n`),
    stop: () => {},
  };
}
