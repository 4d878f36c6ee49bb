import { Type } from 'typebox';
import { NullableString, NullableTimestamp, Uuid } from '../../http/schemas.js';
import type { AchievementItem } from './achievements.repo.js';

export const Achievement = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  description: NullableString,
  icon_url: NullableString,
  category: NullableString,
  points: Type.Integer(),
  earned: Type.Boolean(),
  earned_at: NullableTimestamp,
}, { title: 'Achievement' });

export const AchievementList = Type.Object({ achievements: Type.Array(Achievement) }, { title: 'AchievementList' });

export function toAchievement(a: AchievementItem) {
  return {
    id: a.id,
    code: a.code,
    name: a.name,
    description: a.description,
    icon_url: a.iconUrl,
    category: a.category,
    points: a.points,
    earned: a.earnedAt !== null,
    earned_at: a.earnedAt ? a.earnedAt.toISOString() : null,
  };
}
