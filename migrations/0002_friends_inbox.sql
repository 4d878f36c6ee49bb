CREATE TABLE "friends_inbox" (
	"user_id" uuid NOT NULL,
	"post_created_at" timestamp with time zone NOT NULL,
	"post_id" uuid NOT NULL,
	"author_id" uuid NOT NULL,
	"friendship_id" uuid NOT NULL,
	CONSTRAINT "friends_inbox_pkey" PRIMARY KEY("user_id","post_created_at","post_id")
);
--> statement-breakpoint
-- Fills the inboxes from the existing posts of the window (FRIENDS_INBOX_KEEP_DAYS, feed/friends-inbox.sql.ts),
-- before the foreign keys and the index exist, so they are checked and built once in bulk.
INSERT INTO "friends_inbox" ("user_id", "post_created_at", "post_id", "author_id", "friendship_id")
SELECT r.reader, p.created_at, p.id, p.user_id, r.friendship_id
FROM "posts" p
JOIN (SELECT f.user_id AS author, f.friend_id AS reader, f.id AS friendship_id FROM "friendships" f WHERE f.status = 'accepted'
      UNION ALL
      SELECT f.friend_id, f.user_id, f.id FROM "friendships" f WHERE f.status = 'accepted') r ON r.author = p.user_id
WHERE p.created_at >= now() - interval '8 days'
ON CONFLICT DO NOTHING;
--> statement-breakpoint
ALTER TABLE "friends_inbox" ADD CONSTRAINT "friends_inbox_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "friends_inbox" ADD CONSTRAINT "friends_inbox_friendship_id_friendships_id_fk" FOREIGN KEY ("friendship_id") REFERENCES "public"."friendships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_friends_inbox_friendship" ON "friends_inbox" USING btree ("friendship_id");