// The local resume file, `<file>.tracemark-import.json`: how many chunks of this exact file (by
// its SHA-256) are done, and what they came to. A rerun skips them without a request; the chunk
// that was in flight when the run stopped is sent again, and the service's own idempotency (a 409
// for a known product or lot, a duplicate event hash ID) keeps it from being written twice.
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import type { Tally } from "./outcome.ts";
import type { ImportKind } from "./sources.ts";

export interface ResumeState {
  format: "tracemark.import-progress.v1";
  sha256: string;
  kind: ImportKind;
  chunkSize: number;
  /** The API's origin: progress against one service says nothing about another. */
  api: string;
  chunksDone: number;
  tally: Tally;
}

export const resumePathOf = (file: string) => `${file}.tracemark-import.json`;

/** The saved progress if it is about this file, kind, chunk size and service; otherwise null (start over, safely). */
export async function loadResume(file: string, expected: Omit<ResumeState, "format" | "chunksDone" | "tally">): Promise<ResumeState | null> {
  let state: ResumeState;
  try {
    state = JSON.parse(await readFile(resumePathOf(file), "utf8")) as ResumeState;
  } catch {
    return null;
  }
  const same = state.format === "tracemark.import-progress.v1" && state.sha256 === expected.sha256 && state.kind === expected.kind && state.chunkSize === expected.chunkSize && state.api === expected.api;
  return same && Number.isInteger(state.chunksDone) && state.tally && Array.isArray(state.tally.rejected) ? state : null;
}

/** Written to a temporary name and renamed, so a kill mid-write leaves the old file or the new, never half of one. */
export async function saveResume(file: string, state: ResumeState): Promise<void> {
  const path = resumePathOf(file);
  await writeFile(`${path}.tmp`, `${JSON.stringify(state)}\n`);
  await rename(`${path}.tmp`, path);
}

export const removeResume = (file: string) => rm(resumePathOf(file), { force: true });
