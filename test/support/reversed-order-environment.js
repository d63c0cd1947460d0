/** Runs each file's tests (and describe blocks) in reverse order: a test that needs an earlier one fails. */
const { TestEnvironment } = require('jest-environment-node');
function reverse(block) {
  block.children.reverse();
  for (const c of block.children) if (c.type === 'describeBlock') reverse(c);
}
class ReversedOrderEnvironment extends TestEnvironment {
  async handleTestEvent(event, state) {
    if (event.name === 'run_start') reverse(state.rootDescribeBlock);
  }
}
module.exports = ReversedOrderEnvironment;
