\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(8);

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
SELECT throws_ok('SELECT mountaineer.actor()', '22P02', NULL,
                 'malformed claims are an error, not a silent misattribution');

SELECT * FROM finish();
ROLLBACK;
