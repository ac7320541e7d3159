import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // On Node 20 an AsyncLocalStorage once entered, or any async hook, puts hooks on every promise of the process
    // (a few per cent of a send's CPU): hand request-scoped values on explicitly (hosts/shared/request-ports.ts).
    files: ['core/**', 'ports/**', 'adapters/**', 'plugins/**', 'hosts/**', 'contracts/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['node:async_hooks', 'async_hooks'].map((name) => ({
        name, message: 'No async hooks or AsyncLocalStorage in the server: pass request-scoped values explicitly (hosts/shared/request-ports.ts).',
      })) }],
    },
  },
  {
    files: ['test/**', 'hosts/cli/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
