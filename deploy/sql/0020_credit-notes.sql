-- 0020: credit notes (notas de crédito, issue 19). Idempotent: safe to apply twice.
--
-- A credit note credits an issued invoice (ABERTO or FECHADO) without editing it. Owned by the invoice grain
-- (inv:<id>, grains/Invoicing/CreditNoteStore): the note and its number are written in one transaction under the
-- invoice row lock (FOR UPDATE: the sum of an invoice's notes never exceeds its total) and the issuer's counter row
-- lock (credit_note_counters: gap-free across every invoice grain and silo; a rollback gives the number back).
CREATE TABLE IF NOT EXISTS credit_note_counters (
    issuer      text   PRIMARY KEY,
    last_number bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS credit_notes (
    id                 bigserial     PRIMARY KEY,
    issuer             text          NOT NULL,
    number             bigint        NOT NULL,
    invoice_id         bigint        NOT NULL REFERENCES invoices (id),
    account            text          NOT NULL,
    customer_id        bigint        NOT NULL,
    period             text          NOT NULL,           -- the credited invoice's period
    mode               text          NOT NULL CHECK (mode IN ('postpaid', 'prepaid')),
    amount             numeric(14,2) NOT NULL CHECK (amount > 0),
    reason             text          NOT NULL,
    idempotency_key    text          NOT NULL,
    created_at         timestamptz   NOT NULL,
    created_by         text          NOT NULL,
    ledger_credited_at timestamptz   NULL,               -- prepaid: when the circuit's balance was credited
    CONSTRAINT credit_notes_issuer_number_uq UNIQUE (issuer, number),
    CONSTRAINT credit_notes_key_uq UNIQUE (idempotency_key)
);
CREATE INDEX IF NOT EXISTS credit_notes_invoice_idx ON credit_notes (invoice_id, id);
CREATE INDEX IF NOT EXISTS credit_notes_account_idx ON credit_notes (account, period) WHERE mode = 'postpaid';

-- Postpaid notes deducted on later invoices of the same circuit and customer (written with the invoice by its
-- generation, grains/Invoicing/InvoiceStore): a draft's rows are recomputed with it; a voided invoice's rows no longer
-- count, so what it took is available again.
CREATE TABLE IF NOT EXISTS credit_note_applications (
    credit_note_id bigint        NOT NULL REFERENCES credit_notes (id),
    invoice_id     bigint        NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    amount         numeric(14,2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (credit_note_id, invoice_id)
);
CREATE INDEX IF NOT EXISTS credit_note_applications_invoice_idx ON credit_note_applications (invoice_id);

-- Prepaid notes whose ledger credit is still missing (a failure between the note and the circuit's credit): the daily
-- scheduler tick of each circuit looks them up to retry.
CREATE INDEX IF NOT EXISTS credit_notes_ledger_pending_idx ON credit_notes (account) WHERE mode = 'prepaid' AND ledger_credited_at IS NULL;
