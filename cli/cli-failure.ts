/** A failure before or around a call (bad input, no schema): printed, exit code 1. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliFailure";
  }
}
