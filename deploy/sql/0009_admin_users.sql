-- 0009: people who log in to the web admin (/admin) with their own passwords. The API keys stay for machines.
-- password_hash: PBKDF2-SHA256 as WebPassword writes it (pbkdf2-sha256$iter$salt$hash), never the password.
-- failed_attempts / locked_until: lockout after repeated failures, shared by every API host.
CREATE TABLE IF NOT EXISTS admin_users (
    id              bigserial PRIMARY KEY,
    username        text NOT NULL,
    nome            text NOT NULL DEFAULT '',
    password_hash   text NOT NULL,
    failed_attempts integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    last_login_at   timestamptz,
    disabled        boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL DEFAULT 'sistema'
);
CREATE UNIQUE INDEX IF NOT EXISTS admin_users_username_idx ON admin_users (lower(username));
