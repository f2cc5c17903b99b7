// Who a caller is: a user id and a role, or why there is none.

/** The one user of a server without authentication; every person-owned row carries a user id. */
export const LOCAL_USER_ID = 'local';

export const roles = ['user', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Who a caller is once their credentials were accepted. */
export interface Identity {
  userId: string;
  role: Role;
}

/** Without authentication the one local user owns the server, so it is its admin too. */
export const LOCAL_IDENTITY: Identity = { userId: LOCAL_USER_ID, role: 'admin' };

export const authModes = ['none', 'token', 'jwt'] as const;
export type AuthMode = (typeof authModes)[number];

/**
 * Why a caller has no identity: no credentials, credentials nobody issued, expired ones, or
 * credentials the server could not check just now (its key server did not answer).
 */
export type AuthFailure = 'missing' | 'invalid' | 'expired' | 'unavailable';
