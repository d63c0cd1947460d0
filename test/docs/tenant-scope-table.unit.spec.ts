import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FEATURE_MODULES } from '../../src/app.module';
import { controllersOf, routeScopes } from '../../src/auth/route-scopes';
import { replaceTenantScopeTable } from '../../src/auth/tenant-scope-table';

describe('docs/api.md tenant-scope table', () => {
  it('is the table generated from the @TenantScope declarations (run `npm run docs:tenancy` after changing one)', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/api.md'), 'utf8');
    expect(replaceTenantScopeTable(doc, routeScopes(controllersOf(FEATURE_MODULES)))).toBe(doc);
  });
});
