/** A mistake on the command line or in an input file: exit status 2, one line on stderr. */
export class UsageError extends Error {}
