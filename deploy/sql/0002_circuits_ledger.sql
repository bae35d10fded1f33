-- 0002: circuits read model, the durable call/credit ledger, rejected CDRs and the audit log.
-- Idempotent: safe to apply twice.

-- Audit log of every change to a customer, circuit, plan... (who, when, what changed).
CREATE TABLE IF NOT EXISTS audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor      text NOT NULL,
    entity     text NOT NULL,
    entity_id  text NOT NULL,
    action     text NOT NULL,
    changes    jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_entity_idx ON audit_log (entity, entity_id, id);

-- Circuits (SIP accounts) read model: the Circuit grain (ckt:<account>) owns the data and keeps
-- this row current so lists, search and pagination never activate grains.
CREATE TABLE IF NOT EXISTS circuits (
    account        text PRIMARY KEY,
    name           text NOT NULL,
    customer_id    bigint NOT NULL,
    plan_id        text NULL,
    area_code      text NOT NULL,
    central        text NULL,
    billing_mode   text NOT NULL,
    credit_limit   numeric(14,2) NOT NULL DEFAULT 0,
    status         text NOT NULL,
    balance        numeric(14,2) NOT NULL DEFAULT 0,
    ip             text NULL,
    latency_ms     integer NULL,
    registered_at  timestamptz NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    deleted_at     timestamptz NULL,
    search         text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS circuits_customer_idx ON circuits (customer_id, account) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS circuits_status_idx ON circuits (status, account) WHERE deleted_at IS NULL;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS circuits_search_trgm_idx ON circuits USING gin (search gin_trgm_ops);

-- Moves of a circuit between customers (history; invoices consolidate by the customer in force).
CREATE TABLE IF NOT EXISTS circuit_moves (
    id               bigserial PRIMARY KEY,
    account          text NOT NULL,
    from_customer_id bigint NOT NULL,
    to_customer_id   bigint NOT NULL,
    moved_at         timestamptz NOT NULL,
    effective_period text NOT NULL,
    actor            text NOT NULL
);
CREATE INDEX IF NOT EXISTS circuit_moves_account_idx ON circuit_moves (account, moved_at);

-- The ledger: every rated call and every credit/adjustment of a circuit, durable before the
-- answer leaves. seq is assigned by the circuit grain (monotonic per account); the grain's
-- snapshot records the last seq it includes and replays the rows after it on activation.
CREATE TABLE IF NOT EXISTS ledger (
    id               bigserial PRIMARY KEY,
    account          text NOT NULL,
    seq              bigint NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('call', 'credit')),
    amount           numeric(14,2) NOT NULL,          -- signed: credit > 0, call charge < 0
    balance_after    numeric(14,2) NOT NULL,
    call_id          text NULL,
    idempotency_key  text NULL,
    description      text NULL,
    direction        text NULL,
    destination      text NULL,
    normalized       text NULL,
    call_type        text NULL,
    started_at       timestamptz NULL,
    answered_at      timestamptz NULL,
    duration_seconds integer NULL,
    billed_seconds   integer NULL,
    price_per_minute numeric(14,6) NULL,
    hangup_cause     text NULL,
    caller           text NULL,
    period           text NULL,                       -- yyyy-MM of the call start (America/Sao_Paulo)
    source           text NOT NULL DEFAULT 'api',     -- api | import
    created_at       timestamptz NOT NULL,
    actor            text NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ledger_call_id_uq ON ledger (call_id) WHERE kind = 'call';
CREATE UNIQUE INDEX IF NOT EXISTS ledger_credit_key_uq ON ledger (account, idempotency_key) WHERE kind = 'credit';
CREATE UNIQUE INDEX IF NOT EXISTS ledger_account_seq_uq ON ledger (account, seq);
CREATE INDEX IF NOT EXISTS ledger_account_started_idx ON ledger (account, started_at) WHERE kind = 'call';

-- CDRs refused by the import, kept for review.
CREATE TABLE IF NOT EXISTS cdr_rejected (
    id          bigserial PRIMARY KEY,
    received_at timestamptz NOT NULL,
    line        integer NOT NULL,
    field       text NOT NULL,
    reason      text NOT NULL,
    raw         text NOT NULL
);
