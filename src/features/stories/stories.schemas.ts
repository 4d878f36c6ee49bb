import { Type } from 'typebox';
import { PagePagination, PageQuery } from '../../http/pagination.js';
import { NullableString, stringEnum, Timestamp, Uuid } from '../../http/schemas.js';
import { MEDIA_TYPES, type MediaType } from '../media/media.vocabulary.js';
import { USER_CARD_FIELDS } from '../users/user-card.js';
import type { StoryGroup } from './stories.service.js';
import type { StoryViewerRow, TrayStoryRow } from './stories.repo.js';
import type { StoryRow } from './stories.tables.js';

const MediaTypeSchema = stringEnum(MEDIA_TYPES);

const storyFields = {
  id: Uuid,
  media_url: Type.String(),
  media_thumbnail_url: NullableString,
  media_type: MediaTypeSchema,
  duration: Type.Integer({ description: 'Seconds the story is shown' }),
  views_count: Type.Integer(),
  expires_at: Timestamp,
  created_at: Timestamp,
};

// A story's author card says full_name may be null (the contract since stories shipped).
const UserCard = Type.Object({ ...USER_CARD_FIELDS, full_name: NullableString }, { title: 'StoryAuthor' });

export const TrayStory = Type.Object({ ...storyFields, viewed_by_me: Type.Boolean() }, { title: 'TrayStory' });

/** POST /stories (201) and GET /stories/:storyId: the tray item plus its author (plan 4.6's fields included). */
export const StoryDetails = Type.Object({ ...storyFields, user_id: Uuid, user: UserCard, viewed_by_me: Type.Boolean() }, { title: 'Story' });

export const StoryTray = Type.Object({
  stories: Type.Array(Type.Object({ user: UserCard, stories: Type.Array(TrayStory), has_unviewed: Type.Boolean() })),
});

export const StoryViewers = Type.Object({
  users: Type.Array(Type.Object({ ...UserCard.properties, viewed_at: Timestamp })),
  pagination: PagePagination,
});

export const StoryIdParams = Type.Object({ storyId: Uuid }, { additionalProperties: false });
export const ViewersQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

const storyBody = (s: Pick<StoryRow, 'id' | 'mediaUrl' | 'mediaThumbnailUrl' | 'duration' | 'viewsCount' | 'expiresAt' | 'createdAt'> & { mediaType: MediaType | null }) => ({
  id: s.id,
  media_url: s.mediaUrl,
  media_thumbnail_url: s.mediaThumbnailUrl,
  // Every insert writes it (from the file); the column is nullable only because the plan's is.
  media_type: s.mediaType as MediaType,
  duration: s.duration,
  views_count: s.viewsCount,
  expires_at: s.expiresAt.toISOString(),
  created_at: s.createdAt.toISOString(),
});

const toCard = (u: { id: string; username: string; fullName: string | null; profileImageUrl: string | null }) => ({
  id: u.id,
  username: u.username,
  full_name: u.fullName,
  profile_image_url: u.profileImageUrl,
});

export const toTrayStory = (s: TrayStoryRow) => ({ ...storyBody(s), viewed_by_me: s.viewedByMe });

export const toStoryDetails = (s: TrayStoryRow) => ({
  ...toTrayStory(s),
  user_id: s.userId,
  user: toCard({ id: s.userId, username: s.username, fullName: s.fullName, profileImageUrl: s.profileImageUrl }),
});

export const toTray = (groups: StoryGroup[]) => ({
  stories: groups.map((g) => ({ user: toCard(g.user), stories: g.stories.map(toTrayStory), has_unviewed: g.hasUnviewed })),
});

export const toViewer = (v: StoryViewerRow) => ({ ...toCard(v), viewed_at: v.viewedAt.toISOString() });
