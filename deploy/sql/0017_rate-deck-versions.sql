-- 0016: history of rate-deck imports (issue 18, /admin/tabelas "versões"). rate_deck_rows keeps only the version in
-- force (older rows are deleted after each import), so each import's number, name, row count and time are kept here,
-- written by the RateDeck grain in the same transaction as the flip of rate_decks.current_version. Idempotent.
CREATE TABLE IF NOT EXISTS rate_deck_versions (
    deck_id      text NOT NULL,
    version      integer NOT NULL,
    name         text NOT NULL,
    row_count    integer NOT NULL,
    imported_at  timestamptz NOT NULL,
    PRIMARY KEY (deck_id, version)
);

-- decks imported before this table existed: their version in force is known
INSERT INTO rate_deck_versions (deck_id, version, name, row_count, imported_at)
SELECT id, current_version, name, row_count, imported_at FROM rate_decks
ON CONFLICT (deck_id, version) DO NOTHING;
