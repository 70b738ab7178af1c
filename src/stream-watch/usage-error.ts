/** A mistake in the command line or the playlist's shape: exit 2. */
export class StreamUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StreamUsageError";
  }
}
