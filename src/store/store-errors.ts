/** A request the store refuses; the message says what is wrong and what to do instead. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

export class IssueNotFoundError extends StoreError {
  constructor(readonly id: string) {
    super(`issue "${id}" not found: run \`bd-rx list\` to see existing ids`);
    this.name = 'IssueNotFoundError';
  }
}

export class ValidationError extends StoreError {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}
