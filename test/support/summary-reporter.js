/**
 * Prints the ten slowest test files, then the plain closing line CI reads ("N passed, N failed"),
 * which stays the last line; the line is also saved for .ci/run. Suites that fail to run (syntax
 * error, failed beforeAll) count as failures too.
 */
const { writeFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const SLOWEST = 10;

function slowest(results, rootDir) {
  const files = results.testResults
    .filter((r) => r.perfStats && r.perfStats.end > r.perfStats.start)
    .map((r) => ({ file: path.relative(rootDir, r.testFilePath), ms: r.perfStats.end - r.perfStats.start }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, SLOWEST);
  if (!files.length) return '';
  return `\nSlowest test files:\n${files.map((f) => `${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.file}`).join('\n')}\n`;
}

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const suiteErrors = results.testResults.filter((r) => r.testExecError || (r.failureMessage && r.numFailingTests === 0)).length;
    const line =
      `${results.numPassedTests} passed, ${results.numFailedTests + suiteErrors} failed` +
      (results.numPendingTests ? `, ${results.numPendingTests} skipped` : '');
    const out = process.env.TEST_SUMMARY_FILE;
    if (out) {
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, line + '\n');
    }
    process.stdout.write(`${slowest(results, this.rootDir)}\n${line}\n`);
  }
}
module.exports = SummaryReporter;
