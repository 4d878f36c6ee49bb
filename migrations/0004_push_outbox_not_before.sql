DROP INDEX "idx_push_outbox_status";--> statement-breakpoint
ALTER TABLE "push_outbox" ADD COLUMN "not_before" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
-- The schedule used to live in the payload: carry it over, then drop it from the JSON.
UPDATE "push_outbox" SET "not_before" = coalesce(("payload" ->> 'not_before')::timestamptz, "created_at"), "payload" = "payload" - 'not_before';--> statement-breakpoint
CREATE INDEX "idx_push_outbox_due" ON "push_outbox" USING btree ("status","not_before","id");
