// ESLint's recommended rules and typescript-eslint's recommended (syntax only: no type-aware rules, so that a
// run over the repository takes seconds). `npm test` runs it before vitest.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'tmp/', '**/*.d.ts'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // The code names what a destructuring drops with a leading underscore, or drops it into a rest object.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests mutate chip specs as untyped JSON, exactly as a user's file could be.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Quoting a file's text replaces its control characters on purpose.
    files: ['models/pth/unpickle.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // The expected floats are written as JavaScript prints them (shortest round trip); the rule's toPrecision test misreads one.
    files: ['test/models/pth.test.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },
);
