-- 0016: invoice payments and the portal's "Resposta" (issue 18, portal of seed 001). Idempotent: safe to apply twice.
--
-- Paid state of an invoice, owned by the invoice grain (inv:<id>, grains/Invoicing/InvoiceStore): set once, by an admin
-- (POST /api/invoices/{id}/payments, admin page) or by the payment provider's signed webhook. payment_key is the
-- idempotency key (admin form / REST) or 'provider:<provider payment id>' (webhook): the same key again answers the
-- recorded payment; a key is never used for two invoices.
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS paid_at        timestamptz   NULL;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS paid_amount    numeric(14,2) NULL;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS payment_method text          NULL;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS payment_key    text          NULL;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS paid_by        text          NULL;
CREATE UNIQUE INDEX IF NOT EXISTS invoices_payment_key_uq ON invoices (payment_key) WHERE payment_key IS NOT NULL;
-- "Última Fatura" of the portal: the customer's last paid invoice
CREATE INDEX IF NOT EXISTS invoices_customer_paid_idx ON invoices (customer_id, paid_at DESC) WHERE paid_at IS NOT NULL;

-- "Resposta" (Gestão Web flag): what a customer writes back to the operator from the portal. Written only by the
-- circuit's reply grain (portalreply:<account>, grains/Portal); the admin reads them in /admin/respostas.
CREATE TABLE IF NOT EXISTS portal_replies (
    id          bigserial   PRIMARY KEY,
    account     text        NOT NULL,
    customer_id bigint      NOT NULL,
    subject     text        NOT NULL,
    body        text        NOT NULL,
    created_at  timestamptz NOT NULL,
    request_key text        NOT NULL,              -- the form's idempotency key: a double submit stores one reply
    read_at     timestamptz NULL,
    read_by     text        NULL,
    CONSTRAINT portal_replies_request_uq UNIQUE (account, request_key)
);
CREATE INDEX IF NOT EXISTS portal_replies_account_idx ON portal_replies (account, id DESC);
CREATE INDEX IF NOT EXISTS portal_replies_unread_idx ON portal_replies (id DESC) WHERE read_at IS NULL;
