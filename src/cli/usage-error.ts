// The one error every `tracemark` command (verify, verify-bundle, import, stream) throws for a
// mistake of its user's: a flag, a file's shape, a key the API refuses. Its command prints the
// message on one line of stderr and exits 2; nothing was sent or changed.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
