-- 0008: pending billing ("faturamentos pendentes"): contracts (recurring charges), one-off charges
-- ("avulsos"), the pending items they produce, billing records ("faturamentos") with their items,
-- history and attachments, and signed webhooks with their delivery outbox. Idempotent: safe to apply twice.

-- A recurring charge of a customer. kind: circuito (the circuit's monthly fee + the usage of the
-- period, from the ledger), did (the DID's monthly fee), servico (any other service, fixed amount).
-- timing: antecipado (period M is charged on day_of_month of M) or posterior (on day_of_month of M+1).
-- amount null: taken from the circuit's / DID's monthly fee at read time.
CREATE TABLE IF NOT EXISTS billing_contracts (
    id            bigserial     PRIMARY KEY,
    customer_id   bigint        NOT NULL,
    name          text          NOT NULL,
    kind          text          NOT NULL CHECK (kind IN ('circuito', 'did', 'servico')),
    account       text          NULL,
    did_number    text          NULL,
    amount        numeric(14,2) NULL CHECK (amount IS NULL OR amount >= 0),
    timing        text          NOT NULL CHECK (timing IN ('antecipado', 'posterior')),
    day_of_month  integer       NOT NULL CHECK (day_of_month BETWEEN 1 AND 31),
    due_days      integer       NOT NULL DEFAULT 0 CHECK (due_days BETWEEN 0 AND 120),
    start_date    date          NOT NULL,
    end_date      date          NULL,
    created_at    timestamptz   NOT NULL,
    updated_at    timestamptz   NOT NULL,
    deleted_at    timestamptz   NULL
);
CREATE INDEX IF NOT EXISTS ix_billing_contracts_customer ON billing_contracts (customer_id, id) WHERE deleted_at IS NULL;

-- One-off charges ("valores avulsos"), with an optional attachment kept in the row.
CREATE TABLE IF NOT EXISTS billing_avulsos (
    id                      bigserial     PRIMARY KEY,
    customer_id             bigint        NOT NULL,
    date                    date          NOT NULL,
    due_date                date          NOT NULL,
    description             text          NOT NULL,
    amount                  numeric(14,2) NOT NULL CHECK (amount > 0),
    attachment_name         text          NULL,
    attachment_content_type text          NULL,
    attachment              bytea         NULL,
    created_at              timestamptz   NOT NULL,
    updated_at              timestamptz   NOT NULL,
    deleted_at              timestamptz   NULL
);
CREATE INDEX IF NOT EXISTS ix_billing_avulsos_customer ON billing_avulsos (customer_id, id) WHERE deleted_at IS NULL;

-- The unit that is billed: one period of a contract (materialized on demand up to the date asked for)
-- or one avulso. billing_id is the billing record that currently bills it; null = pending.
-- A cancelled billing sets it back to null (the item is billable anew).
CREATE TABLE IF NOT EXISTS billing_pending_items (
    id           bigserial   PRIMARY KEY,
    customer_id  bigint      NOT NULL,
    source       text        NOT NULL CHECK (source IN ('contrato', 'avulso')),
    contract_id  bigint      NULL REFERENCES billing_contracts (id),
    avulso_id    bigint      NULL REFERENCES billing_avulsos (id),
    reference    text        NOT NULL,                  -- yyyy-MM of a contract period; '' for an avulso
    item_date    date        NOT NULL,                  -- the date it becomes billable (base date filter)
    due_date     date        NOT NULL,                  -- due date filter
    billing_id   bigint      NULL,
    created_at   timestamptz NOT NULL,
    CONSTRAINT billing_pending_items_source CHECK ((source = 'contrato') = (contract_id IS NOT NULL) AND (source = 'avulso') = (avulso_id IS NOT NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_billing_pending_contract_period ON billing_pending_items (contract_id, reference) WHERE contract_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ux_billing_pending_avulso ON billing_pending_items (avulso_id) WHERE avulso_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_billing_pending_open ON billing_pending_items (customer_id, item_date) WHERE billing_id IS NULL;
CREATE INDEX IF NOT EXISTS ix_billing_pending_billing ON billing_pending_items (billing_id) WHERE billing_id IS NOT NULL;

-- A billing ("faturamento"). valor_real = total - discount + interest (never negative).
-- status: FATURADO or CANCELADO (estorno: kept, audited, its items pending again).
CREATE TABLE IF NOT EXISTS billing_records (
    id               bigserial     PRIMARY KEY,
    customer_id      bigint        NOT NULL,
    billing_date     date          NOT NULL,
    due_date         date          NOT NULL,
    total            numeric(14,2) NOT NULL,
    discount         numeric(14,2) NOT NULL DEFAULT 0 CHECK (discount >= 0),
    interest         numeric(14,2) NOT NULL DEFAULT 0 CHECK (interest >= 0),
    valor_real       numeric(14,2) NOT NULL CHECK (valor_real >= 0),
    nfe_number       text          NULL,
    notes            text          NOT NULL DEFAULT '',
    status           text          NOT NULL CHECK (status IN ('FATURADO', 'CANCELADO')),
    idempotency_key  text          NULL,
    created_at       timestamptz   NOT NULL,
    created_by       text          NOT NULL,
    cancelled_at     timestamptz   NULL,
    cancelled_by     text          NULL,
    cancel_reason    text          NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_billing_records_idempotency ON billing_records (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_billing_records_customer ON billing_records (customer_id, billing_date);
CREATE INDEX IF NOT EXISTS ix_billing_records_date ON billing_records (billing_date, id);
CREATE INDEX IF NOT EXISTS ix_billing_records_nfe ON billing_records (nfe_number) WHERE nfe_number IS NOT NULL;

-- What a billing billed, frozen at billing time (a later cancel and re-billing never changes it).
CREATE TABLE IF NOT EXISTS billing_record_items (
    billing_id      bigint        NOT NULL REFERENCES billing_records (id),
    pending_item_id bigint        NOT NULL REFERENCES billing_pending_items (id),
    source          text          NOT NULL,
    description     text          NOT NULL,
    reference       text          NOT NULL,
    item_date       date          NOT NULL,
    due_date        date          NOT NULL,
    amount          numeric(14,2) NOT NULL,
    details         jsonb         NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (billing_id, pending_item_id)
);

-- Audit trail of billings: created / cancelled / attachment / email (who, when, what).
CREATE TABLE IF NOT EXISTS billing_history (
    id          bigserial   PRIMARY KEY,
    billing_id  bigint      NOT NULL REFERENCES billing_records (id),
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL,
    detail      text        NULL
);
CREATE INDEX IF NOT EXISTS ix_billing_history_billing ON billing_history (billing_id, id);

-- Files attached to a billing, stored durably in the database.
CREATE TABLE IF NOT EXISTS billing_attachments (
    id            bigserial   PRIMARY KEY,
    billing_id    bigint      NOT NULL REFERENCES billing_records (id),
    file_name     text        NOT NULL,
    content_type  text        NOT NULL,
    size_bytes    integer     NOT NULL,
    sha256        text        NOT NULL,
    content       bytea       NOT NULL,
    created_at    timestamptz NOT NULL,
    created_by    text        NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_billing_attachments_billing ON billing_attachments (billing_id, id);

-- Webhook endpoints (boleto / NF issuers): each with its own HMAC-SHA256 secret and subscribed events.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    id          bigserial   PRIMARY KEY,
    url         text        NOT NULL,
    secret      text        NOT NULL,
    events      text[]      NOT NULL,
    active      boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    deleted_at  timestamptz NULL
);

-- Webhook outbox: one row per (event, endpoint), written in the transaction of the change.
-- event_id is stable across retries so a receiver can drop duplicates.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id              bigserial   PRIMARY KEY,
    endpoint_id     bigint      NOT NULL REFERENCES webhook_endpoints (id),
    event_id        uuid        NOT NULL,
    event_type      text        NOT NULL,
    payload         text        NOT NULL,
    status          text        NOT NULL DEFAULT 'PENDENTE' CHECK (status IN ('PENDENTE', 'ENVIADO', 'FALHOU')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_status     integer     NULL,
    last_error      text        NULL,
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX IF NOT EXISTS ix_webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDENTE';

-- billing e-mails go through the existing outbox; link them to their billing and report type.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS billing_id bigint NULL;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS report_type text NULL;
-- a document rendered when the message was queued (billing reports), attached as is
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS attachment_name text NULL;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS attachment_type text NULL;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS attachment bytea NULL;
