\set ON_ERROR_STOP true
\set QUIET true
-- NOTIFY is delivered at commit, so the writes run through a dblink
-- session that LISTENs and commits; the test reads what that session got.
BEGIN;
SET search_path = mountaineer, public;
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT plan(6);

SELECT dblink_connect('feed', format('dbname=%s user=%s port=%s host=%s', current_database(), current_user,
                                     current_setting('port'),
                                     split_part(current_setting('unix_socket_directories'), ',', 1)));
SELECT dblink_exec('feed', 'LISTEN mountaineer');
SELECT dblink_exec('feed', $$
    CREATE TEMP TABLE probe (id uuid PRIMARY KEY, n int);
    CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON probe
        FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change()$$);
SELECT dblink_exec('feed', $$INSERT INTO probe VALUES ('22222222-2222-4222-8222-222222222222', 1)$$);
SELECT dblink_exec('feed', $$UPDATE probe SET n = 1$$);  -- no change, no notification
SELECT dblink_exec('feed', $$UPDATE probe SET n = 2$$);
SELECT dblink_exec('feed', $$DELETE FROM probe$$);

CREATE TEMP TABLE got AS
    SELECT row_number() OVER () AS k, notify_name, extra::jsonb AS payload
    FROM dblink_get_notify('feed');

SELECT is((SELECT count(*)::int FROM got), 3, 'one notification per recorded change, none for a no-op update');
SELECT is((SELECT DISTINCT notify_name FROM got), 'mountaineer', 'on channel mountaineer');
SELECT is((SELECT payload FROM got WHERE k = 1),
          jsonb_build_object('table', 'probe', 'op', 'insert',
                             'id', '22222222-2222-4222-8222-222222222222',
                             'slug', slug('22222222-2222-4222-8222-222222222222')),
          'the payload names table, op, id and slug');
SELECT is((SELECT array_agg(payload ->> 'op' ORDER BY k) FROM got), ARRAY['insert', 'update', 'delete'],
          'in the order of the changes');
SELECT is(slug_uuid((SELECT payload ->> 'slug' FROM got WHERE k = 2)), '22222222-2222-4222-8222-222222222222'::uuid,
          'the slug in the payload decodes to the id');

SELECT dblink_exec('feed', $$DELETE FROM mountaineer.change WHERE table_name = 'probe'$$);
SELECT dblink_disconnect('feed');
SELECT pass('the feed session cleaned up after itself');

SELECT * FROM finish();
ROLLBACK;
