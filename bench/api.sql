-- The REST API (PostgREST) against the same operations in SQL: bench/api.sh
-- says what it measures; it records its rows in bench_result.
\set ON_ERROR_STOP on
\! bench/api.sh
