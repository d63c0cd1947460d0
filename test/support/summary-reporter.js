/**
 * Prints the plain closing line CI reads ("N passed, N failed") and saves it for .ci/run.
 * Suites that fail to run (syntax error, failed beforeAll) count as failures too.
 */
const { writeFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const suiteErrors = results.testResults.filter((r) => r.testExecError || (r.failureMessage && r.numFailingTests === 0)).length;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests + suiteErrors} failed` + (results.numPendingTests ? `, ${results.numPendingTests} skipped` : '');
    const out = process.env.TEST_SUMMARY_FILE;
    if (out) {
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, line + '\n');
    }
    process.stdout.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
