import { foldInMemory } from '../../../projections/projection';
import { jobDefinitionsProjection } from '../../../projections/job-definitions/job-definitions.projection';
import { spec } from '../../../test/support/given';
import type { RecordedEvent } from '../../event-store/envelope';
import type { JobDefinitionEvent } from '../events/job-definition.events';
import type { JobDefinition } from '../events/job-definition';
import { jobDefinitionDecider, jobDefinitionStateOf } from './job-definition.decider';
import { parseJobDefinition } from './parse-job-definition';

const defaults = { timeoutMs: 900_000, maxAttempts: 3, backoffBaseMs: 30_000, backoffMaxMs: 3_600_000 };
const declared = (raw: Record<string, unknown>, source: 'config' | 'code' = 'config'): JobDefinition => ({
  ...parseJobDefinition({ name: 'nightly', ...raw }, 0, defaults, { allowCommand: false, baseDir: '/etc/opsledger' }),
  source,
});
const snapshotOf = ({ source: _s, ...d }: JobDefinition) => d;
const defined = (d: JobDefinition): JobDefinitionEvent => ({ type: 'JobDefined', data: { name: d.name, definition: snapshotOf(d), source: d.source } });
const removed: JobDefinitionEvent = { type: 'JobRemoved', data: { name: 'nightly' } };
const missed: JobDefinitionEvent = {
  type: 'TickMissed',
  data: { job: 'nightly', tick: '2025-03-02T02:00:00.000Z', detectedAt: '2025-03-03T00:00:00.000Z', policy: 'once', caughtUpBy: null },
};

const { given } = spec(jobDefinitionDecider);

describe('job definition decider', () => {
  const nightly = declared({ schedule: '0 2 * * *' });

  it('given no stream, a declared job is JobDefined with its definition and source', () => {
    given()
      .when({ type: 'Declare', definition: nightly })
      .then([defined(nightly)]);
  });

  it('given the same definition (missed ticks or not), declaring it again changes nothing', () => {
    given(defined(nightly), missed).when({ type: 'Declare', definition: nightly }).then([]);
  });

  it('given a different definition or source, JobChanged names the fields that changed', () => {
    const later = declared({ schedule: '0 3 * * *', priority: 'high' });
    given(defined(nightly))
      .when({ type: 'Declare', definition: later })
      .then([{ type: 'JobChanged', data: { name: 'nightly', definition: snapshotOf(later), source: 'config', changed: ['schedule', 'priority'] } }]);
    const fromCode = { ...nightly, source: 'code' as const };
    given(defined(nightly))
      .when({ type: 'Declare', definition: fromCode })
      .then([{ type: 'JobChanged', data: { name: 'nightly', definition: snapshotOf(nightly), source: 'code', changed: [] } }]);
  });

  it('a tenant-scoped job carries its tenant on every event', () => {
    const scoped = declared({ tenant: 'acme' });
    given()
      .when({ type: 'Declare', definition: scoped })
      .then([{ type: 'JobDefined', data: { name: 'nightly', definition: snapshotOf(scoped), source: 'config', tenant: 'acme' } }]);
    given(defined(scoped))
      .when({ type: 'Undeclare', name: 'nightly' })
      .then([{ type: 'JobRemoved', data: { name: 'nightly', tenant: 'acme' } }]);
  });

  it('a job declared no more is removed once; a removed job declared again is defined anew', () => {
    given(defined(nightly)).when({ type: 'Undeclare', name: 'nightly' }).then([removed]);
    given(defined(nightly), removed).when({ type: 'Undeclare', name: 'nightly' }).then([]);
    given().when({ type: 'Undeclare', name: 'nightly' }).then([]);
    given(defined(nightly), removed)
      .when({ type: 'Declare', definition: nightly })
      .then([defined(nightly)]);
  });

  it('the stored row reconciling reads is the state the stream folds to', () => {
    const history = [defined(nightly), missed, removed];
    const recorded = history.map((e, i): RecordedEvent => ({
      eventId: `e${i}`,
      streamId: 'jobdef-nightly',
      revision: BigInt(i),
      position: BigInt(i),
      type: e.type,
      schemaVersion: 1,
      data: e.data,
      metadata: { occurredAt: '2025-03-03T00:00:00.000Z' },
      recordedAt: new Date('2025-03-03T00:00:00.000Z'),
      checkpoint: '',
    }));
    for (let n = 1; n <= history.length; n++) {
      const row = foldInMemory(jobDefinitionsProjection, recorded.slice(0, n)).get('nightly');
      expect(jobDefinitionStateOf(row)).toEqual(given(...history.slice(0, n)).state);
    }
  });
});
