/** A mistake in the command line or the file's shape: nothing was sent, exit 2. */
export class ImportUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportUsageError";
  }
}
