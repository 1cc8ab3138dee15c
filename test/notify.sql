\set ON_ERROR_STOP true
\set QUIET true
-- NOTIFY mountaineer: one notification per statement, table and operation
-- from the statement triggers manage_table() attaches (1.3), one per row
-- from log_change(), which tables may still carry.  NOTIFY is delivered at
-- commit, so the writes run through a dblink session that LISTENs and
-- commits; the test reads what that session got.
BEGIN;
SET search_path = mountaineer, public;
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT plan(27);

SELECT dblink_connect('feed', format('dbname=%s user=%s port=%s host=%s', current_database(), current_user,
                                     current_setting('port'),
                                     split_part(current_setting('unix_socket_directories'), ',', 1)));
SELECT dblink_exec('feed', 'LISTEN mountaineer');
-- probe: the triggers manage_table() attaches; row_probe: the row trigger;
-- and a table whose 63-byte name JSON must escape
SELECT dblink_exec('feed', $$
    CREATE TEMP TABLE probe (id uuid PRIMARY KEY, n int);
    CREATE TRIGGER log_insert AFTER INSERT ON probe REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_insert();
    CREATE TRIGGER log_update AFTER UPDATE ON probe REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_update();
    CREATE TRIGGER log_delete AFTER DELETE ON probe REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_delete();
    CREATE TRIGGER log_truncate BEFORE TRUNCATE ON probe
        FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_truncate();
    CREATE TEMP TABLE row_probe (id uuid PRIMARY KEY, n int);
    CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON row_probe
        FOR EACH ROW EXECUTE FUNCTION mountaineer.log_change();$$);
