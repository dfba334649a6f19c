import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layer table (docs/architecture.md) is checked by per-folder `no-restricted-imports` rules in
 * eslint.config.js; these snippets, linted as if they sat in a folder, fail if the configuration stops
 * refusing an import that crosses a layer the wrong way. Only that rule runs, without type information,
 * so the check takes a moment rather than a whole type-checked lint.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

// The first lint loads the whole configuration (typescript-eslint included), which takes seconds on a busy machine.
describe('layer rules', { timeout: 60_000 }, () => {
  it('refuses web/ importing the API', async () => {
    const errors = await layerErrors('web/layer-probe.ts', "import { buildApp } from '../api/app.js';\nexport const app = buildApp;\n");
    expect(errors).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*Layer rule \(docs\/architecture\.md\): web\/ may import http\//),
    ]);
  });

  it('refuses shared/ importing Node-side plumbing', async () => {
    const errors = await layerErrors('shared/layer-probe.ts', "import { x } from '../infra/x.js';\nexport const y = x;\n");
    expect(errors).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*Layer rule \(docs\/architecture\.md\): shared\/ may import nothing/),
    ]);
  });

  it('lets each folder import what its layer allows', async () => {
    expect(
      await layerErrors(
        'web/routes/layer-probe.ts',
        "import { requireCaller } from '../../http/access.js';\nexport const c = requireCaller;\n",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'api/layer-probe.ts',
        "import { dashboardRoutes } from '../web/dashboard.js';\nexport const d = dashboardRoutes;\n",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'clients/layer-probe.ts',
        "import type { TemplateLookup } from '../activities/resolve-template.js';\nexport type T = TemplateLookup;\n",
      ),
    ).toEqual([]);
  });
});
