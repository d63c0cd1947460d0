import { ConfigError } from '../../config/env-var';
import type { CodeJobHandler } from '../handlers/handler';
import { JobHandlerRegistry } from '../handlers/job-handler-registry';
import type { JobDefinition } from '../events/job-definition';
import { DefinitionDefaults, parseJobDefinition } from './parse-job-definition';

/**
 * The jobs this process knows: from the config file and from code. Validated as they are added,
 * so an invalid definition stops start-up naming the job and the field.
 */
export class JobCatalog {
  private readonly byName = new Map<string, JobDefinition>();

  constructor(
    private readonly defaults: DefinitionDefaults,
    readonly handlers: JobHandlerRegistry,
  ) {}

  /** Config-file entries (may use command handlers). */
  addFromConfig(entries: readonly unknown[], baseDir: string): void {
    entries.forEach((raw, i) => this.add({ ...parseJobDefinition(raw, i, this.defaults, { allowCommand: true, baseDir }), source: 'config' }));
  }

  /** A job declared in code with its handler; `definition.handler` defaults to that handler. */
  define(definition: Record<string, unknown> & { name: string }, handler?: CodeJobHandler): JobDefinition {
    const def: JobDefinition = {
      ...parseJobDefinition(definition, this.byName.size, this.defaults, { allowCommand: false, baseDir: process.cwd() }),
      source: 'code',
    };
    if (handler) this.handlers.register(def.handler.kind === 'code' ? def.handler.handler : def.name, handler);
    this.add(def);
    return def;
  }

  private add(def: JobDefinition): void {
    if (this.byName.has(def.name)) throw new ConfigError('OPSLEDGER_CONFIG', `job "${def.name}": field "name" is declared twice`);
    this.byName.set(def.name, def);
  }

  get(name: string): JobDefinition | undefined {
    return this.byName.get(name);
  }

  all(): JobDefinition[] {
    return [...this.byName.values()];
  }

  /** Jobs whose handler this process can run (code handlers must be registered here). */
  runnable(): string[] {
    return this.all()
      .filter((d) => d.handler.kind !== 'code' || this.handlers.has(d.handler.handler))
      .map((d) => d.name);
  }
}
