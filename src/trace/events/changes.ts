// A counter of the writes this process commits that histories show (captures, recalls): a cached
// history built before the latest one is checked again at once (trace-view.ts).
let generation = 0;

export const traceGeneration = (): number => generation;

/** Says that this process has just committed writes that histories show. */
export function traceChanged(): void {
  generation++;
}
