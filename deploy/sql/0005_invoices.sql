-- 0005: invoices (one per circuit and period), their history, the gap-free document number counter
-- per issuer, the calls each invoice covers, and the e-mail outbox. Idempotent: safe to apply twice.

-- One invoice of one circuit (account) for one billing period (yyyy-MM, shifted by the closing day).
-- status: RASCUNHO (draft: recomputable, hidden from the customer) → ABERTO → FECHADO, or → ANULADO.
-- number is null while RASCUNHO; it is taken from invoice_counters in the transaction that issues it.
CREATE TABLE IF NOT EXISTS invoices (
    id              bigserial     PRIMARY KEY,
    account         text          NOT NULL,
    customer_id     bigint        NOT NULL,                 -- customer in force for the period (circuit_moves)
    period          text          NOT NULL,                 -- yyyy-MM
    period_start    timestamptz   NOT NULL,                 -- closing-day boundaries in America/Sao_Paulo
    period_end      timestamptz   NOT NULL,
    issuer          text          NOT NULL,
    number          bigint        NULL,
    status          text          NOT NULL CHECK (status IN ('RASCUNHO', 'ABERTO', 'FECHADO', 'ANULADO')),
    currency        text          NOT NULL DEFAULT 'BRL',
    due_date        date          NOT NULL,
    monthly_fee     numeric(14,2) NOT NULL DEFAULT 0,
    calls_count     integer       NOT NULL DEFAULT 0,
    calls_total     numeric(14,2) NOT NULL DEFAULT 0,       -- sum of the calls' charges (positive)
    total           numeric(14,2) NOT NULL DEFAULT 0,       -- monthly fee + calls
    lines           jsonb         NOT NULL DEFAULT '[]'::jsonb,  -- summary lines (fee, usage by call type, made/received)
    custom_fields   jsonb         NOT NULL DEFAULT '[]'::jsonb,
    circuit_name    text          NOT NULL DEFAULT '',
    customer_data   jsonb         NULL,                     -- customer as printed, frozen when the invoice is issued
    generated_at    timestamptz   NOT NULL,
    issued_at       timestamptz   NULL,
    updated_at      timestamptz   NOT NULL,
    CONSTRAINT invoices_number_when_issued CHECK ((status = 'RASCUNHO') = (number IS NULL))
);
-- at most one live (not voided) invoice per circuit and period
CREATE UNIQUE INDEX IF NOT EXISTS invoices_account_period_live_uq ON invoices (account, period) WHERE status <> 'ANULADO';
-- a document number is used once per issuer
CREATE UNIQUE INDEX IF NOT EXISTS invoices_issuer_number_uq ON invoices (issuer, number) WHERE number IS NOT NULL;
CREATE INDEX IF NOT EXISTS invoices_customer_period_idx ON invoices (customer_id, period, account);
CREATE INDEX IF NOT EXISTS invoices_account_period_idx ON invoices (account, period);

-- The ledger call rows an invoice covers (a draft's set is rebuilt on every regeneration; an issued
-- invoice's set is frozen). A late call of an already issued period is covered by the next invoice.
CREATE TABLE IF NOT EXISTS invoice_calls (
    invoice_id bigint NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    ledger_id  bigint NOT NULL,
    PRIMARY KEY (invoice_id, ledger_id)
);
CREATE INDEX IF NOT EXISTS invoice_calls_ledger_idx ON invoice_calls (ledger_id);

-- Every transition (and generation / regeneration / discard): who, when, from, to.
CREATE TABLE IF NOT EXISTS invoice_history (
    id          bigserial   PRIMARY KEY,
    invoice_id  bigint      NOT NULL,                      -- no FK: a discarded draft keeps its history
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL,                      -- generated | regenerated | status | discarded
    from_status text        NULL,
    to_status   text        NULL,
    number      bigint      NULL,
    notify      boolean     NOT NULL DEFAULT false,
    detail      text        NULL
);
CREATE INDEX IF NOT EXISTS invoice_history_invoice_idx ON invoice_history (invoice_id, id);

-- Gap-free document numbers per issuer: incremented in the transaction that moves an invoice out of
-- RASCUNHO (the row lock serializes concurrent issuing; a rollback gives the number back).
CREATE TABLE IF NOT EXISTS invoice_counters (
    issuer      text   PRIMARY KEY,
    last_number bigint NOT NULL
);

-- E-mail outbox: written in the same transaction as the change that causes the e-mail; a background
-- sender delivers it (retries with backoff) and marks it sent, so a crash neither loses nor doubles it.
CREATE TABLE IF NOT EXISTS outbox (
    id              bigserial   PRIMARY KEY,
    kind            text        NOT NULL,                  -- invoice_status
    invoice_id      bigint      NULL,
    recipients      text[]      NOT NULL,
    subject         text        NOT NULL,
    body            text        NOT NULL,
    status          text        NOT NULL DEFAULT 'PENDENTE' CHECK (status IN ('PENDENTE', 'ENVIADO', 'FALHOU')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text        NULL,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz NULL
);
CREATE INDEX IF NOT EXISTS outbox_pending_idx ON outbox (next_attempt_at) WHERE status = 'PENDENTE';
CREATE INDEX IF NOT EXISTS outbox_status_idx ON outbox (status, id);
