-- 0019: the plan list shows each plan's tariff windows (issue 19). The plan grain writes, with the rest of its read-model
-- row, its latest version's windows as [{type, days, from, to, prices, connectFee}] (it rewrites the row on activation,
-- so plans saved before this migration fill in when next activated). Idempotent: safe to apply twice.
ALTER TABLE plans ADD COLUMN IF NOT EXISTS windows jsonb NOT NULL DEFAULT '[]';
