import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FEATURE_MODULES } from '../app.module';
import { controllersOf, routeScopes } from '../auth/route-scopes';
import { replaceTenantScopeTable } from '../auth/tenant-scope-table';

/** Rewrites docs/api.md's tenant-scope table from the routes' @TenantScope declarations. */
const file = path.resolve(__dirname, '../../docs/api.md');
writeFileSync(file, replaceTenantScopeTable(readFileSync(file, 'utf8'), routeScopes(controllersOf(FEATURE_MODULES))));
process.stdout.write(`updated the tenant-scope table in ${file}\n`);
