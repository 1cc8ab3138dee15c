\set ON_ERROR_STOP true
\set QUIET true
-- Retention: prune_changes() deletes old changes in bounded batches, keeps
-- the latest keep_per_row changes of every row (so as_of() still answers
-- for now and after the cutoff) and every change an outbox consumer has not
-- acknowledged.  Each case starts from the same log (a savepoint); the log
-- is backdated by hand (UPDATE of change.at, as the owner).
BEGIN;
SET search_path = mountaineer, public;
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT plan(31);

DELETE FROM mountaineer.event_consumer;
DELETE FROM mountaineer.change;

-- the log: each change labelled by what it is
CREATE TEMP TABLE step (label text PRIMARY KEY, id bigint);
CREATE FUNCTION pg_temp.mark(label text, days int) RETURNS void LANGUAGE sql AS $$
    INSERT INTO step SELECT label, max(id) FROM mountaineer.change;
    UPDATE mountaineer.change SET at = now() - make_interval(days => days) WHERE id = (SELECT max(id) FROM mountaineer.change);
$$;
INSERT INTO mountaineer.site (id, name) VALUES ('00000000-0000-4000-8000-0000000000a1', 'rt-a');  SELECT pg_temp.mark('a insert', 100);
INSERT INTO mountaineer.site (id, name) VALUES ('00000000-0000-4000-8000-0000000000b1', 'rt-b');  SELECT pg_temp.mark('b insert', 100);
INSERT INTO mountaineer.site (id, name) VALUES ('00000000-0000-4000-8000-0000000000c1', 'rt-c');  SELECT pg_temp.mark('c insert', 100);
INSERT INTO mountaineer.site (id, name) VALUES ('00000000-0000-4000-8000-0000000000d1', 'rt-d');  SELECT pg_temp.mark('d insert', 100);
UPDATE mountaineer.site SET vendor = 'v1' WHERE name = 'rt-a';                                      SELECT pg_temp.mark('a update 1', 90);
UPDATE mountaineer.site SET vendor = 'v2' WHERE name = 'rt-a';                                      SELECT pg_temp.mark('a update 2', 80);
DELETE FROM mountaineer.site WHERE name = 'rt-c';                                                   SELECT pg_temp.mark('c delete', 50);
UPDATE mountaineer.site SET vendor = 'v3' WHERE name = 'rt-d';                                      SELECT pg_temp.mark('d update', 1);
-- another table's row with a's id: a row is its table and its id
INSERT INTO mountaineer.change (actor, schema_name, table_name, row_id, op, after)
VALUES ('tap', 'mountaineer', 'rack', '00000000-0000-4000-8000-0000000000a1', 'insert', '{"name": "r"}');  SELECT pg_temp.mark('rack insert', 100);
CREATE TEMP VIEW kept AS SELECT s.label FROM step s JOIN mountaineer.change c ON c.id = s.id ORDER BY s.id;
-- a's latest change's moment, and c's just before its delete
CREATE TEMP TABLE moment AS SELECT (SELECT at FROM mountaineer.change WHERE id = (SELECT id FROM step WHERE label = 'a update 2')) AS a2,
                                   (SELECT at FROM mountaineer.change WHERE id = (SELECT id FROM step WHERE label = 'c delete')) AS cdel;
SAVEPOINT log;

SELECT is(mountaineer.prune_changes('30 days'), 4::bigint, 'prune_changes returns how many changes it removed');
SELECT results_eq($$SELECT label FROM kept$$,
                  $$VALUES ('b insert'), ('a update 2'), ('c delete'), ('d update'), ('rack insert')$$,
                  'older than 30 days and not the latest of their row: gone; each row''s latest change kept, however old');
SELECT is(mountaineer.prune_changes('30 days'), 0::bigint, 'a second call finds nothing more');
SELECT is(mountaineer.as_of('mountaineer.site', '00000000-0000-4000-8000-0000000000a1', now()),
          (SELECT to_jsonb(s) FROM mountaineer.site s WHERE s.name = 'rt-a'), 'as_of() answers for now');
SELECT is(mountaineer.as_of('mountaineer.site', '00000000-0000-4000-8000-0000000000a1', (SELECT a2 - interval '1 second' FROM moment)) ->> 'vendor',
          'v1', 'and for any moment after the cutoff (before a''s last change: v1)');
SELECT is(mountaineer.as_of('mountaineer.site', '00000000-0000-4000-8000-0000000000c1', (SELECT cdel - interval '1 second' FROM moment)) ->> 'name',
          'rt-c', 'a deleted row''s last state is kept with its delete');
SELECT is((SELECT array_agg(op) FROM mountaineer.history('mountaineer.site', '00000000-0000-4000-8000-0000000000a1')),
          ARRAY['update'], 'history() starts at what is kept');
SELECT ok((SELECT 'ShareUpdateExclusiveLock' = ANY (m) AND NOT m && ARRAY['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock']
             FROM (SELECT array_agg(mode) AS m FROM pg_locks
                    WHERE relation = 'mountaineer.event_consumer'::regclass AND pid = pg_backend_pid() AND granted) l),
          'it holds the consumers'' table against registrations (SHARE UPDATE EXCLUSIVE), not against acknowledgements, until it commits');
ROLLBACK TO log;

SELECT is(mountaineer.prune_changes('30 days', 2), 1::bigint, 'keep_per_row 2 keeps the latest two changes of every row');
SELECT results_eq($$SELECT label FROM kept$$,
                  $$VALUES ('b insert'), ('c insert'), ('d insert'), ('a update 1'), ('a update 2'), ('c delete'), ('d update'), ('rack insert')$$,
                  'only a''s insert had two newer changes');
ROLLBACK TO log;

