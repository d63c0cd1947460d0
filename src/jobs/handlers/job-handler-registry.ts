import type { CodeJobHandler } from './handler';

/** Handlers registered in code by name (`kind: code` definitions point at them). */
export class JobHandlerRegistry {
  private readonly handlers = new Map<string, CodeJobHandler>();

  register(name: string, handler: CodeJobHandler): void {
    if (this.handlers.has(name)) throw new Error(`job handler "${name}" is registered twice`);
    this.handlers.set(name, handler);
  }

  get(name: string): CodeJobHandler | undefined {
    return this.handlers.get(name);
  }

  has(name: string): boolean {
    return this.handlers.has(name);
  }
}
