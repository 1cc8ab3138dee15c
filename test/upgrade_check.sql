\set ON_ERROR_STOP true
\set QUIET true
-- upgrade_check(): how an upgrade script refuses to add a rule that existing
-- rows break, naming them (each module's upgrade tests use it for real).
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(7);

SELECT lives_ok($$SELECT mountaineer.upgrade_check('names have a shape', 'SELECT name FROM (VALUES (''ok'')) v(name) WHERE false')$$,
                'no offending row: the upgrade goes on');
SELECT throws_ok($$SELECT mountaineer.upgrade_check('names have a shape', $q$SELECT format('site %s', n) FROM (VALUES (' x'), (E'a\tb')) v(n)$q$)$$,
                 '23514', 'cannot update: 2 existing row(s) break the new rule: names have a shape',
                 'offending rows stop the upgrade with 23514');
CREATE FUNCTION pg_temp.detail_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
    EXECUTE q;
    RETURN NULL;
EXCEPTION WHEN check_violation THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN d;
END $$;
SELECT is(pg_temp.detail_of($$SELECT mountaineer.upgrade_check('r', 'SELECT ''row '' || g FROM generate_series(1, 12) g')$$),
          E'row 1\nrow 10\nrow 11\nrow 12\nrow 2\nrow 3\nrow 4\nrow 5\nrow 6\nrow 7\n...',
          'the detail names ten of them and says there are more');
SELECT throws_ok($$SELECT mountaineer.manage_attributes('pg_class')$$, '22023',
                 'manage_attributes: pg_class is not a table of schema mountaineer',
                 'manage_attributes takes only a table of schema mountaineer');
SET LOCAL ROLE mountaineer_admin;
SELECT throws_ok($$SELECT mountaineer.upgrade_check('r', 'SELECT 1')$$, '42501',
                 'permission denied for function upgrade_check', 'no role may call it');
SELECT throws_ok($$SELECT mountaineer.manage_table('mountaineer.change')$$, '42501',
                 'permission denied for function manage_table', 'nor manage_table');
SELECT throws_ok($$SELECT mountaineer.manage_attributes('mountaineer.change')$$, '42501',
                 'permission denied for function manage_attributes', 'nor manage_attributes');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
