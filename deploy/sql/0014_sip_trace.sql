-- 0014 (branch sip-trace): SIP Trace per circuit (issue 16, seed 003's "Trace" action). Both tables are owned by the
-- circuit's trace grain (SipTraceGrain, key trace:<account>; grains/Circuits/SipTraceStore.cs): it writes its own
-- circuit's row of sip_trace_circuits and its own messages, batched (one INSERT … unnest per flush, never one per
-- message) and pruned in the same round trip to the bounds: the last 500 messages of the circuit, none older than 24 h.
-- The API only reads them. Idempotent: safe to apply twice.
CREATE TABLE IF NOT EXISTS sip_trace_circuits (
    account    text PRIMARY KEY,        -- tracing is on while the row exists
    enabled_at timestamptz NOT NULL,
    enabled_by text NOT NULL
);

CREATE TABLE IF NOT EXISTS sip_traces (
    id          bigserial PRIMARY KEY,
    account     text NOT NULL,
    at          timestamptz NOT NULL,   -- when Kamailio received or sent it (its clock)
    direction   text NOT NULL CHECK (direction IN ('in', 'out')),
    src         text NOT NULL,          -- proto:ip:port as Kamailio saw it
    dst         text NOT NULL,
    message     text NOT NULL           -- the whole SIP message as it went over the wire
);
-- the circuit's page reads its newest first; pruning walks the same order
CREATE INDEX IF NOT EXISTS sip_traces_account_at_idx ON sip_traces (account, at DESC, id DESC);
-- the periodic sweep finds circuits with messages past 24 h
CREATE INDEX IF NOT EXISTS sip_traces_at_idx ON sip_traces (at);
