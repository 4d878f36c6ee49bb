/**
 * The tribes' closed vocabularies (plan 3.9), each declared once: the array feeds the TypeScript
 * type, the column's type and its CHECK constraint (`checkIn`), and the TypeBox schemas to come.
 */

export const TRIBE_ROLES = ['admin', 'moderator', 'member'] as const;
export type TribeRole = (typeof TRIBE_ROLES)[number];

export const TRIBE_INVITATION_STATUSES = ['pending', 'accepted', 'declined'] as const;
export type TribeInvitationStatus = (typeof TRIBE_INVITATION_STATUSES)[number];
