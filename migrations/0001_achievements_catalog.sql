-- The achievements catalogue (plan 3.8), seeded here so every environment has the same badges.
-- Idempotent: re-running updates each row in place by its code. `criteria` is what the evaluator
-- interprets (src/features/achievements/achievements.criteria.ts): {"type":"count"|"streak",
-- "metric":..., "threshold":N}; a new row over a known metric needs no code.
INSERT INTO "achievements" ("code", "name", "description", "icon_url", "category", "points", "criteria", "is_active")
VALUES ('first_goal', 'First Step', 'Create or join your first goal.', NULL, 'goals', 10,
  '{"type":"count","metric":"goals_joined","threshold":1}'::jsonb, true)
ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "description" = EXCLUDED."description",
  "category" = EXCLUDED."category", "points" = EXCLUDED."points", "criteria" = EXCLUDED."criteria",
  "is_active" = EXCLUDED."is_active";
--> statement-breakpoint
INSERT INTO "achievements" ("code", "name", "description", "icon_url", "category", "points", "criteria", "is_active")
VALUES ('first_contribution', 'Chipping In', 'Make your first contribution to a goal.', NULL, 'goals', 10,
  '{"type":"count","metric":"contributions","threshold":1}'::jsonb, true)
ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "description" = EXCLUDED."description",
  "category" = EXCLUDED."category", "points" = EXCLUDED."points", "criteria" = EXCLUDED."criteria",
  "is_active" = EXCLUDED."is_active";
--> statement-breakpoint
INSERT INTO "achievements" ("code", "name", "description", "icon_url", "category", "points", "criteria", "is_active")
VALUES ('first_goal_completed', 'Goal Getter', 'Achieve your first goal.', NULL, 'goals', 25,
  '{"type":"count","metric":"goals_achieved","threshold":1}'::jsonb, true)
ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "description" = EXCLUDED."description",
  "category" = EXCLUDED."category", "points" = EXCLUDED."points", "criteria" = EXCLUDED."criteria",
  "is_active" = EXCLUDED."is_active";
--> statement-breakpoint
INSERT INTO "achievements" ("code", "name", "description", "icon_url", "category", "points", "criteria", "is_active")
VALUES ('goals_achieved_5', 'High Five', 'Achieve 5 goals.', NULL, 'goals', 50,
  '{"type":"count","metric":"goals_achieved","threshold":5}'::jsonb, true)
ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "description" = EXCLUDED."description",
  "category" = EXCLUDED."category", "points" = EXCLUDED."points", "criteria" = EXCLUDED."criteria",
  "is_active" = EXCLUDED."is_active";
--> statement-breakpoint
INSERT INTO "achievements" ("code", "name", "description", "icon_url", "category", "points", "criteria", "is_active")
VALUES ('goals_achieved_25', 'Unstoppable', 'Achieve 25 goals.', NULL, 'goals', 150,
  '{"type":"count","metric":"goals_achieved","threshold":25}'::jsonb, true)
ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "description" = EXCLUDED."description",
  "category" = EXCLUDED."category", "points" = EXCLUDED."points", "criteria" = EXCLUDED."criteria",
  "is_active" = EXCLUDED."is_active";
--> statement-breakpoint
INSERT INTO "achievements" ("code", "name", "description", "icon_url", "category", "points", "criteria", "is_active")
VALUES ('first_group_goal_completed', 'Team Player', 'Achieve a group goal together with your tribe.', NULL, 'social', 40,
  '{"type":"count","metric":"group_goals_completed","threshold":1}'::jsonb, true)
ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "description" = EXCLUDED."description",
  "category" = EXCLUDED."category", "points" = EXCLUDED."points", "criteria" = EXCLUDED."criteria",
  "is_active" = EXCLUDED."is_active";
--> statement-breakpoint
INSERT INTO "achievements" ("code", "name", "description", "icon_url", "category", "points", "criteria", "is_active")
VALUES ('contribution_streak_7', 'On a Roll', 'Contribute on 7 days in a row.', NULL, 'consistency', 50,
  '{"type":"streak","metric":"contributions","threshold":7}'::jsonb, true)
ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "description" = EXCLUDED."description",
  "category" = EXCLUDED."category", "points" = EXCLUDED."points", "criteria" = EXCLUDED."criteria",
  "is_active" = EXCLUDED."is_active";
--> statement-breakpoint
INSERT INTO "achievements" ("code", "name", "description", "icon_url", "category", "points", "criteria", "is_active")
VALUES ('friends_10', 'Tribe Builder', 'Have 10 friends.', NULL, 'social', 30,
  '{"type":"count","metric":"friends","threshold":10}'::jsonb, true)
ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "description" = EXCLUDED."description",
  "category" = EXCLUDED."category", "points" = EXCLUDED."points", "criteria" = EXCLUDED."criteria",
  "is_active" = EXCLUDED."is_active";
--> statement-breakpoint
INSERT INTO "achievements" ("code", "name", "description", "icon_url", "category", "points", "criteria", "is_active")
VALUES ('first_memory', 'Memory Maker', 'Share your first memory.', NULL, 'memories', 10,
  '{"type":"count","metric":"posts","threshold":1}'::jsonb, true)
ON CONFLICT ("code") DO UPDATE SET "name" = EXCLUDED."name", "description" = EXCLUDED."description",
  "category" = EXCLUDED."category", "points" = EXCLUDED."points", "criteria" = EXCLUDED."criteria",
  "is_active" = EXCLUDED."is_active";
