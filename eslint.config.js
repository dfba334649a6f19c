// Lint rules follow Temporal's TypeScript guidance: workflow code must stay deterministic (no Node
// built-ins, no I/O libraries) and no promise may float, since a dropped promise in a workflow or an
// activity silently loses work.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const sandboxForbidden = [
  ...nodeBuiltins,
  'pino',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@nats-io/transport-node',
  '@nats-io/jetstream',
  '@nats-io/nats-core',
];

/**
 * The layer table of docs/architecture.md ("Layers and imports"), checked: what each source folder may
 * import of the project. `types` are folders it may import only with `import type`. The tools (scripts/,
 * bench/, tests/, bin/) sit on top and may import any layer; no layer imports them.
 */
const layers = {
  shared: { may: [] },
  workflows: { may: ['shared'] },
  activities: { may: ['shared', 'infra'] },
  infra: { may: ['shared'] },
  clients: { may: ['shared', 'infra', 'workflows'], types: ['activities'] },
  workers: { may: ['shared', 'workflows', 'activities', 'infra', 'clients'] },
  http: { may: ['clients', 'infra', 'shared'] },
  web: { may: ['http', 'clients', 'infra', 'shared'] },
  api: { may: ['http', 'web', 'clients', 'infra', 'shared'] },
  cli: { may: ['clients', 'infra', 'shared'], types: ['activities'] },
};
const tools = ['scripts', 'bench', 'tests', 'bin'];

/** Relative specifiers reaching the folders from up to three levels below the root, e.g. '../../api/**'. */
const reaching = (folders) => folders.flatMap((f) => ['../', '../../', '../../../'].map((up) => `${up}${f}/**`));

/** One `no-restricted-imports` object per folder: a later object for the same files would replace it. */
const layerRules = Object.entries(layers).map(([folder, { may, types = [] }]) => {
  const allowed = [...may.map((m) => `${m}/`), ...types.map((t) => `${t}/ (types only)`)];
  const message = `Layer rule (docs/architecture.md): ${folder}/ may import ${allowed.length ? allowed.join(', ') : 'nothing of the project outside shared/'}.`;
  const forbidden = [...Object.keys(layers), ...tools].filter((f) => f !== folder && !may.includes(f) && !types.includes(f));
  const patterns = [
    { group: reaching(forbidden), message },
    ...(types.length ? [{ group: reaching(types), message, allowTypeImports: true }] : []),
  ];
  const sandbox = folder === 'shared' || folder === 'workflows';
  return {
    files: [`${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...(sandbox
            ? {
                // Deterministic code: runs inside the workflow sandbox.
                paths: sandboxForbidden.map((name) => ({
                  name,
                  message: 'Workflow and shared code must stay deterministic: no Node built-ins or I/O libraries.',
                })),
              }
            : {}),
          patterns,
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...layerRules,
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
