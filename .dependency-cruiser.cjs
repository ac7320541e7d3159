/** Layer rules of the hexagon (see the architecture guide). `npm run lint` fails on any violation. */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles turn DI tokens and constants into undefined at runtime.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'ports-import-nothing',
      severity: 'error',
      comment: 'ports/ is the leaf of the hexagon: interfaces, records, error codes, tokens.',
      from: { path: '^ports/' },
      to: { pathNot: '^ports/' },
    },
    {
      name: 'core-imports-only-ports',
      severity: 'error',
      comment: 'The domain stays pure TypeScript: no SDK, ORM, web framework, DI container or Node API.',
      from: { path: '^core/' },
      to: { pathNot: '^(core|ports)/' },
    },
    {
      name: 'adapters-import-ports-and-vendors',
      severity: 'error',
      comment: 'Adapters implement ports; they never reach into core, plugins or hosts.',
      from: { path: '^adapters/' },
      to: { path: '^(core|plugins|hosts|contracts|test)/' },
    },
    {
      name: 'plugins-stay-below-hosts',
      severity: 'error',
      from: { path: '^plugins/' },
      to: { path: '^(core|hosts|contracts|test)/' },
    },
    {
      name: 'contracts-test-ports-only',
      severity: 'error',
      comment: 'Contract suites are published for third parties: they may only know the ports.',
      from: { path: '^contracts/' },
      to: { path: '^(core|adapters|plugins|hosts|test)/' },
    },
    {
      name: 'nothing-imports-tests',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.check.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },

    exclude: { path: '^dist/' },
  },
};
