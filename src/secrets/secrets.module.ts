import { Global, Module } from '@nestjs/common';
import { SERVER_KEYS, ServerKeys } from './server-keys';

/** The server keys, resolved and checked against the database before Nest starts (bootstrap.ts). */
@Global()
@Module({})
export class SecretsModule {
  static forRoot(keys: ServerKeys) {
    return { module: SecretsModule, providers: [{ provide: SERVER_KEYS, useValue: keys }], exports: [SERVER_KEYS] };
  }
}
