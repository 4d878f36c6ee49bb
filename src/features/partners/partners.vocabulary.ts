/**
 * The partners feature's closed vocabularies, each declared once: the array feeds the TypeScript
 * type, the TypeBox schema (`stringEnum`), the column's type and its CHECK constraint (`checkIn`).
 */

export const PARTNERSHIP_STATUSES = ['pending', 'active', 'paused', 'ended'] as const;
export type PartnershipStatus = (typeof PARTNERSHIP_STATUSES)[number];
/** The `status` filter of GET /partners: current is pending, active and paused; all includes ended. */
export const PARTNERSHIP_LIST_FILTERS = ['current', 'all', ...PARTNERSHIP_STATUSES] as const;
export type PartnershipListFilter = (typeof PARTNERSHIP_LIST_FILTERS)[number];

export const CHECK_IN_FREQUENCIES = ['daily', 'weekly'] as const;
export type CheckInFrequency = (typeof CHECK_IN_FREQUENCIES)[number];
