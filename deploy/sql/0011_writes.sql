-- 0011: deliveries are claimed, not locked, while they are in flight (issue 15, item 4). A sender claims due rows
-- with a lease (locked_until = now + lease) in one short statement, commits, posts the webhook / sends the e-mail
-- with no transaction open, and records the outcome in another short statement (clearing the lease). A sender
-- that dies after sending and before recording leaves the lease to expire: the row is sent again with the same
-- event id / Message-Id (at-least-once, never lost). Idempotent: safe to apply twice.
ALTER TABLE webhook_deliveries ADD COLUMN IF NOT EXISTS locked_until timestamptz NULL;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS locked_until timestamptz NULL;
