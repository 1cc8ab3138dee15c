\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(13);

SELECT is(actor(), session_user::text, 'with nothing set, the actor is session_user');

SET LOCAL mountaineer.actor = 'ops-bot';
SELECT is(actor(), 'ops-bot', 'mountaineer.actor names the actor');

SET LOCAL mountaineer.actor = '';
SELECT is(actor(), session_user::text, 'an empty mountaineer.actor counts as unset');

SET LOCAL mountaineer.actor = 'ops-bot';
SELECT set_config('request.jwt.claims', '{"sub": "jdoe@example.com", "role": "mountaineer_editor"}', true);
SELECT is(actor(), 'jdoe@example.com', 'the JWT sub claim wins over mountaineer.actor');

SELECT set_config('request.jwt.claims', '{"role": "mountaineer_reader"}', true);
SELECT is(actor(), 'ops-bot', 'claims without sub fall back to mountaineer.actor');

SELECT set_config('request.jwt.claims', '{"sub": ""}', true);
SELECT is(actor(), 'ops-bot', 'an empty sub falls back');

SELECT set_config('request.jwt.claims', '', true);
SELECT is(actor(), 'ops-bot', 'empty claims count as unset');

SELECT set_config('request.jwt.claims', 'not json', true);
SELECT throws_ok('SELECT mountaineer.actor()', '22P02', 'invalid input syntax for type json',
                 'malformed claims are an error, not a silent misattribution');

SELECT set_config('request.jwt.claims', '{"sub": 42}', true);
SELECT is(actor(), '42', 'a number as sub: its text');
SELECT set_config('request.jwt.claims', '{"sub": null}', true);
SELECT is(actor(), 'ops-bot', 'a JSON null sub falls back');
SELECT set_config('request.jwt.claims', '["sub", "x"]', true);
SELECT is(actor(), 'ops-bot', 'claims that are no object fall back');
SELECT set_config('request.jwt.claims', '{"sub": {"name": "x"}}', true);
SELECT is(actor(), '{"name": "x"}', 'an object as sub: its JSON text');

-- (1.7) actor() is C: the same answers as the PL/pgSQL it was, for every
-- combination of claims and setting here
CREATE FUNCTION pg_temp.actor_plpgsql() RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    claims text := nullif(current_setting('request.jwt.claims', true), '');
    who    text;
BEGIN
    IF claims IS NOT NULL THEN
        who := nullif(claims::jsonb ->> 'sub', '');
        IF who IS NOT NULL THEN
            RETURN who;
        END IF;
    END IF;
    RETURN coalesce(nullif(current_setting('mountaineer.actor', true), ''), session_user::text);
END $$;
CREATE FUNCTION pg_temp.actor_differences() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    c text;
    a text;
    n bigint := 0;
BEGIN
    FOREACH c IN ARRAY ARRAY['', '{}', '{"sub": "jdoe"}', '{"sub": ""}', '{"sub": 7.50}', '{"sub": true}', '{"sub": null}',
                             '[]', '"sub"', '{"role": "r", "sub": "é \" x"}', '{"sub": [1, 2]}'] LOOP
        FOREACH a IN ARRAY ARRAY['', 'ops-bot'] LOOP
            PERFORM set_config('request.jwt.claims', c, true);
            PERFORM set_config('mountaineer.actor', a, true);
            IF mountaineer.actor() IS DISTINCT FROM pg_temp.actor_plpgsql() THEN
                n := n + 1;
            END IF;
        END LOOP;
    END LOOP;
    RETURN n;
END $$;
SELECT is(pg_temp.actor_differences(), 0::bigint, 'the C answers as the PL/pgSQL did, for 22 combinations');

SELECT * FROM finish();
ROLLBACK;
