import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as any).__OPSLEDGER_REDIS__?.stop();
  const pg = (globalThis as any).__OPSLEDGER_PG__;
  if (!pg) return;
  await pg.db.stop();
  rmSync(pg.dataDir, { recursive: true, force: true });
}
