import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

/**
 * Prints one closing line that CI logs can be read by:
 *   `tests: 12 passed, 0 failed, 1 skipped`
 * plus the names of failed tests above it. Runs after vitest's default reporter.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason: TestRunEndReason): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const failures: string[] = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') {
          failed++;
          failures.push(`${mod.project.name ? `[${mod.project.name}] ` : ''}${mod.relativeModuleId} > ${test.fullName}`);
        } else skipped++;
      }
      // A file that failed before collecting tests (import error, failing beforeAll) has no failed test.
      if (mod.state() === 'failed' && ![...mod.children.allTests('failed')].length) {
        failed++;
        failures.push(`${mod.relativeModuleId} (file failed to run)`);
      }
    }
    failed += unhandledErrors.length;
    const out: string[] = [''];
    if (failures.length) out.push('Failed:', ...failures.map((f) => `  - ${f}`));
    if (unhandledErrors.length) out.push(`Unhandled errors: ${unhandledErrors.length}`);
    if (reason === 'interrupted') out.push('Run interrupted.');
    out.push(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
