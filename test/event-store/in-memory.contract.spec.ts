import { InMemoryEventStore } from '../../src/event-store/in-memory/in-memory-event-store';
import { eventStoreContract } from './event-store.contract';

eventStoreContract(
  'in-memory',
  async () => {
    const store = new InMemoryEventStore();
    return { store, dispose: () => store.close(), createRows: async () => undefined, rows: async (projection) => store.inlineRows(projection) };
  },
  { sql: false },
);
