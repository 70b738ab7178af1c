// Progress on stderr: a bar with count, rate and ETA when stderr is a terminal (cli-progress),
// a plain line per chunk otherwise (CI logs, pipes), so that a log shows how far a run got.
import cliProgress from "cli-progress";

export interface Progress {
  /** `done` rows or events handled of about `total`; `note` says what they came to. */
  update(done: number, note: string): void;
  stop(): void;
}

const rateOf = (done: number, since: number, startedAt: number) => {
  const seconds = (Date.now() - startedAt) / 1000;
  return seconds > 0 ? (done - since) / seconds : 0;
};

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * `total` may be an estimate (a CSV's line count); `resumedAt` rows were done by an earlier run and
 * count towards the total but not towards the rate.
 */
export function progressOn(stream: NodeJS.WriteStream, unit: string, total: number, resumedAt: number): Progress {
  const startedAt = Date.now();
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `import [{bar}] {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted} | {note}`, hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(total, resumedAt), resumedAt, { rate: "0", note: "" });
    return {
      update: (done, note) => {
        if (done > bar.getTotal()) bar.setTotal(done);
        bar.update(done, { rate: rateOf(done, resumedAt, startedAt).toFixed(0), note });
      },
      stop: () => bar.stop(),
    };
  }
  return {
    update: (done, note) => {
      const rate = rateOf(done, resumedAt, startedAt);
      const left = Math.max(total - done, 0);
      stream.write(`import: ${done}/${Math.max(total, done)} ${unit}, ${rate.toFixed(0)} ${unit}/s, ETA ${formatSeconds(rate > 0 ? left / rate : Infinity)} (${note})\n`);
    },
    stop: () => {},
  };
}
