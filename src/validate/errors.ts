/** A bad `validate` command line or module: the CLI prints it with its hint and exits 2. */
export class ValidateUsageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'ValidateUsageError';
  }
}
