import { Type } from 'typebox';
import { PagePagination, PageQuery } from '../../http/pagination.js';
import { NullableTimestamp, stringEnum, Timestamp, Uuid } from '../../http/schemas.js';
import { toUserCardJson, USER_CARD_FIELDS } from '../users/user-card.js';
import { CHECK_IN_FREQUENCIES, PARTNERSHIP_LIST_FILTERS, PARTNERSHIP_STATUSES } from './partners.vocabulary.js';
import type { PartnershipView } from './partners.service.js';

export const CheckInFrequencySchema = stringEnum(CHECK_IN_FREQUENCIES, { description: 'How often the partners check in on each other' });

export const PartnershipStatusSchema = stringEnum(PARTNERSHIP_STATUSES, {
  description: 'pending: proposed, awaiting the other user; active; paused; ended',
});

export const PartnerCard = Type.Object(
  USER_CARD_FIELDS,
  { title: 'PartnerCard', description: 'The other participant' },
);

export const Partnership = Type.Object(
  {
    id: Uuid,
    partner: PartnerCard,
    status: PartnershipStatusSchema,
    check_in_frequency: CheckInFrequencySchema,
    requested_by_me: Type.Boolean({ description: 'true when the caller made the (latest) proposal' }),
    started_at: Type.String({
      format: 'date-time',
      description: 'While pending: when the proposal was made. From acceptance on: when the partnership began',
    }),
    responded_at: Type.Union([Timestamp, Type.Null()], {
      description: 'When the proposal was accepted; null while pending',
    }),
    ended_at: NullableTimestamp,
  },
  { title: 'Partnership' },
);

export const PartnershipList = Type.Object(
  { partners: Type.Array(Partnership), pagination: PagePagination },
  { title: 'PartnershipList' },
);

export const ProposePartnershipBody = Type.Object(
  { user_id: Uuid, check_in_frequency: CheckInFrequencySchema },
  { additionalProperties: false },
);

export const UpdatePartnershipBody = Type.Object(
  { check_in_frequency: CheckInFrequencySchema },
  { additionalProperties: false },
);

export const ListPartnershipsQuery = Type.Object(
  {
    status: Type.Optional(
      stringEnum(PARTNERSHIP_LIST_FILTERS, {
        default: 'current',
        description: 'current (the default): pending, active and paused; all: including ended',
      }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const PartnershipIdParams = Type.Object({ partnershipId: Uuid }, { additionalProperties: false });

/** Maps a partnership to the response as `viewerId` (one of its participants) sees it. */
export function toPartnership(view: PartnershipView, viewerId: string) {
  const { row, partner } = view;
  return {
    id: row.id,
    partner: toUserCardJson(partner),
    status: row.status,
    // The service always writes a frequency; the column is nullable only because the plan's is.
    check_in_frequency: row.checkInFrequency ?? 'weekly',
    requested_by_me: (row.requestedBy ?? row.userId) === viewerId,
    started_at: row.startedAt.toISOString(),
    responded_at: row.respondedAt ? row.respondedAt.toISOString() : null,
    ended_at: row.endedAt ? row.endedAt.toISOString() : null,
  };
}
