import type { ComponentType } from 'react';
import type { Role } from './api/types';
import { AuditPage } from './pages/audit';
import { DeadLettersPage } from './pages/dead-letters';
import { JobPage } from './pages/job';
import { JobsPage } from './pages/jobs';
import { ProjectionsPage } from './pages/projections';
import { RunPage, RunsPage } from './pages/runs';
import { SessionsPage } from './pages/sessions';
import { SystemPage } from './pages/system';
import { TargetPage } from './pages/target';
import { TargetsPage } from './pages/targets';
import { TimelinePage } from './pages/timeline';

export interface PageDef {
  readonly path: string;
  readonly component: ComponentType;
  /** Shown in the navigation under this name (drill-ins have none). */
  readonly nav?: string;
  /** The least role whose API calls the page makes succeed. */
  readonly role: Role;
  /** Installation-wide pages: a tenant-scoped token's API answers 403, so they are not offered. */
  readonly unscoped?: boolean;
}

/**
 * Every page, in navigation order. A page is listed only where its API exists: pages that need
 * the attention list, failure groups or the toolbelt are added here when those APIs are.
 */
export const PAGES: readonly PageDef[] = [
  { path: '/', nav: 'Targets', component: TargetsPage, role: 'viewer' },
  { path: '/targets/:key', component: TargetPage, role: 'viewer' },
  { path: '/dead-letters', nav: 'Dead letters', component: DeadLettersPage, role: 'viewer' },
  { path: '/jobs', nav: 'Jobs', component: JobsPage, role: 'viewer' },
  { path: '/jobs/:name', component: JobPage, role: 'viewer' },
  { path: '/runs', nav: 'Runs', component: RunsPage, role: 'viewer' },
  { path: '/runs/:id', component: RunPage, role: 'viewer' },
  { path: '/system', nav: 'System', component: SystemPage, role: 'admin' },
  { path: '/timeline', nav: 'Timeline', component: TimelinePage, role: 'viewer' },
  { path: '/audit', nav: 'Audit', component: AuditPage, role: 'admin' },
  { path: '/projections', nav: 'Projections', component: ProjectionsPage, role: 'admin', unscoped: true },
  { path: '/sessions', nav: 'Sessions', component: SessionsPage, role: 'admin' },
];
