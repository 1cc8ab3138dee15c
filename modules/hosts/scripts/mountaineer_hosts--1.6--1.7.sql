-- mountaineer_hosts 1.6 -> 1.7: normalize_hostname() answers a name
-- already in normal form in C; normalize_hostname_full() (1.6's body) takes
-- every other.  Same results, same refusals.
\echo Use "ALTER EXTENSION mountaineer_hosts UPDATE TO '1.7'" to load this file. \quit

-- (1.7) A name already in normal form is answered in C (src/hostname.c of
-- the core's library: 12 to 14 µs a call in PL/pgSQL, nearly always for
-- such a name); any other goes to normalize_hostname_full(), 1.6's body,
-- which lower-cases it as the database does or refuses it.
CREATE FUNCTION mountaineer.normalize_hostname_full(hostname text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    h     text := lower(hostname);
    label text;
BEGIN
    IF right(h, 1) = '.' THEN
        h := left(h, -1);                   -- the root's dot is implied
    END IF;
    IF h = '' OR length(h) > 253 THEN
        RAISE EXCEPTION 'invalid hostname %', mountaineer.excerpt(hostname)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('A hostname has 1 to 253 characters; this one has %s.', length(h));
    END IF;
    IF strpos(h, '.') = 0 THEN
        RAISE EXCEPTION 'invalid hostname %', mountaineer.excerpt(hostname)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A host is named by its fully qualified domain name, e.g. web1.example.com.';
    END IF;
    FOREACH label IN ARRAY string_to_array(h, '.') LOOP
        IF label !~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$' THEN
            RAISE EXCEPTION 'invalid hostname %', mountaineer.excerpt(hostname)
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('Label %s is not 1 to 63 letters, digits and inner hyphens.', mountaineer.excerpt(label));
        END IF;
    END LOOP;
    IF label ~ '^[0-9]+$' THEN
        RAISE EXCEPTION 'invalid hostname %', mountaineer.excerpt(hostname)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The top-level label is all digits: that is an address, not a name.';
    END IF;
    RETURN h;
END
$$;
COMMENT ON FUNCTION mountaineer.normalize_hostname_full(text) IS
    'Internal: normalize_hostname() for a name that is not already in normal form (upper case, a character other than a-z, 0-9, dot and hyphen, or invalid): 1.6''s PL/pgSQL, which lower-cases it or refuses it (22023).';
REVOKE EXECUTE ON FUNCTION mountaineer.normalize_hostname_full(text) FROM PUBLIC;
CREATE OR REPLACE FUNCTION mountaineer.normalize_hostname(hostname text) RETURNS text
    AS '$libdir/mountaineer', 'mountaineer_normalize_hostname'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mountaineer.normalize_hostname(text) IS
    'The hostname in lower case without a trailing dot, if it is a valid fully qualified DNS name (labels of 1-63 letters, digits and inner hyphens, at most 253 characters, at least two labels); otherwise 22023 naming it.';
