-- mountaineer 1.3 -> 1.4: what the REST API (issue 14) needs of it: a COMMENT on
-- every column (PostgREST's OpenAPI document is made of them); the type
-- as_number (AS numbers, for mountaineer_networks' ASNs).
\echo Use "ALTER EXTENSION mountaineer UPDATE TO '1.4'" to load this file. \quit

-- == as_number (1.4) ==
-- An autonomous system number (src/asn.c): asplain or asdot in, asplain
-- out, 0 to 4294967295. It has the bytes of a bigint and casts to one
-- without a function, so it compares, sorts and is indexed with bigint's
-- operators and operator classes; a cast to json makes it a JSON number.
CREATE TYPE mountaineer.as_number;
CREATE FUNCTION mountaineer.as_number_in(cstring) RETURNS mountaineer.as_number
    AS 'MODULE_PATHNAME', 'mountaineer_as_number_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.as_number_out(mountaineer.as_number) RETURNS cstring
    AS 'MODULE_PATHNAME', 'mountaineer_as_number_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.as_number_recv(internal) RETURNS mountaineer.as_number
    AS 'MODULE_PATHNAME', 'mountaineer_as_number_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mountaineer.as_number_send(mountaineer.as_number) RETURNS bytea
    AS 'MODULE_PATHNAME', 'mountaineer_as_number_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mountaineer.as_number (
    INPUT = mountaineer.as_number_in,
    OUTPUT = mountaineer.as_number_out,
    RECEIVE = mountaineer.as_number_recv,
    SEND = mountaineer.as_number_send,
    LIKE = pg_catalog.int8
);
COMMENT ON TYPE mountaineer.as_number IS
    'An autonomous system number, 0 to 4294967295: input asplain (4200000001) or asdot (64086.59905), output asplain; compares and sorts as a bigint, to which it casts implicitly.';
COMMENT ON FUNCTION mountaineer.as_number_in(cstring) IS 'Input function of type as_number: asplain or asdot (22P02 otherwise).';
COMMENT ON FUNCTION mountaineer.as_number_out(mountaineer.as_number) IS 'Output function of type as_number: asplain.';
COMMENT ON FUNCTION mountaineer.as_number_recv(internal) IS 'Binary input function of type as_number (an int8, 22003 out of range).';
COMMENT ON FUNCTION mountaineer.as_number_send(mountaineer.as_number) IS 'Binary output function of type as_number (an int8).';
CREATE CAST (mountaineer.as_number AS bigint) WITHOUT FUNCTION AS IMPLICIT;
CREATE FUNCTION mountaineer.as_number(bigint) RETURNS mountaineer.as_number
    AS 'MODULE_PATHNAME', 'mountaineer_as_number_from_bigint' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.as_number(bigint) IS 'The AS number of a bigint (22003 outside 0 to 4294967295); the cast from bigint and integer.';
CREATE CAST (bigint AS mountaineer.as_number) WITH FUNCTION mountaineer.as_number(bigint) AS ASSIGNMENT;
CREATE FUNCTION mountaineer.as_number(integer) RETURNS mountaineer.as_number
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN mountaineer.as_number($1::bigint);
COMMENT ON FUNCTION mountaineer.as_number(integer) IS 'The AS number of an integer (22003 below 0); the cast from integer.';
CREATE CAST (integer AS mountaineer.as_number) WITH FUNCTION mountaineer.as_number(integer) AS ASSIGNMENT;
CREATE FUNCTION mountaineer.as_number_json(mountaineer.as_number) RETURNS json
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN to_json($1::bigint);
COMMENT ON FUNCTION mountaineer.as_number_json(mountaineer.as_number) IS 'The cast to json: an AS number is a JSON number (in to_json, the change log and the REST API).';
CREATE CAST (mountaineer.as_number AS json) WITH FUNCTION mountaineer.as_number_json(mountaineer.as_number);
CREATE FUNCTION mountaineer.asdot(asn mountaineer.as_number) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN $1::bigint < 65536 THEN $1::bigint::text
                ELSE ($1::bigint / 65536)::text || '.' || ($1::bigint % 65536)::text END;
COMMENT ON FUNCTION mountaineer.asdot(mountaineer.as_number) IS
    'An AS number in asdot (RFC 5396): as asplain below 65536, else high.low (4200000001 is 64086.59905).';
-- a refusal to delete a registry names the AS numbers that use it
CREATE OR REPLACE FUNCTION mountaineer.row_label(tbl regclass, alias text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN bool_or(attname = 'hostname') THEN format('%I.hostname::text', alias)
        WHEN bool_or(attname = 'name') THEN format('%I.name::text', alias)
        WHEN bool_or(attname = 'prefix') THEN format('%I.prefix::text', alias)
        WHEN bool_or(attname = 'address') THEN format('%I.address::text', alias)
        WHEN bool_or(attname = 'asn') THEN format('%I.asn::text', alias)
        WHEN bool_or(attname = 'start_address') AND bool_or(attname = 'end_address')
            THEN format('host(%1$I.start_address) || '' - '' || host(%1$I.end_address)', alias)
    END
    FROM pg_attribute WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped
$$;
-- End: as_number (1.4)


-- == column comments (1.4) ==
-- Every column carries a COMMENT: PostgREST's OpenAPI document (GET /) and
-- psql's \d+ describe the API from them (test/catalog.sql checks it).
COMMENT ON COLUMN mountaineer.change.id IS
    'Number of the change, set by the database (an identity): the changes of one transaction are numbered in the order they were made; history(), as_of() and events_since() go by it.';
