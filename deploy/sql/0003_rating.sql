-- Rating: plan read model and rate decks (issue 4). Idempotent.

-- Read model of the plans (the PlanGrain "plan:<id>" owns the plan; this table only lists them).
CREATE TABLE IF NOT EXISTS plans (
    id                 text PRIMARY KEY,
    name               text NOT NULL,
    versions           integer NOT NULL,
    latest_version     integer NOT NULL,
    latest_valid_from  timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- One row per deck: the version in force. Switching versions is one UPDATE of this row.
CREATE TABLE IF NOT EXISTS rate_decks (
    id               text PRIMARY KEY,
    name             text NOT NULL,
    current_version  integer NOT NULL,
    row_count        integer NOT NULL,
    imported_at      timestamptz NOT NULL DEFAULT now()
);

-- Deck rows, one set per version. A new import writes version N+1 with COPY and flips
-- rate_decks.current_version in the same transaction; older versions are deleted afterwards.
CREATE TABLE IF NOT EXISTS rate_deck_rows (
    deck_id           text NOT NULL,
    version           integer NOT NULL,
    prefix            text COLLATE "C" NOT NULL,
    destination       text NOT NULL,
    price_per_minute  numeric(20, 6) NOT NULL CHECK (price_per_minute >= 0),
    connect_fee       numeric(20, 6) NOT NULL CHECK (connect_fee >= 0),
    initial_block     integer NOT NULL CHECK (initial_block > 0),
    increment         integer NOT NULL CHECK (increment > 0),
    minimum_seconds   integer NOT NULL CHECK (minimum_seconds >= 0),
    PRIMARY KEY (deck_id, version, prefix)
);