SELECT dblink_exec('feed', format($$
    CREATE TEMP TABLE %1$I (id uuid PRIMARY KEY);
    CREATE TRIGGER log_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.log_insert()$$, repeat('"\', 31) || 'x'));

-- ids in an order of their own; k is the order of the statements below
CREATE TEMP TABLE ids AS SELECT g, md5('notify' || g)::uuid AS id FROM generate_series(1, 300) g;
CREATE FUNCTION pg_temp.ids_of(int, int) RETURNS uuid[]
    LANGUAGE sql AS 'SELECT array_agg(id ORDER BY id) FROM ids WHERE g BETWEEN $1 AND $2';

SELECT dblink_exec('feed', format($$INSERT INTO probe VALUES (%L, 1)$$, (SELECT id FROM ids WHERE g = 1)));   -- 1
SELECT dblink_exec('feed', $$UPDATE probe SET n = 1$$);                                                          -- nothing
SELECT dblink_exec('feed', $$UPDATE probe SET n = 2$$);                                                          -- 2
SELECT dblink_exec('feed', format($$INSERT INTO probe SELECT unnest(%L::uuid[]), 0$$, pg_temp.ids_of(2, 4)));   -- 3
SELECT dblink_exec('feed', format($$UPDATE probe SET n = 2 WHERE id = %L$$, (SELECT id FROM ids WHERE g = 2)));   -- 4
SELECT dblink_exec('feed', $$UPDATE probe SET n = 2$$);                                                          -- 5: half of four change
SELECT dblink_exec('feed', $$DELETE FROM probe WHERE n = 2$$);                                                   -- 6
SELECT dblink_exec('feed', format($$INSERT INTO probe SELECT unnest(%L::uuid[]), 4$$, pg_temp.ids_of(5, 300))); -- 7
SELECT dblink_exec('feed', $$DELETE FROM probe$$);                                                               -- 8
SELECT dblink_exec('feed', format($$BEGIN; INSERT INTO probe VALUES (%L, 5); INSERT INTO probe VALUES (%L, 6);
                                    UPDATE probe SET n = 7; COMMIT$$,
                                  (SELECT id FROM ids WHERE g = 1), (SELECT id FROM ids WHERE g = 2)));         -- 9, 10, 11
SELECT dblink_exec('feed', $$BEGIN; DELETE FROM probe; ROLLBACK$$);                                              -- nothing
SELECT dblink_exec('feed', 'TRUNCATE probe');                                                                    -- 12
SELECT dblink_exec('feed', format($$INSERT INTO %I SELECT unnest(%L::uuid[])$$, repeat('"\', 31) || 'x',
                                  pg_temp.ids_of(1, 300)));                                                      -- 13
SELECT dblink_exec('feed', format($$INSERT INTO row_probe SELECT unnest(%L::uuid[]), 0$$, pg_temp.ids_of(1, 2))); -- 14, 15
SELECT dblink_exec('feed', $$UPDATE row_probe SET n = 0$$);                                                      -- nothing
SELECT dblink_exec('feed', $$DELETE FROM row_probe$$);                                                           -- 16, 17

CREATE TEMP TABLE got AS
    SELECT row_number() OVER () AS k, notify_name, extra AS payload_text, extra::jsonb AS payload
    FROM dblink_get_notify('feed');

SELECT is((SELECT count(*)::int FROM got), 17,
          'one notification per statement that changed rows of a table (per row from log_change), none for a statement that changed none or rolled back');
SELECT is((SELECT DISTINCT notify_name FROM got), 'mountaineer', 'on channel mountaineer');
SELECT is((SELECT array_agg((payload ->> 'table') || ' ' || (payload ->> 'op') ORDER BY k) FROM got),
          ARRAY['probe insert', 'probe update', 'probe insert', 'probe update', 'probe update', 'probe delete',
                'probe insert', 'probe delete', 'probe insert', 'probe insert', 'probe update', 'probe truncate',
                repeat('"\', 31) || 'x insert',
                'row_probe insert', 'row_probe insert', 'row_probe delete', 'row_probe delete'],
          'in the order of the statements');

-- one row: the payload of the row trigger, byte for byte
SELECT is((SELECT payload_text FROM got WHERE k = 1),
          json_build_object('table', 'probe', 'op', 'insert', 'id', (SELECT id FROM ids WHERE g = 1),
                            'slug', slug((SELECT id FROM ids WHERE g = 1)))::text,
          'a one-row statement sends {"table", "op", "id", "slug"}, as the row trigger does');
SELECT is((SELECT payload FROM got WHERE k = 2),
          jsonb_build_object('table', 'probe', 'op', 'update', 'id', (SELECT id FROM ids WHERE g = 1),
                             'slug', slug((SELECT id FROM ids WHERE g = 1))),
          'so does a one-row update');
SELECT is(slug_uuid((SELECT payload ->> 'slug' FROM got WHERE k = 2)), (SELECT id FROM ids WHERE g = 1),
          'the slug in the payload decodes to the id');
SELECT is((SELECT payload_text FROM got WHERE k = 14),
          json_build_object('table', 'row_probe', 'op', 'insert', 'id', (pg_temp.ids_of(1, 2))[1],
                            'slug', slug((pg_temp.ids_of(1, 2))[1]))::text,
          'log_change() sends the same');
SELECT is((SELECT array_agg(payload ->> 'id' ORDER BY k) FROM got WHERE k BETWEEN 14 AND 17),
          (SELECT array_agg(x::text) FROM unnest(pg_temp.ids_of(1, 2) || pg_temp.ids_of(1, 2)) x),
          'one notification per row');

-- many rows: the count and the ids
SELECT is((SELECT payload FROM got WHERE k = 3),
          jsonb_build_object('table', 'probe', 'op', 'insert', 'count', 3, 'ids', pg_temp.ids_of(2, 4)),
          'a statement of several rows sends {"table", "op", "count", "ids"}, the ids in order');
SELECT is((SELECT payload_text FROM got WHERE k = 3),
          json_build_object('table', 'probe', 'op', 'insert', 'count', 3, 'ids', pg_temp.ids_of(2, 4))::text,
          'written as json_build_object writes it');
SELECT is((SELECT payload FROM got WHERE k = 5),
          jsonb_build_object('table', 'probe', 'op', 'update', 'count', 2, 'ids', pg_temp.ids_of(3, 4)),
          'an update of four rows of which two change counts and names those two');
SELECT is((SELECT payload FROM got WHERE k = 6),
          jsonb_build_object('table', 'probe', 'op', 'delete', 'count', 4, 'ids', pg_temp.ids_of(1, 4)),
          'a delete names the rows it removed');

-- more ids than fit in a notification: cut, and said so
SELECT is((SELECT payload - 'ids' FROM got WHERE k = 7),
          jsonb_build_object('table', 'probe', 'op', 'insert', 'count', 296, 'truncated', true),
          'a statement of 296 rows counts them all and says "truncated": true');
SELECT is((SELECT ARRAY(SELECT jsonb_array_elements_text(payload -> 'ids')::uuid) FROM got WHERE k = 7),
          (SELECT (pg_temp.ids_of(5, 300))[1:jsonb_array_length(payload -> 'ids')] FROM got WHERE k = 7),
          'the ids it names are the first of them, in order');
SELECT ok((SELECT octet_length(payload_text) <= 7999 AND octet_length(payload_text) + 39 > 7999 FROM got WHERE k = 7),
          'as many as fit under the 8000-byte limit: one more (39 bytes) would not');
SELECT is((SELECT payload - 'ids' FROM got WHERE k = 8),
          jsonb_build_object('table', 'probe', 'op', 'delete', 'count', 296, 'truncated', true),
          'likewise for a delete');
SELECT ok((SELECT octet_length(payload_text) <= 7999 AND octet_length(payload_text) + 39 > 7999
                  AND payload ->> 'table' = repeat('"\', 31) || 'x' AND (payload ->> 'count')::int = 300
             FROM got WHERE k = 13),
          'a table name JSON has to escape (63 bytes, 125 escaped) still fits, its ids cut to what fits');

-- one transaction, several statements: one notification each
SELECT is((SELECT array_agg(payload - 'slug' - 'id' - 'ids' ORDER BY k) FROM got WHERE k IN (9, 10, 11)),
          ARRAY[jsonb_build_object('table', 'probe', 'op', 'insert'), jsonb_build_object('table', 'probe', 'op', 'insert'),
                jsonb_build_object('table', 'probe', 'op', 'update', 'count', 2)],
          'statements of one transaction send one notification each');
SELECT is((SELECT payload FROM got WHERE k = 12), '{"table": "probe", "op": "truncate"}'::jsonb,
          'TRUNCATE sends {"table", "op": "truncate"} as before');

-- change_payload() itself, for every count up to 250
CREATE TEMP TABLE payloads AS
    SELECT n, p, octet_length(p) AS bytes, p::jsonb AS j
      FROM generate_series(2, 250) n,
           LATERAL (SELECT mountaineer.change_payload('probe', 'update', n, (SELECT array_agg(id ORDER BY id) FROM ids WHERE g <= n))) x(p);
SELECT is((SELECT count(*)::int FROM payloads WHERE bytes > 7999), 0, 'no payload is longer than 7999 bytes');
SELECT lives_ok($$SELECT pg_notify('mountaineer_test', p) FROM payloads$$,
                'and NOTIFY takes every one (in this transaction, which is rolled back)');
SELECT is((SELECT array_agg(DISTINCT (j ? 'truncated') = (n > (SELECT max(n) FROM payloads WHERE NOT j ? 'truncated'))) FROM payloads),
          ARRAY[true], 'up to some count every id is there, above it the ids are cut');
SELECT ok((SELECT bool_and(jsonb_array_length(j -> 'ids') = n) FROM payloads WHERE NOT j ? 'truncated')
          AND (SELECT bool_and(bytes + 39 > 7999) FROM payloads WHERE j ? 'truncated'),
          'each uncut payload names every id; each cut one as many as fit');
SELECT is(mountaineer.change_payload('probe', 'delete', 1000, pg_temp.ids_of(1, 3))::jsonb,
          jsonb_build_object('table', 'probe', 'op', 'delete', 'count', 1000, 'ids', pg_temp.ids_of(1, 3), 'truncated', true),
          'given fewer ids than it counts, it says "truncated"');

-- (1.7) change_payload() is C: the very text of the PL/pgSQL it was, for
-- every count up to 250 and around the cut, with fewer ids than counted,
-- none, and a table name to escape
CREATE FUNCTION pg_temp.payload_plpgsql(table_name text, op text, n bigint, ids uuid[]) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    room int;
BEGIN
    IF n = 1 THEN                   -- one row: the payload of the row trigger
        RETURN json_build_object('table', table_name, 'op', op, 'id', ids[1], 'slug', mountaineer.slug(ids[1]))::text;
    END IF;
    -- as many ids as fit under NOTIFY's 8000-byte limit, each taking 39
    -- bytes (its quotes and a comma), counted as if "truncated" were there
    room := (8000 - octet_length(json_build_object('table', table_name, 'op', op, 'count', n,
                                                   'ids', '{}'::uuid[], 'truncated', true)::text)) / 39;
    IF n <= room AND cardinality(ids) >= n THEN
        RETURN json_build_object('table', table_name, 'op', op, 'count', n, 'ids', ids[1:n])::text;
    END IF;
    RETURN json_build_object('table', table_name, 'op', op, 'count', n, 'ids', ids[1:least(room, n)], 'truncated', true)::text;
END
$$;
SELECT is((SELECT count(*) FROM (VALUES ('probe'), ('a "quoted" \\ name é')) t(name),
                                 (VALUES ('insert'), ('update'), ('delete')) o(op),
                                 generate_series(0, 260) n,
                                 (VALUES (0), (1), (3), (205), (260)) k(have)
            WHERE mountaineer.change_payload(t.name, o.op, n, (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM ids WHERE g <= least(n, k.have)))
                  IS DISTINCT FROM pg_temp.payload_plpgsql(t.name, o.op, n, (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM ids WHERE g <= least(n, k.have)))),
          0::bigint, 'the C spells every payload as the PL/pgSQL did, byte for byte');
SELECT is(mountaineer.change_payload('probe', 'insert', 1, ARRAY['00000000-0000-4000-8000-000000000001']::uuid[]),
          '{"table" : "probe", "op" : "insert", "id" : "00000000-0000-4000-8000-000000000001", "slug" : "AAAAAAAAQACAAAAAAAAAAQ"}',
          'one row: table, op, id and slug, as json_build_object() spells them');

SELECT dblink_exec('feed', $$DELETE FROM mountaineer.change WHERE table_name IN ('probe', 'row_probe') OR table_name LIKE '"\\%'$$);
SELECT dblink_disconnect('feed');
SELECT pass('the feed session cleaned up after itself');

SELECT * FROM finish();
ROLLBACK;
