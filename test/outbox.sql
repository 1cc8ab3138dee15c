\set ON_ERROR_STOP true
\set QUIET true
-- The event outbox: events_since(), events_ack(), the consumers' table and
-- the writers' lock (outbox_writer_lock).  This suite is one transaction,
-- so its own changes are what it is handed (a caller's own changes commit
-- or roll back with its acknowledgements); other sessions committing out
-- of id order is specs/outbox.spec.  Refusals outside READ COMMITTED need a
-- session of their own: dblink.
BEGIN;
SET search_path = mountaineer, public;
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT plan(46);

-- a clean slate (rolled back at the end): exact answers whatever ran before
DELETE FROM mountaineer.event_consumer;
DELETE FROM mountaineer.change;

-- a restore brings its ids with its rows: the writers' trigger stands aside
SET LOCAL check_function_bodies = off;
COPY mountaineer.change (id, at, txid, actor, schema_name, table_name, row_id, op, before, after, login, db_role) FROM STDIN;
1	2020-01-01 00:00:00+00	1	restore	mountaineer	site	00000000-0000-4000-8000-00000000000a	insert	\N	{"name": "restored"}	\N	\N
\.
RESET check_function_bodies;
CREATE TEMP VIEW outbox_locks AS
    SELECT ((classid::bigint - 1297350656) << 32) + objid::bigint AS k
      FROM pg_locks
     WHERE locktype = 'advisory' AND objsubid = 1 AND pid = pg_backend_pid()
       AND classid::bigint BETWEEN 1297350656 AND 1297416191;
SELECT is((SELECT count(*)::int FROM outbox_locks), 0, 'a restore (the owner''s COPY ... FROM STDIN) takes no writer''s lock');
DELETE FROM mountaineer.change;

-- three changes, in three statements
INSERT INTO mountaineer.site (name) VALUES ('ob-1');
INSERT INTO mountaineer.site (name) VALUES ('ob-2');
INSERT INTO mountaineer.site (name) VALUES ('ob-3');
CREATE TEMP TABLE ids AS
    SELECT (array_agg(id ORDER BY id))[1] AS i1, (array_agg(id ORDER BY id))[2] AS i2, (array_agg(id ORDER BY id))[3] AS i3
      FROM mountaineer.change;

-- the writers' lock: one for the whole transaction, keyed by its first id
SELECT is((SELECT array_agg(k) FROM outbox_locks), (SELECT ARRAY[i1] FROM ids),
          'a writing transaction holds one lock, keyed by the id of its first change, however many statements it writes');
SELECT is(current_setting('mountaineer.outbox_key'), (SELECT i1::text FROM ids), 'and remembers its key');
SELECT trigger_is('mountaineer', 'change', 'outbox_writer_lock', 'mountaineer', 'outbox_writer_lock',
                  'the change log carries the writers'' trigger');
SELECT is((SELECT tgtype::int FROM pg_trigger WHERE tgrelid = 'mountaineer.change'::regclass AND tgname = 'outbox_writer_lock'),
          6, 'BEFORE INSERT FOR EACH STATEMENT (tgtype 6)');

-- a new consumer: every change from the oldest, as rows of change
SELECT results_eq($$SELECT * FROM mountaineer.events_since('tap-a')$$,
                  $$SELECT * FROM mountaineer.change ORDER BY id$$,
                  'a new consumer is handed every change from the oldest, in id order, whole rows of change');
SELECT results_eq($$SELECT name, acked_id, acked_at, handed_id, created_at FROM mountaineer.event_consumer$$,
                  $$SELECT 'tap-a'::text, 0::bigint, NULL::timestamptz, i3, now() FROM ids$$,
                  'its first call registers it: cursor 0, never acknowledged, handed up to the last id');
SELECT is((SELECT array_agg(id) FROM mountaineer.events_since('tap-a')), (SELECT ARRAY[i1, i2, i3] FROM ids),
          'without an acknowledgement (a consumer that crashed) it is handed the same changes again');

-- max, and a second consumer of its own
SELECT is((SELECT array_agg(id) FROM mountaineer.events_since('tap-b', 2)), (SELECT ARRAY[i1, i2] FROM ids),
          'max bounds the batch: the oldest first');
SELECT is((SELECT handed_id FROM mountaineer.event_consumer WHERE name = 'tap-b'), (SELECT i2 FROM ids),
          'handed_id is the last id handed out');
SELECT lives_ok(format('SELECT mountaineer.events_ack(%L, %s)', 'tap-b', i2), 'a consumer acknowledges what it was handed')
  FROM ids;
SELECT results_eq($$SELECT acked_id, acked_at FROM mountaineer.event_consumer WHERE name = 'tap-b'$$,
                  $$SELECT i2, now() FROM ids$$, 'the cursor moves, and says when');
SELECT is((SELECT array_agg(id) FROM mountaineer.events_since('tap-b', 2)), (SELECT ARRAY[i3] FROM ids),
          'and the next call hands out what follows');
SELECT is((SELECT array_agg(id) FROM mountaineer.events_since('tap-a')), (SELECT ARRAY[i1, i2, i3] FROM ids),
          'consumers progress independently: the other one is where it was');

