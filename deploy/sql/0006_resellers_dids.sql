-- 0006: resellers (revendas), DIDs, inbound call completion and reseller statements
-- ("Faturas Fechadas Revenda"). Idempotent: safe to apply twice.

-- Resellers: the Reseller grain rev:<id> writes this table (it is its source of truth; contacts in jsonb).
CREATE SEQUENCE IF NOT EXISTS resellers_id_seq AS bigint START WITH 1;

CREATE TABLE IF NOT EXISTS resellers (
    id                      bigint        PRIMARY KEY,
    nome                    text          NOT NULL,
    documento               text          NOT NULL,           -- normalized CPF (11) / CNPJ (14)
    tipo_pessoa             char(2)       NOT NULL CHECK (tipo_pessoa IN ('PF', 'PJ')),
    email                   text          NULL,
    telefone                text          NULL,
    observacoes             text          NULL,
    contatos                jsonb         NOT NULL DEFAULT '[]'::jsonb,
    did_monthly_fee         numeric(14,2) NOT NULL DEFAULT 0,  -- default monthly fee per DID
    completion_price        numeric(14,6) NOT NULL DEFAULT 0,  -- call completion price per inbound minute
    nome_busca              text          NOT NULL,
    busca                   text          NOT NULL,
    created_at              timestamptz   NOT NULL,
    updated_at              timestamptz   NOT NULL,
    deleted_at              timestamptz   NULL
);
ALTER SEQUENCE resellers_id_seq OWNED BY resellers.id;
CREATE UNIQUE INDEX IF NOT EXISTS ux_resellers_documento ON resellers (documento) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_resellers_nome_busca ON resellers (nome_busca, id) WHERE deleted_at IS NULL;

-- A customer (and through it all its circuits) may belong to a reseller. Only this nullable column is
-- added; the customers row is still owned by the Customer grain, whose upsert does not touch it.
ALTER TABLE customers ADD COLUMN IF NOT EXISTS reseller_id bigint NULL;
CREATE INDEX IF NOT EXISTS ix_customers_reseller ON customers (reseller_id) WHERE reseller_id IS NOT NULL;

-- DID inventory (E.164 with '+'). The Did grain did:<e164> owns changes to a row after it is created.
CREATE TABLE IF NOT EXISTS dids (
    number            text          PRIMARY KEY,
    reseller_id       bigint        NULL,
    account           text          NULL,                 -- owner circuit while assigned
    active_from       timestamptz   NULL,
    active_to         timestamptz   NULL,
    monthly_fee       numeric(14,2) NULL,                 -- null: the reseller's did_monthly_fee
    sigame_enabled    boolean       NOT NULL DEFAULT false,
    sigame_destination text         NULL,
    accepts_collect   boolean       NOT NULL DEFAULT false,
    created_at        timestamptz   NOT NULL,
    updated_at        timestamptz   NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_dids_reseller ON dids (reseller_id, number);
CREATE INDEX IF NOT EXISTS ix_dids_account ON dids (account, number);

-- Assignment history: one row per time a DID was in service on a circuit (release closes it).
-- Reseller statements count DIDs and their fees from these intervals.
CREATE TABLE IF NOT EXISTS did_assignments (
    id           bigserial     PRIMARY KEY,
    number       text          NOT NULL,
    reseller_id  bigint        NULL,
    account      text          NOT NULL,
    monthly_fee  numeric(14,2) NOT NULL,
    active_from  timestamptz   NOT NULL,
    active_to    timestamptz   NULL,
    assigned_by  text          NOT NULL,
    released_by  text          NULL
);
CREATE INDEX IF NOT EXISTS ix_did_assignments_number ON did_assignments (number, active_from);
CREATE INDEX IF NOT EXISTS ix_did_assignments_reseller ON did_assignments (reseller_id, active_from);

-- Inbound call completion: the ledger row of a call that came in through a reseller's DID records
-- which reseller is charged and how much (the circuit's own amount is unaffected).
ALTER TABLE ledger ADD COLUMN IF NOT EXISTS reseller_id bigint NULL;
ALTER TABLE ledger ADD COLUMN IF NOT EXISTS reseller_amount numeric(14,2) NULL;
ALTER TABLE ledger ADD COLUMN IF NOT EXISTS did text NULL;
CREATE INDEX IF NOT EXISTS ix_ledger_reseller_started ON ledger (reseller_id, started_at) WHERE reseller_id IS NOT NULL;

-- Frozen monthly statements ("Faturas Fechadas Revenda"): reference = 'YYYY-MM' (America/Sao_Paulo month).
CREATE TABLE IF NOT EXISTS reseller_statements (
    reseller_id   bigint        NOT NULL,
    reference     text          NOT NULL,
    nome          text          NOT NULL,
    did_count     integer       NOT NULL,
    dids          text[]        NOT NULL,
    did_fees      numeric(14,2) NOT NULL,
    completion    numeric(14,2) NOT NULL,
    inbound_calls integer       NOT NULL,
    inbound_seconds bigint      NOT NULL,
    total         numeric(14,2) NOT NULL,
    closed_at     timestamptz   NOT NULL,
    PRIMARY KEY (reference, reseller_id)
);

CREATE TABLE IF NOT EXISTS reseller_statement_days (
    reseller_id   bigint        NOT NULL,
    reference     text          NOT NULL,
    day           date          NOT NULL,
    calls         integer       NOT NULL,
    seconds       bigint        NOT NULL,
    amount        numeric(14,2) NOT NULL,
    PRIMARY KEY (reference, reseller_id, day)
);

-- Months whose reseller statements are frozen (one row per reference once closed).
CREATE TABLE IF NOT EXISTS reseller_statement_closings (
    reference  text        PRIMARY KEY,
    closed_at  timestamptz NOT NULL
);
