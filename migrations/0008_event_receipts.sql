CREATE TABLE "event_receipts" (
	"subscriber" text NOT NULL,
	"event_id" uuid NOT NULL,
	"handled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_receipts_pkey" PRIMARY KEY("subscriber","event_id")
);
--> statement-breakpoint
CREATE INDEX "idx_event_receipts_handled_at" ON "event_receipts" USING btree ("handled_at");