-- acknowledging: the same id again, backwards, past what was handed out
SELECT lives_ok(format('SELECT mountaineer.events_ack(%L, %s)', 'tap-b', i2), 'acknowledging the same id again is a no-op')
  FROM ids;
SELECT is((SELECT acked_id FROM mountaineer.event_consumer WHERE name = 'tap-b'), (SELECT i2 FROM ids), 'the cursor stays');
SELECT throws_ok(format('SELECT mountaineer.events_ack(%L, %s)', 'tap-b', i1), '22023',
                 format('event consumer "tap-b" cannot go back from change %s to change %s', i2, i1),
                 'a cursor never moves back')
  FROM ids;
SELECT throws_ok(format('SELECT mountaineer.events_ack(%L, %s)', 'tap-b', i3 + 1), '22023',
                 format('event consumer "tap-b" cannot acknowledge change %s: it was handed changes up to %s only', i3 + 1, i3),
                 'nor past what it was handed')
  FROM ids;
-- a consumer registered, handed nothing yet
INSERT INTO mountaineer.event_consumer (name) VALUES ('tap-c');
SELECT throws_ok(format('SELECT mountaineer.events_ack(%L, %s)', 'tap-c', i1), '22023',
                 format('event consumer "tap-c" cannot acknowledge change %s: it was handed changes up to 0 only', i1),
                 'a consumer handed nothing acknowledges nothing')
  FROM ids;
SELECT throws_ok($$SELECT mountaineer.events_ack('nobody', 1)$$, 'P0002', 'no event consumer named "nobody"',
                 'acknowledging for an unknown consumer is refused');
SELECT throws_ok(format('SELECT mountaineer.events_ack(%L, 1)', repeat('n', 70)), 'P0002',
                 format('no event consumer named "%s..." (70 characters)', repeat('n', 64)),
                 'and the message quotes at most 64 characters of the name');

-- what follows an acknowledged end
SELECT lives_ok(format('SELECT mountaineer.events_ack(%L, %s)', 'tap-a', i3), 'acknowledging the whole batch') FROM ids;
SELECT is((SELECT count(*)::int FROM mountaineer.events_since('tap-a')), 0, 'then there is nothing to hand out');
INSERT INTO mountaineer.site (name) VALUES ('ob-4');
SELECT is((SELECT array_agg(after ->> 'name') FROM mountaineer.events_since('tap-a')), ARRAY['ob-4'],
          'until the next change');

-- arguments
SELECT throws_ok($$SELECT * FROM mountaineer.events_since(NULL)$$, '22004',
                 'events_since needs a consumer and a max: consumer is NULL', 'events_since: a NULL consumer is refused');
SELECT throws_ok($$SELECT * FROM mountaineer.events_since('tap-a', NULL)$$, '22004',
                 'events_since needs a consumer and a max: max is NULL', 'events_since: a NULL max is refused');
SELECT throws_ok($$SELECT * FROM mountaineer.events_since('tap-a', 0)$$, '22023',
                 'events_since hands out at least one change at a time: max is 0', 'events_since: max below 1 is refused');
SELECT throws_ok($$SELECT mountaineer.events_ack(NULL, 1)$$, '22004',
                 'events_ack needs a consumer and a last_id: consumer is NULL', 'events_ack: a NULL consumer is refused');
SELECT throws_ok($$SELECT mountaineer.events_ack('tap-a', NULL)$$, '22004',
                 'events_ack needs a consumer and a last_id: last_id is NULL', 'events_ack: a NULL last_id is refused');
SELECT throws_ok($$SELECT * FROM mountaineer.events_since(' tap')$$, '23514',
                 'new row for relation "event_consumer" violates check constraint "event_consumer_name_check"',
                 'a consumer''s name is a name (mountaineer.is_valid_name): no leading space');
SELECT throws_ok(format('SELECT * FROM mountaineer.events_since(%L)', repeat('n', 101)), '23514',
                 'new row for relation "event_consumer" violates check constraint "event_consumer_name_check"',
                 'nor more than 100 characters');

-- the key remembered is only a hint: a client may set it
SET LOCAL mountaineer.outbox_key = '99999999999';
INSERT INTO mountaineer.site (name) VALUES ('ob-5');
SELECT is((SELECT array_agg(k ORDER BY k) FROM outbox_locks),
          (SELECT ARRAY[i1, max(c.id)] FROM ids, mountaineer.change c GROUP BY i1),
          'a remembered key above the next id is not used: the statement locks the next id (its own)');
SET LOCAL mountaineer.outbox_key = 'x';
SELECT lives_ok($$INSERT INTO mountaineer.site (name) VALUES ('ob-6')$$, 'a remembered key that is not a number is ignored');

-- a key another session holds exclusively (any role may take one): the
-- writer takes the key below it, and waits only when there is none left
SELECT dblink_connect('other', format('dbname=%s user=%s port=%s host=%s', current_database(), current_user,
                                      current_setting('port'),
                                      split_part(current_setting('unix_socket_directories'), ',', 1))) AS connected \gset
