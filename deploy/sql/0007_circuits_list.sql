-- 0007: the circuits list orders by name: let it walk an index instead of sorting 100k rows per page.
CREATE INDEX IF NOT EXISTS circuits_name_idx ON circuits (name, account) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS circuits_status_name_idx ON circuits (status, name, account) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS circuits_customer_name_idx ON circuits (customer_id, name, account) WHERE deleted_at IS NULL;
