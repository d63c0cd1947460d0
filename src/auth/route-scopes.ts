import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { TENANT_SCOPE, TenantScopeDeclaration } from '../access/tenant-scope.decorator';

export interface RouteScope {
  /** e.g. GET */
  readonly method: string;
  /** e.g. /api/targets/:key */
  readonly path: string;
  /** Controller.method, to name a route that declares nothing. */
  readonly handler: string;
  /** null: the route declares no tenant rule. */
  readonly scope: TenantScopeDeclaration | null;
}

type ModuleRef = Type | { module: Type; controllers?: Type[]; imports?: ModuleRef[] } | { forwardRef: () => ModuleRef };

/** Every controller of these modules and the modules they import (static and dynamic ones). */
export function controllersOf(modules: readonly ModuleRef[]): Type[] {
  const seen = new Set<unknown>();
  const out = new Set<Type>();
  const visit = (m: ModuleRef | undefined) => {
    if (!m) return;
    if ('forwardRef' in m) return visit(m.forwardRef());
    const cls = 'module' in m ? m.module : m;
    if (seen.has(m)) return;
    seen.add(m);
    const controllers: Type[] = [...(Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, cls) ?? []), ...('module' in m ? (m.controllers ?? []) : [])];
    for (const c of controllers) out.add(c);
    for (const i of [...(Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls) ?? []), ...('module' in m ? (m.imports ?? []) : [])]) visit(i);
  };
  modules.forEach(visit);
  return [...out];
}

const join = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/** Every route of these controllers with its tenant rule, sorted by path then method. */
export function routeScopes(controllers: readonly Type[]): RouteScope[] {
  const routes: RouteScope[] = [];
  for (const c of controllers) {
    const base: string = [Reflect.getMetadata(PATH_METADATA, c) ?? ''].flat()[0];
    for (const name of Object.getOwnPropertyNames(c.prototype)) {
      const handler = Object.getOwnPropertyDescriptor(c.prototype, name)?.value;
      if (typeof handler !== 'function' || name === 'constructor' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      for (const sub of [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat() as string[]) {
        routes.push({ method, path: join(base, sub), handler: `${c.name}.${name}`, scope: Reflect.getMetadata(TENANT_SCOPE, handler) ?? null });
      }
    }
  }
  return routes.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path < b.path ? -1 : 1));
}