SELECT * FROM dblink('other', format('SELECT pg_advisory_lock(5572078638964146176 + %s)::text',
                                     pg_sequence_last_value('mountaineer.change_id_seq') + 1)) AS t(done text) \gset
CREATE TEMP TABLE taken AS SELECT pg_sequence_last_value('mountaineer.change_id_seq') + 1 AS next_id;
SET LOCAL mountaineer.outbox_key = '';
INSERT INTO mountaineer.site (name) VALUES ('ob-7');
SELECT is((SELECT max(k) FROM outbox_locks), (SELECT next_id - 1 FROM taken),
          'a writer whose next id is held exclusively by another session takes the key below it');
SELECT * FROM dblink('other', 'SELECT pg_advisory_unlock_all()::text') AS t(done text) \gset
SELECT * FROM dblink('other', 'SELECT pg_advisory_lock(5572078638964146176)::text') AS t(done text) \gset
SET LOCAL mountaineer.outbox_key = '0';
SET LOCAL lock_timeout = '100ms';
SELECT throws_ok($$INSERT INTO mountaineer.site (name) VALUES ('ob-8')$$, '55P03', 'canceling statement due to lock timeout',
                 'one with no key left below waits for the lowest (here until lock_timeout)');
RESET lock_timeout;
SELECT dblink_disconnect('other') AS disconnected \gset

-- who may call
SET LOCAL ROLE mountaineer_reader;
SELECT throws_ok($$SELECT * FROM mountaineer.events_since('tap-r')$$, '42501', 'permission denied for function events_since',
                 'a reader cannot take events (it would register a consumer and keep the log from being pruned)');
SELECT throws_ok($$SELECT mountaineer.events_ack('tap-a', 1)$$, '42501', 'permission denied for function events_ack',
                 'nor acknowledge for a consumer');
SELECT lives_ok($$SELECT * FROM mountaineer.event_consumer$$, 'a reader sees the consumers and their cursors');
RESET ROLE;
SET LOCAL ROLE mountaineer_editor;
SELECT is((SELECT count(*)::int FROM mountaineer.events_since('tap-e')), (SELECT count(*)::int FROM mountaineer.change),
          'an editor takes events');
SELECT lives_ok(format('SELECT mountaineer.events_ack(%L, %s)', 'tap-e', (SELECT max(id) FROM mountaineer.change)),
                'and acknowledges them');
SELECT throws_ok($$UPDATE mountaineer.event_consumer SET acked_id = 0$$, '42501', 'permission denied for table event_consumer',
                 'but moves a cursor only through events_ack()');
SELECT throws_ok($$DELETE FROM mountaineer.event_consumer$$, '42501', 'permission denied for table event_consumer',
                 'and cannot remove a consumer');
RESET ROLE;
SET LOCAL ROLE mountaineer_admin;
SELECT lives_ok($$DELETE FROM mountaineer.event_consumer WHERE name = 'tap-e'$$, 'an admin removes a consumer that is gone');
RESET ROLE;

-- the trigger is for the change log, one per statement
CREATE TABLE public.outbox_probe (n int);
CREATE TRIGGER wrong AFTER INSERT ON public.outbox_probe FOR EACH ROW EXECUTE FUNCTION mountaineer.outbox_writer_lock();
SELECT throws_ok($$INSERT INTO public.outbox_probe VALUES (1)$$, '22023',
                 'outbox_writer_lock() must be a BEFORE INSERT ... FOR EACH STATEMENT trigger (on public.outbox_probe)',
                 'outbox_writer_lock() refuses to be anything but a BEFORE INSERT statement trigger');

-- outside READ COMMITTED: a session of its own
SELECT dblink_connect('rr', format('dbname=%s user=%s port=%s host=%s', current_database(), current_user,
                                   current_setting('port'),
                                   split_part(current_setting('unix_socket_directories'), ',', 1))) AS connected \gset
SELECT dblink_exec('rr', 'BEGIN ISOLATION LEVEL REPEATABLE READ') AS done \gset
SELECT throws_ok($$SELECT * FROM dblink('rr', 'SELECT id FROM mountaineer.events_since(''tap-rr'')') AS t(id bigint)$$, '25000',
                 'events_since runs only under READ COMMITTED, not REPEATABLE READ',
                 'events_since refuses REPEATABLE READ: its snapshot could predate the writers'' locks it read');
SELECT dblink_exec('rr', 'ROLLBACK') AS done \gset
SELECT dblink_exec('rr', 'BEGIN ISOLATION LEVEL SERIALIZABLE') AS done \gset
SELECT throws_ok($$SELECT * FROM dblink('rr', 'SELECT id FROM mountaineer.events_since(''tap-rr'')') AS t(id bigint)$$, '25000',
                 'events_since runs only under READ COMMITTED, not SERIALIZABLE',
                 'and SERIALIZABLE');
SELECT dblink_exec('rr', 'ROLLBACK') AS done \gset
SELECT dblink_disconnect('rr') AS disconnected \gset

SELECT * FROM finish();
ROLLBACK;
