-- 0012: durable credit holds of authorized calls (issue 15). The circuit grain writes a hold before the
-- authorize/extend answer leaves, through the ledger's group-commit writer, and releases it when the call is
-- settled (its ledger row is durable) or the hold expires. A circuit that restarts reloads the holds that are
-- still open (unexpired, no ledger row for the call), so credit granted to calls in progress is never granted again.
-- Idempotent: safe to apply twice.
CREATE TABLE IF NOT EXISTS call_holds (
    account         text NOT NULL,
    call_id         text NOT NULL,
    amount          numeric(14,2) NOT NULL,
    granted_seconds integer NOT NULL,
    expires_at      timestamptz NOT NULL,
    data            text NOT NULL,           -- the rest of the reservation as JSON (destination, tariff, route…), owned by the circuit grain; text, not jsonb: never queried, and not parsed on every authorize
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (account, call_id)
);
-- a call whose route was lost (its route shard's silo died) is found by its id
CREATE INDEX IF NOT EXISTS call_holds_call_id_idx ON call_holds (call_id);