SELECT is(mountaineer.prune_changes('95 days'), 3::bigint, 'older_than is the cutoff');
SELECT results_eq($$SELECT label FROM kept$$,
                  $$VALUES ('b insert'), ('a update 1'), ('a update 2'), ('c delete'), ('d update'), ('rack insert')$$,
                  'only what is older than 95 days goes');
ROLLBACK TO log;

-- consumers: the oldest cursor bounds it
INSERT INTO mountaineer.event_consumer (name) VALUES ('rt-new');
SELECT is(mountaineer.prune_changes('30 days'), 0::bigint, 'a consumer that has acknowledged nothing keeps everything');
SELECT is((SELECT count(*)::int FROM mountaineer.events_since('rt-new')), (SELECT count(*)::int FROM step), 'and is handed all of it');
SELECT lives_ok(format('SELECT mountaineer.events_ack(%L, %s)', 'rt-new', id), 'it acknowledges up to a''s first update')
  FROM step WHERE label = 'a update 1';
INSERT INTO mountaineer.event_consumer (name, acked_id, handed_id) SELECT 'rt-ahead', max(id), max(id) FROM step;
SELECT is(mountaineer.prune_changes('30 days'), 4::bigint, 'the oldest cursor bounds the prune');
SELECT results_eq($$SELECT label FROM kept$$,
                  $$VALUES ('b insert'), ('a update 2'), ('c delete'), ('d update'), ('rack insert')$$,
                  'up to that cursor, what is old and not the latest of its row goes');
ROLLBACK TO log;

-- batches of 10,000
INSERT INTO mountaineer.change (at, actor, schema_name, table_name, row_id, op, before, after)
SELECT now() - interval '200 days', 'tap', 'mountaineer', 'site', u, op, CASE op WHEN 'update' THEN '{"vendor": null}'::jsonb END,
       CASE op WHEN 'insert' THEN '{"name": "bulk"}'::jsonb ELSE '{"vendor": "x"}'::jsonb END
  FROM (SELECT gen_random_uuid() AS u FROM generate_series(1, 10001)) r, (VALUES ('insert', 1), ('update', 2)) o(op, k)
 ORDER BY u, k;
CREATE TEMP TABLE bulk AS SELECT id FROM mountaineer.change WHERE after ->> 'name' = 'bulk';
SELECT is(mountaineer.prune_changes('30 days'), 10000::bigint, 'one call removes a batch of at most 10,000');
SELECT is(current_setting('mountaineer.prune_position'),
          (SELECT b.id::text FROM bulk b ORDER BY b.id LIMIT 1 OFFSET 9995),
          'and the session remembers where it stopped (the 4 old changes first, then 9,996 of the bulk)');
SELECT is(mountaineer.prune_changes('30 days'), 5::bigint, 'the next call the rest');
SELECT is(current_setting('mountaineer.prune_position'), '0', 'a call that found less than a batch went round: the next starts at the start');
SELECT is(mountaineer.prune_changes('30 days'), 0::bigint, 'then none: a loop ends');
ROLLBACK TO log;

-- the position is a hint: a wrong one makes a call go round, never skip
SET mountaineer.prune_position = '9999999999';
SELECT is(mountaineer.prune_changes('30 days'), 4::bigint, 'a position past the end: the call goes round to the start');
ROLLBACK TO log;
SET mountaineer.prune_position = 'nonsense';
SELECT is(mountaineer.prune_changes('30 days'), 4::bigint, 'a position that is not a number counts as the start');
ROLLBACK TO log;

-- arguments
SELECT throws_ok($$SELECT mountaineer.prune_changes(NULL)$$, '22004',
                 'prune_changes needs older_than and keep_per_row: older_than is NULL', 'a NULL older_than is refused');
SELECT throws_ok($$SELECT mountaineer.prune_changes('1 day', NULL)$$, '22004',
                 'prune_changes needs older_than and keep_per_row: keep_per_row is NULL', 'a NULL keep_per_row is refused');
SELECT throws_ok($$SELECT mountaineer.prune_changes('-1 day')$$, '22023',
                 'prune_changes removes changes older than older_than, which cannot be negative: -1 days', 'a negative older_than is refused');
SELECT throws_ok($$SELECT mountaineer.prune_changes('1 day', 0)$$, '22023',
                 'prune_changes keeps at least the latest change of every row: keep_per_row is 0', 'keep_per_row below 1 is refused');

-- who may call
SET LOCAL ROLE mountaineer_editor;
SELECT throws_ok($$SELECT mountaineer.prune_changes('30 days')$$, '42501', 'permission denied for function prune_changes',
                 'an editor cannot prune');
RESET ROLE;
SET LOCAL ROLE mountaineer_admin;
SELECT is(mountaineer.prune_changes('30 days'), 4::bigint, 'an admin prunes');
RESET ROLE;
ROLLBACK TO log;

-- outside READ COMMITTED: a session of its own
SELECT dblink_connect('rr', format('dbname=%s user=%s port=%s host=%s', current_database(), current_user,
                                   current_setting('port'),
                                   split_part(current_setting('unix_socket_directories'), ',', 1))) AS connected \gset
SELECT dblink_exec('rr', 'BEGIN ISOLATION LEVEL REPEATABLE READ') AS done \gset
SELECT throws_ok($$SELECT * FROM dblink('rr', 'SELECT mountaineer.prune_changes(''30 days'')') AS t(n bigint)$$, '25000',
                 'prune_changes runs only under READ COMMITTED, not REPEATABLE READ',
                 'prune_changes refuses REPEATABLE READ: it could miss a consumer registered before its lock');
SELECT dblink_exec('rr', 'ROLLBACK') AS done \gset
SELECT dblink_disconnect('rr') AS disconnected \gset

SELECT * FROM finish();
ROLLBACK;
