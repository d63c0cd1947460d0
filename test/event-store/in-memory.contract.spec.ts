import { InMemoryEventStore } from '../../src/event-store/in-memory/in-memory-event-store';
import { eventStoreContract } from './event-store.contract';

eventStoreContract('in-memory', async () => {
  const store = new InMemoryEventStore();
  return { store, dispose: () => store.close() };
}, { sql: false });
