import type { ComponentType } from 'react';
import type { Role } from './api/types';
import { AttentionPage } from './pages/attention';
import { AuditPage } from './pages/audit';
import { DeadLettersPage } from './pages/dead-letters';
import { FailuresPage } from './pages/failures';
import { JobPage } from './pages/job';
import { JobsPage } from './pages/jobs';
import { ProjectionsPage } from './pages/projections';
import { RunPage, RunsPage } from './pages/runs';
import { SessionsPage } from './pages/sessions';
import { SystemPage } from './pages/system';
import { TargetPage } from './pages/target';
import { TargetsPage } from './pages/targets';
import { TimelinePage } from './pages/timeline';
import { CachesPage } from './pages/toolbelt/caches';
import { FlagsPage } from './pages/toolbelt/flags';
import { MigrationsPage } from './pages/toolbelt/migrations';
import { RateLimitsPage } from './pages/toolbelt/rate-limits';
import { WebhooksPage } from './pages/toolbelt/webhooks';
import { HoldsPage } from './pages/holds';
import { SloPage } from './pages/slo';
import { MaintenancePage } from './pages/toolbelt/maintenance';

export interface PageDef {
  readonly path: string;
  readonly component: ComponentType;
  /** Shown in the navigation under this name (drill-ins have none). */
  readonly nav?: string;
  /** Toolbelt pages share one entry of the main navigation and a navigation of their own. */
  readonly group?: 'toolbelt';
  /** The least role whose API calls the page makes succeed. */
  readonly role: Role;
  /** Installation-wide pages: a tenant-scoped token's API answers 403, so they are not offered. */
  readonly unscoped?: boolean;
}

/** Where `/` leads: Attention, what needs an operator now. */
export const LANDING = '/attention';

/** Every page, in navigation order. A page is listed only where its API exists. */
export const PAGES: readonly PageDef[] = [
  { path: '/attention', nav: 'Attention', component: AttentionPage, role: 'viewer' },
  { path: '/targets', nav: 'Targets', component: TargetsPage, role: 'viewer' },
  { path: '/targets/:key', component: TargetPage, role: 'viewer' },
  { path: '/dead-letters', nav: 'Dead letters', component: DeadLettersPage, role: 'viewer' },
  { path: '/jobs', nav: 'Jobs', component: JobsPage, role: 'viewer' },
  { path: '/jobs/:name', component: JobPage, role: 'viewer' },
  { path: '/runs', nav: 'Runs', component: RunsPage, role: 'viewer' },
  { path: '/runs/:id', component: RunPage, role: 'viewer' },
  { path: '/failures', nav: 'Failures', component: FailuresPage, role: 'viewer' },
  { path: '/system', nav: 'System', component: SystemPage, role: 'admin' },
  { path: '/timeline', nav: 'Timeline', component: TimelinePage, role: 'viewer' },
  { path: '/holds', nav: 'Holds', component: HoldsPage, role: 'viewer' },
  { path: '/slo', nav: 'SLOs', component: SloPage, role: 'viewer' },
  { path: '/audit', nav: 'Audit', component: AuditPage, role: 'admin' },
  { path: '/webhooks', nav: 'Webhooks', group: 'toolbelt', component: WebhooksPage, role: 'admin' },
  { path: '/flags', nav: 'Flags', group: 'toolbelt', component: FlagsPage, role: 'viewer' },
  { path: '/caches', nav: 'Caches', group: 'toolbelt', component: CachesPage, role: 'admin', unscoped: true },
  { path: '/rate-limits', nav: 'Rate limits', group: 'toolbelt', component: RateLimitsPage, role: 'admin' },
  { path: '/maintenance', nav: 'Maintenance', group: 'toolbelt', component: MaintenancePage, role: 'viewer' },
  { path: '/migrations', nav: 'Migrations', group: 'toolbelt', component: MigrationsPage, role: 'admin', unscoped: true },
  { path: '/projections', nav: 'Projections', group: 'toolbelt', component: ProjectionsPage, role: 'admin', unscoped: true },
  { path: '/sessions', nav: 'Sessions', group: 'toolbelt', component: SessionsPage, role: 'admin' },
];
