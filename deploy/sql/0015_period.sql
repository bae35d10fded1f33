-- 0014: the one billing-period rule in SQL, the twin of Billing.GrainInterfaces.Common.BillingPeriod (tests check they
-- agree). billing_period('2026-10', d) = [start, end) of period 2026-10 for closing day d (clamped to 1..28; 1 = the
-- calendar month): São Paulo midnight of 2026-10-d up to São Paulo midnight of 2026-11-d. Queries that need a month's
-- bounds call it instead of computing them inline. A reference that is not yyyy-MM (years 2000..2999, months 01..12)
-- raises an error rather than matching nothing. STABLE, not IMMUTABLE: the answer depends on the server's tz database.
-- Idempotent: safe to apply twice.
CREATE OR REPLACE FUNCTION billing_period(reference text, closing_day integer DEFAULT 1)
RETURNS TABLE (period_start timestamptz, period_end timestamptz)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    d date;
BEGIN
    IF reference !~ '^2[0-9]{3}-(0[1-9]|1[0-2])$' THEN
        RAISE EXCEPTION 'billing_period: reference "%" is not yyyy-MM', reference USING ERRCODE = '22007';
    END IF;
    d := make_date(left(reference, 4)::integer, right(reference, 2)::integer, least(greatest(closing_day, 1), 28));
    period_start := d::timestamp AT TIME ZONE 'America/Sao_Paulo';
    period_end := (d + interval '1 month') AT TIME ZONE 'America/Sao_Paulo';
    RETURN NEXT;
END
$$;
