-- 0012: durable credit holds of authorized calls (issue 15). The circuit grain appends a hold before the
-- authorize/extend answer leaves (a binary COPY through the ledger's group-commit writer: an extend appends a larger
-- version, nothing is updated or deleted per call). A call's hold ends when its ledger row exists or when it
-- expires; a circuit that restarts reloads the latest version of each hold still open (unexpired, no ledger row
-- for the call), so credit granted to calls in progress is never granted again. Expired versions are purged in
-- bulk by the silos. Idempotent: safe to apply twice.
CREATE TABLE IF NOT EXISTS call_holds (
    account         text NOT NULL,
    call_id         text NOT NULL,
    amount          numeric(14,2) NOT NULL,
    granted_seconds integer NOT NULL,
    expires_at      timestamptz NOT NULL,
    data            text NOT NULL,           -- the rest of the reservation as JSON (destination, tariff, route…), owned by the circuit grain; text, not jsonb: never queried, never parsed on the hot path
    updated_at      timestamptz NOT NULL
);
-- a circuit's activation reads its holds
CREATE INDEX IF NOT EXISTS call_holds_account_idx ON call_holds (account);
-- a call whose route was lost (its route shard's silo died) is found by its id
CREATE INDEX IF NOT EXISTS call_holds_call_id_idx ON call_holds (call_id);
