import { describe, expect, it } from 'vitest';
import { DEMO_USE_CASES, USE_CASES } from '../../core/use-cases.js';
import type { CorePorts } from '../../core/context.js';
import type { UseCase } from '../../core/use-case.js';
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

  it('fills defaults into a copy of the input: the caller\'s object stays as it was, and "__proto__" stays a field', async () => {
    const echo = {
      name: 'test_echo', title: 'Echo', description: 'Returns its checked input.', auth: 'admin', toolset: 'admin',
      input: {
        type: 'object',
        properties: {
          count: { type: 'number', default: 5 },
          nested: { type: 'object', properties: { list: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string', default: 'plain' } } } } } },
        },
      },
      output: { type: 'object' },
      run: async (_ctx: unknown, value: unknown) => value,
    } as unknown as UseCase;
    const runner = new UseCaseRunner([echo], {} as CorePorts, ids);
    const text = '{"nested":{"list":[{},{"kind":"x"}]},"__proto__":{"polluted":true}}';
    const input = JSON.parse(text) as Record<string, unknown>;
    const output = (await runner.run('test_echo', { kind: 'admin' }, input)) as Record<string, unknown>;
    expect(input).toEqual(JSON.parse(text));
    expect(output.count).toBe(5);
    expect(output.nested).toEqual({ list: [{ kind: 'plain' }, { kind: 'x' }] });
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(output.polluted).toBeUndefined();
    expect(Object.keys(output).sort()).toEqual(['__proto__', 'count', 'nested']);
  });
});
