-- 0021: low-balance alerts (issue 19). Idempotent: safe to apply twice.
--
-- A circuit's own thresholds (reais; NULL = the default of Billing:LowBalance:DefaultThresholds), kept in the circuits
-- read model by the circuit grain like the rest of its data (the admin list's "saldo baixo" filter reads it).
ALTER TABLE circuits ADD COLUMN IF NOT EXISTS low_balance_thresholds numeric(14,2)[] NULL;

-- The armed/fired state of each threshold of a circuit, owned by the circuit grain (ckt:<account>,
-- grains/Circuits/CircuitGrain.LowBalance.cs). A row is written when the threshold is armed (the available balance is
-- at or above it: a credit, a new circuit's first credit, an admin change) and when it fires (the available balance
-- went below it): the fire sets fired = true only while it is false, and the alert's e-mail (outbox) and webhook
-- (webhook_deliveries) are queued in that same transaction, so a crossing alerts once even across activations.
-- No row: the circuit was never seen at or above the threshold (dormant: nothing to alert).
CREATE TABLE IF NOT EXISTS circuit_balance_alerts (
    account        text          NOT NULL,
    threshold      numeric(14,2) NOT NULL,
    fired          boolean       NOT NULL,
    alerts         integer       NOT NULL DEFAULT 0,   -- crossings alerted so far
    available      numeric(14,2) NULL,                 -- available balance when it last fired
    fired_at       timestamptz   NULL,
    changed_at     timestamptz   NOT NULL,
    PRIMARY KEY (account, threshold)
);
