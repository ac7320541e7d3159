import { describe, expect, it } from 'vitest';
import { DEMO_USE_CASES, USE_CASES } from '../../core/use-cases.js';
import type { CorePorts } from '../../core/context.js';
import { UseCaseRunner } from '../../hosts/shared/use-case-runner.js';

const ids = { next: (prefix: string) => `${prefix}_1` };

describe('UseCaseRunner', () => {
  // Schemas compile on first use, so a broken one would no longer stop the server at start: prove each
  // compiles (strict and coercing) by calling every tool with an input its schema must refuse.
  it.each([...USE_CASES, ...DEMO_USE_CASES].map((u) => [u.name]))('validates the input of %s before running it', async (name) => {
    const runner = new UseCaseRunner([...USE_CASES, ...DEMO_USE_CASES], {} as CorePorts, ids);
    for (const coerce of [false, true]) {
      await expect(runner.run(name, { kind: 'admin' }, { notAField: 1 }, { coerce })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
  });
});
