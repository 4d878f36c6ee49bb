CREATE TABLE "email_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"old_email" varchar(255) NOT NULL,
	"old_email_verified" boolean NOT NULL,
	"new_email" varchar(255) NOT NULL,
	"confirm_token_hash" varchar(255) NOT NULL,
	"revert_token_hash" varchar(255) NOT NULL,
	"confirm_expires_at" timestamp with time zone NOT NULL,
	"revert_expires_at" timestamp with time zone NOT NULL,
	"confirmed_at" timestamp with time zone,
	"superseded_at" timestamp with time zone,
	"reverted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "email_changes" ADD CONSTRAINT "email_changes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_email_changes_user" ON "email_changes" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_email_changes_confirm_hash" ON "email_changes" USING btree ("confirm_token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_email_changes_revert_hash" ON "email_changes" USING btree ("revert_token_hash");--> statement-breakpoint
CREATE INDEX "idx_email_changes_old_email" ON "email_changes" USING btree (lower("old_email"));