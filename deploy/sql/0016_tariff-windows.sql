-- 0016: tariff windows (issue 19). The circuit's time zone (IANA name) that its plan's tariff windows are read in
-- (the circuit grain holds it; this is the read-model copy), and the operator's holidays (written only by the holidays
-- grain; national holidays are computed, never stored). uf null = the whole country. Idempotent: safe to apply twice.
ALTER TABLE circuits ADD COLUMN IF NOT EXISTS time_zone text NOT NULL DEFAULT 'America/Sao_Paulo';

CREATE TABLE IF NOT EXISTS holidays (
    id         bigserial PRIMARY KEY,
    date       date NOT NULL,
    name       text NOT NULL,
    uf         text NULL,
    created_at timestamptz NOT NULL,
    created_by text NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS holidays_date_uf_idx ON holidays (date, coalesce(uf, ''));
