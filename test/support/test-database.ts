import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';

const TEMPLATE_DB = 'opsledger_template';

export interface TestDatabase {
  readonly url: string;
  readonly pool: Pool;
  drop(): Promise<void>;
}

function baseUrl(): string {
  const base = process.env.TEST_DATABASE_BASE_URL;
  if (!base)
    throw new Error(
      "TEST_DATABASE_BASE_URL is not set: this spec needs PostgreSQL, which jest's global setup starts under `npm test` (`npx jest <file>`); `npm run test:unit` runs only specs that need none (jest.unit.config.js)",
    );
  return base;
}

/** A fresh, migrated database cloned from the template: each test file gets its own. */
export async function createTestDatabase(poolSize = 10): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: `${baseUrl()}/postgres` });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
        break;
      } catch (err) {
        // Two files cloning the template at the same instant collide; the template is never in use otherwise.
        if (attempt > 20 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = `${baseUrl()}/${name}`;
  const pool = new Pool({ connectionString: url, max: poolSize });
  // drop() terminates whatever still holds a connection (WITH FORCE): that is expected, not a failure.
  pool.on('error', (err: Error & { code?: string }) => {
    if (err.code !== '57P01') throw err;
  });
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const c = new Client({ connectionString: `${baseUrl()}/postgres` });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
