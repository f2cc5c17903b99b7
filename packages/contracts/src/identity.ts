// What a user id may look like, as a schema: an invite names anyone who can sign in.
import { z } from 'zod';
import { USER_ID_PATTERN } from './room-sets.ts';

export const UserId = z
  .string()
  .regex(USER_ID_PATTERN, 'User ids are 1–128 letters, digits and _ . @ | : -');
export type UserId = z.infer<typeof UserId>;
