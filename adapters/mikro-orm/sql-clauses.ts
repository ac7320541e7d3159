import type { SqlParam } from './sql-executor.js';

/** SQL fragments collected with their parameters, so placeholders and values can never drift apart. */
export class SqlClauses {
  private readonly fragments: string[] = [];
  readonly params: SqlParam[] = [];

  constructor(fragment: string, ...params: SqlParam[]) {
    this.and(fragment, ...params);
  }

  and(fragment: string, ...params: SqlParam[]): this {
    this.fragments.push(fragment);
    this.params.push(...params);
    return this;
  }

  join(separator: string): string {
    return this.fragments.join(separator);
  }
}
