export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who is calling: set on the request by the auth guard. */
export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
  /** When set, the token sees only this tenant's targets, jobs, runs and audit entries. */
  readonly tenant: string | null;
}
