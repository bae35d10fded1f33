-- 0010: logins and sessions (issue 15, fault isolation).
-- data_protection_keys: the ASP.NET Data Protection key ring shared by every API host (cookies and antiforgery tokens
-- issued by one replica are read by the others). Written only by the grain dpkeys:billing-api (DataProtectionKeysGrain).
-- The keys are stored as Data Protection writes them (not encrypted at rest): whoever reads this table can forge
-- admin and portal cookies, so it is as sensitive as admin_users.
CREATE TABLE IF NOT EXISTS data_protection_keys (
    id            bigserial PRIMARY KEY,
    friendly_name text NOT NULL,
    xml           text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS data_protection_keys_name_idx ON data_protection_keys (friendly_name);

-- The login lockout moved to the login guard grains (login:admin:<name>, shared by every API host, counters expire
-- with their window); these columns of 0009 are no longer read or written.
COMMENT ON COLUMN admin_users.failed_attempts IS 'obsoleto desde 0010: bloqueio nos grains login:admin:<usuario>';
COMMENT ON COLUMN admin_users.locked_until IS 'obsoleto desde 0010: bloqueio nos grains login:admin:<usuario>';
