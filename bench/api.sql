-- The REST API (PostgREST) against the same operations in SQL: bench/api.sh
-- says what it measures; it records its rows in bench_result.
\set ON_ERROR_STOP on
\! bench/api.sh
-- (psql does not stop on a failed \!): the bench ran to its end, and no
-- address was allocated twice, through HTTP or SQL
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM bench_result WHERE bench = 'api' AND what LIKE 'a page of 1,000 addresses%') THEN
        RAISE EXCEPTION 'bench/api.sh did not run to its end';
    END IF;
    IF EXISTS (SELECT FROM bench_result WHERE bench = 'api' AND what LIKE 'allocate_ip: duplicate addresses%' AND (ours <> 0 OR peer <> 0)) THEN
        RAISE EXCEPTION 'bench/api.sh: addresses allocated twice';
    END IF;
END $$;
