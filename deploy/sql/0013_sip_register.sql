-- 0013: circuits as SIP accounts (issue 16). The circuit grain owns these columns like the rest of its row.
-- sip_ha1: the Senha SIP as digest HA1 = MD5(account:realm:password), never the password; sip_realm: the realm it was
-- made with (Billing:Sip:Realm). Registration as the switch reports it: where the REGISTER came from, the phone's
-- User-Agent, when it runs out (expires_at), and when the circuit was last seen (REGISTER or answered keepalive):
-- the list's "OK (N ms)" / "Offline". Idempotent: safe to apply twice.
ALTER TABLE circuits ADD COLUMN IF NOT EXISTS sip_ha1    text NULL;
ALTER TABLE circuits ADD COLUMN IF NOT EXISTS sip_realm  text NULL;
ALTER TABLE circuits ADD COLUMN IF NOT EXISTS port       integer NULL;
ALTER TABLE circuits ADD COLUMN IF NOT EXISTS transport  text NULL;
ALTER TABLE circuits ADD COLUMN IF NOT EXISTS user_agent text NULL;
ALTER TABLE circuits ADD COLUMN IF NOT EXISTS expires_at timestamptz NULL;
ALTER TABLE circuits ADD COLUMN IF NOT EXISTS seen_at    timestamptz NULL;
-- reports from before this migration were "seen" when they were made
UPDATE circuits SET seen_at = registered_at WHERE seen_at IS NULL AND registered_at IS NOT NULL;
