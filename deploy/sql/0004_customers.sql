-- 0004: customers read model (kept current by the Customer grain cus:<id>) and the generic audit log.
-- Idempotent: safe to run again.

-- Customer ids: the API takes nextval('customers_id_seq') and the grain cus:<id> registers the customer.
CREATE SEQUENCE IF NOT EXISTS customers_id_seq AS bigint START WITH 1;

CREATE TABLE IF NOT EXISTS customers (
    id                 bigint      PRIMARY KEY,
    nome               text        NOT NULL,
    documento          text        NOT NULL,            -- normalized: CPF 11 digits, CNPJ 14 chars [0-9A-Z]
    tipo_pessoa        char(2)     NOT NULL CHECK (tipo_pessoa IN ('PF', 'PJ')),
    razao_social       text        NULL,
    inscricao_estadual text        NULL,
    cep                text        NULL,                -- 8 digits when pais = 'Brasil'
    pais               text        NOT NULL DEFAULT 'Brasil',
    uf                 text        NULL,
    cidade             text        NULL,
    bairro             text        NULL,
    logradouro         text        NULL,
    numero             text        NULL,
    complemento        text        NULL,
    observacoes        text        NULL,
    contatos           integer     NOT NULL DEFAULT 0,  -- number of contacts
    nome_busca         text        NOT NULL,            -- lower-case, accent-free nome (ordering, search)
    busca              text        NOT NULL,            -- lower-case, accent-free nome + razão social + documento
    version            bigint      NOT NULL,            -- grain state version this row reflects
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    deleted_at         timestamptz NULL
);

ALTER SEQUENCE customers_id_seq OWNED BY customers.id;

-- one live customer per CPF/CNPJ (a deleted one frees its document)
CREATE UNIQUE INDEX IF NOT EXISTS ux_customers_documento ON customers (documento) WHERE deleted_at IS NULL;
-- list pages: ORDER BY nome_busca, id among live customers
CREATE INDEX IF NOT EXISTS ix_customers_nome_busca ON customers (nome_busca, id) WHERE deleted_at IS NULL;
-- document prefix search (digits typed without the mask)
CREATE INDEX IF NOT EXISTS ix_customers_documento_prefix ON customers (documento text_pattern_ops) WHERE deleted_at IS NULL;

-- substring search over nome / razão social / documento: trigram index when pg_trgm can be installed;
-- without it the search still works (sequential scan), only slower.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm indisponível (%); busca de clientes sem índice trigram', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX IF NOT EXISTS ix_customers_busca_trgm ON customers USING gin (busca gin_trgm_ops) WHERE deleted_at IS NULL';
    END IF;
END
$$;

-- Generic audit log (also created by 0002 with the same shape; kept here so this file stands alone).
-- changes: {"<field>": {"before": <old>, "after": <new>}, …}
CREATE TABLE IF NOT EXISTS audit_log (
    id        bigserial   PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     text        NOT NULL,
    entity    text        NOT NULL,   -- 'customer', 'circuit', …
    entity_id text        NOT NULL,   -- '42', '8010348', …
    action    text        NOT NULL,   -- 'created', 'updated', 'deleted', 'contact_added', …
    changes   jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_entity_idx ON audit_log (entity, entity_id, id);
