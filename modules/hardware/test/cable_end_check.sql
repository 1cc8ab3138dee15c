-- mountaineer_hardware 1.7: cable_end_check(), cable_check_sides() and
-- cable_status_check_sides() in C (src/cable.c) against their *_report()
-- functions, the PL/pgSQL they replaced: over every pair of port kinds and
-- every rule's edge, both give the same outcome (the same refusal: SQLSTATE,
-- message, detail, hint); the C path lets a good write through without
-- calling the PL/pgSQL, refuses through it, and leaves the whole check to
-- it when it cannot read as the caller (row-level security).
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(23);
-- "connected cables have both sides" at each statement, so that a refusal
-- of that rule is an outcome too
SET CONSTRAINTS check_sides IMMEDIATE;

--------------------------------------------------------------------------
-- Fixture: sites ce-1 and ce-2; devices ce-a and ce-b at ce-1 and ce-c at
-- ce-2, each with one port of every kind (named by it); ce-loose in no
-- rack; circuits CE-1 (A and Z at ce-1), CE-2 (A at ce-2, Z on a provider
-- network); cable CE-X from ce-a:spare to ce-b:spare.
--------------------------------------------------------------------------
INSERT INTO site (name) VALUES ('ce-1'), ('ce-2');
INSERT INTO rack (site_id, name) SELECT id, 'r' FROM site WHERE name IN ('ce-1', 'ce-2');
INSERT INTO device (kind, name, units, rack_id, position)
SELECT 'other', d.name, 1, r.id, d.pos::rackspan
  FROM (VALUES ('ce-a', 'ce-1', 'U1'), ('ce-b', 'ce-1', 'U2'), ('ce-c', 'ce-2', 'U1')) d(name, site, pos)
  JOIN site s ON s.name = d.site JOIN rack r ON r.site_id = s.id;
INSERT INTO device (kind, name, units) VALUES ('other', 'ce-loose', 1);
INSERT INTO port (device_id, name, kind, positions)
SELECT d.id, 'rear_port', 'rear_port', 1 FROM device d WHERE d.name LIKE 'ce-%';
INSERT INTO port (device_id, name, kind, rear_port_id, rear_port_position)
SELECT d.id, 'front_port', 'front_port', r.id, 1 FROM device d JOIN port r ON r.device_id = d.id AND r.name = 'rear_port'
 WHERE d.name LIKE 'ce-%';
INSERT INTO port (device_id, name, kind)
SELECT d.id, k, k::port_kind FROM device d,
       unnest(ARRAY['interface', 'console', 'console_server', 'power_port', 'power_outlet', 'power_feed']) k
 WHERE d.name LIKE 'ce-%';
INSERT INTO port (device_id, name, kind) SELECT id, 'spare', 'interface' FROM device WHERE name LIKE 'ce-%';
INSERT INTO provider (name) VALUES ('ce-prov');
INSERT INTO provider_network (provider_id, name) SELECT id, 'ce-net' FROM provider WHERE name = 'ce-prov';
INSERT INTO circuit_type (name) VALUES ('ce-wave');
INSERT INTO circuit (provider_id, cid, type) SELECT id, c, 'ce-wave' FROM provider, unnest(ARRAY['CE-1', 'CE-2']) c WHERE name = 'ce-prov';
INSERT INTO circuit_termination (circuit_id, term_side, site_id)
SELECT c.id, t.side::circuit_side, s.id FROM circuit c
  JOIN (VALUES ('CE-1', 'A', 'ce-1'), ('CE-1', 'Z', 'ce-1'), ('CE-2', 'A', 'ce-2')) t(cid, side, site) ON t.cid = c.cid
  JOIN site s ON s.name = t.site;
INSERT INTO circuit_termination (circuit_id, term_side, provider_network_id)
SELECT c.id, 'Z', n.id FROM circuit c, provider_network n WHERE c.cid = 'CE-2' AND n.name = 'ce-net';

-- a port by "device:port", or a termination by "circuit/side"
CREATE FUNCTION pg_temp.p(name text) RETURNS uuid LANGUAGE sql AS $$
    SELECT p.id FROM mountaineer.port p JOIN mountaineer.device d ON d.id = p.device_id
     WHERE d.name || ':' || p.name = $1
    UNION ALL
    SELECT t.id FROM mountaineer.circuit_termination t JOIN mountaineer.circuit c ON c.id = t.circuit_id
     WHERE c.cid || '/' || t.term_side = $1 $$;
-- a connected cable with ends a[] on side a and b[] on side b, in one statement
CREATE FUNCTION pg_temp.cab(label text, a text[], b text[]) RETURNS void LANGUAGE sql AS $$
    WITH c AS (INSERT INTO mountaineer.cable (label) VALUES ($1) RETURNING id)
    INSERT INTO mountaineer.cable_end (cable_id, side, port_id)
    SELECT c.id, 'a'::mountaineer.cable_side, pg_temp.p(x) FROM c, unnest($2) x UNION ALL
    SELECT c.id, 'b', pg_temp.p(x) FROM c, unnest($3) x $$;
SELECT pg_temp.cab('CE-X', ARRAY['ce-a:spare'], ARRAY['ce-b:spare']);

-- the PL/pgSQL as triggers of their own, off until a case turns them on
CREATE TRIGGER check_end_pl BEFORE INSERT OR UPDATE ON cable_end
    FOR EACH ROW EXECUTE FUNCTION cable_end_check_report();
CREATE CONSTRAINT TRIGGER check_sides_pl AFTER UPDATE OF cable_id, side OR DELETE ON cable_end
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cable_check_sides_report();
CREATE CONSTRAINT TRIGGER check_sides_pl AFTER INSERT OR UPDATE OF status ON cable
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cable_status_check_sides_report();
SET CONSTRAINTS check_sides_pl IMMEDIATE;
ALTER TABLE cable_end DISABLE TRIGGER check_end_pl, DISABLE TRIGGER check_sides_pl;
ALTER TABLE cable DISABLE TRIGGER check_sides_pl;

-- What a statement does, by path 'c' (the triggers as installed) or 'pl'
-- (check_end and check_sides off, the *_pl on): 'ok', or the refusal.
-- Always rolled back, so that every case starts from the fixture.
CREATE FUNCTION pg_temp.outcome(stmt text, path text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hint text;
BEGIN
    IF path = 'pl' THEN
        ALTER TABLE mountaineer.cable_end DISABLE TRIGGER check_end, DISABLE TRIGGER check_sides,
                                          ENABLE TRIGGER check_end_pl, ENABLE TRIGGER check_sides_pl;
        ALTER TABLE mountaineer.cable DISABLE TRIGGER check_sides, ENABLE TRIGGER check_sides_pl;
    END IF;
    EXECUTE stmt;
    RAISE EXCEPTION 'rolled back' USING ERRCODE = 'MTR00';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN CASE WHEN st = 'MTR00' THEN 'ok' ELSE format('%s %s / %s / %s', st, msg, det, hint) END;
END $$;

-- calls of the *_report() functions that returned (a refusal is not
-- counted), from here: track_functions may have been on before
SET LOCAL track_functions = 'pl';
CREATE FUNCTION pg_temp.report_calls() RETURNS numeric LANGUAGE sql AS $$
    SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions
     WHERE funcname IN ('cable_end_check_report', 'cable_check_sides_report', 'cable_status_check_sides_report') $$;

--------------------------------------------------------------------------
-- Every pair of port kinds, device port to device port (or termination at
-- the same site), in one statement
--------------------------------------------------------------------------
CREATE TEMP TABLE kinds (k text, ka text, kb text);
INSERT INTO kinds
SELECT k, CASE k WHEN 'circuit_termination' THEN 'CE-1/A' ELSE 'ce-a:' || k END,
          CASE k WHEN 'circuit_termination' THEN 'CE-1/Z' ELSE 'ce-b:' || k END
  FROM unnest(enum_range(NULL::port_kind)::text[]) k;
CREATE TEMP TABLE kind_case AS
SELECT x.k AS k1, y.k AS k2,
       format('SELECT pg_temp.cab(%L, ARRAY[%L], ARRAY[%L])', 'CE-' || x.k || '-' || y.k, x.ka, y.kb) AS stmt
  FROM kinds x, kinds y;
ALTER TABLE kind_case ADD c text, ADD pl text;
SELECT pg_temp.report_calls() AS calls \gset
UPDATE kind_case SET c = pg_temp.outcome(stmt, 'c');
SELECT pg_temp.report_calls() - :calls AS c_path_calls \gset
UPDATE kind_case SET pl = pg_temp.outcome(stmt, 'pl');
SELECT is((SELECT count(*)::int FROM kind_case), 81, 'every pair of the 9 port kinds is a case');
SELECT is_empty($$SELECT k1, k2, c, pl FROM kind_case WHERE c IS DISTINCT FROM pl$$,
    'every pair of kinds: the same outcome from the C and the PL/pgSQL check');
SELECT is_empty($$SELECT k1, k2, c FROM kind_case
                   WHERE (c = 'ok') IS DISTINCT FROM port_kinds_compatible(k1::port_kind, k2::port_kind)$$,
    'a pair is cabled exactly when port_kinds_compatible() says so');
SELECT is((SELECT c FROM kind_case WHERE k1 = 'interface' AND k2 = 'power_port'),
    '23514 cable "CE-interface-power_port" cannot connect port "power_port" of device "ce-b" (power_port) to port "interface" of device "ce-a" (interface) /  / '
    || 'Data ports (interface, front_port, rear_port, circuit_termination) connect to data ports, console to console_server, power_port to power_outlet or power_feed.',
    'the refusal names both ports and their kinds');

--------------------------------------------------------------------------
-- Every rule's edges
--------------------------------------------------------------------------
CREATE TEMP TABLE edge_case (what text, stmt text, c text, pl text);
INSERT INTO edge_case (what, stmt) VALUES
    ('a port on another cable', $$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:spare'], ARRAY['ce-b:interface'])$$),
    ('one port twice in one statement', $$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:interface'], ARRAY['ce-a:interface'])$$),
    ('a breakout with good ends', $$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:interface'], ARRAY['ce-b:interface', 'ce-b:front_port', 'ce-b:rear_port'])$$),
    ('a breakout with one bad end', $$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:interface'], ARRAY['ce-b:interface', 'ce-b:power_port', 'ce-b:console'])$$),
    ('bad ends on both sides', $$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:console', 'ce-a:interface'], ARRAY['ce-b:power_outlet'])$$),
    ('a termination on a provider network', $$SELECT pg_temp.cab('CE-t', ARRAY['CE-2/Z'], ARRAY['ce-c:interface'])$$),
    ('a termination to a device at another site', $$SELECT pg_temp.cab('CE-t', ARRAY['CE-2/A'], ARRAY['ce-a:interface'])$$),
    ('a termination to a device at its site', $$SELECT pg_temp.cab('CE-t', ARRAY['CE-2/A'], ARRAY['ce-c:interface'])$$),
    ('a termination to a device in no rack', $$SELECT pg_temp.cab('CE-t', ARRAY['ce-loose:interface'], ARRAY['CE-2/A'])$$),
    ('terminations at two sites', $$SELECT pg_temp.cab('CE-t', ARRAY['CE-1/A'], ARRAY['CE-2/A'])$$),
    ('devices at two sites', $$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:interface'], ARRAY['ce-c:interface'])$$),
    ('an end moved to a port on another cable', $$UPDATE mountaineer.cable_end SET port_id = pg_temp.p('ce-a:spare') WHERE port_id = pg_temp.p('ce-b:spare')$$),
    ('an end moved to a port of another kind', $$UPDATE mountaineer.cable_end SET port_id = pg_temp.p('ce-b:console') WHERE port_id = pg_temp.p('ce-b:spare')$$),
    ('an end moved to a free port', $$UPDATE mountaineer.cable_end SET port_id = pg_temp.p('ce-b:front_port') WHERE port_id = pg_temp.p('ce-b:spare')$$),
    ('an end rewritten unchanged', $$UPDATE mountaineer.cable_end SET port_id = port_id WHERE port_id = pg_temp.p('ce-b:spare')$$),
    ('both ends on one side', $$UPDATE mountaineer.cable_end SET side = 'a' WHERE port_id = pg_temp.p('ce-b:spare')$$),
    ('the sides swapped', $$UPDATE mountaineer.cable_end e SET side = CASE e.side WHEN 'a' THEN 'b' ELSE 'a' END::mountaineer.cable_side
                             FROM mountaineer.cable c WHERE c.id = e.cable_id AND c.label = 'CE-X'$$),
    ('an end moved to another cable', $$WITH c AS (INSERT INTO mountaineer.cable (id, label, status) VALUES ('00000000-0000-0000-0000-0000000ce0c0', 'CE-t', 'planned') RETURNING id)
                                        UPDATE mountaineer.cable_end SET cable_id = (SELECT id FROM c) WHERE port_id = pg_temp.p('ce-b:spare')$$),
    ('an end''s id changed', $$UPDATE mountaineer.cable_end SET id = '00000000-0000-0000-0000-0000000ce001' WHERE port_id = pg_temp.p('ce-b:spare')$$),
    ('no such cable', $$INSERT INTO mountaineer.cable_end (cable_id, side, port_id) VALUES ('00000000-0000-0000-0000-0000000ce002', 'a', pg_temp.p('ce-a:interface'))$$),
    ('no such port', $$WITH c AS (INSERT INTO mountaineer.cable (id, label, status) VALUES ('00000000-0000-0000-0000-0000000ce0c0', 'CE-t', 'planned') RETURNING id)
                       INSERT INTO mountaineer.cable_end (cable_id, side, port_id) SELECT id, 'a', '00000000-0000-0000-0000-0000000ce003' FROM c$$),
    ('a NULL port', $$WITH c AS (INSERT INTO mountaineer.cable (id, label, status) VALUES ('00000000-0000-0000-0000-0000000ce0c0', 'CE-t', 'planned') RETURNING id)
                      INSERT INTO mountaineer.cable_end (id, cable_id, side, port_id) SELECT '00000000-0000-0000-0000-0000000ce004', id, 'a', NULL FROM c$$),
    ('a NULL side', $$WITH c AS (INSERT INTO mountaineer.cable (id, label, status) VALUES ('00000000-0000-0000-0000-0000000ce0c0', 'CE-t', 'planned') RETURNING id)
                      INSERT INTO mountaineer.cable_end (id, cable_id, side, port_id) SELECT '00000000-0000-0000-0000-0000000ce005', id, NULL, pg_temp.p('ce-a:interface') FROM c$$),
    ('a NULL cable', $$INSERT INTO mountaineer.cable_end (id, cable_id, side, port_id) VALUES ('00000000-0000-0000-0000-0000000ce006', NULL, 'a', pg_temp.p('ce-a:interface'))$$),
    ('a connected cable with no end', $$INSERT INTO mountaineer.cable (label) VALUES ('CE-t')$$),
    ('a connected cable with side a only', $$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:interface'], ARRAY[]::text[])$$),
    ('a planned cable with side a only', $$WITH c AS (INSERT INTO mountaineer.cable (id, label, status) VALUES ('00000000-0000-0000-0000-0000000ce0c0', 'CE-t', 'planned') RETURNING id)
                                           INSERT INTO mountaineer.cable_end (cable_id, side, port_id) SELECT id, 'a', pg_temp.p('ce-a:interface') FROM c$$),
    ('a planned cable connected with side a only', $$WITH c AS (INSERT INTO mountaineer.cable (id, label, status) VALUES ('00000000-0000-0000-0000-0000000ce0c0', 'CE-t', 'planned') RETURNING id)
                                           INSERT INTO mountaineer.cable_end (cable_id, side, port_id) SELECT id, 'a', pg_temp.p('ce-a:interface') FROM c;
                                           UPDATE mountaineer.cable SET status = 'connected' WHERE label = 'CE-t'$$),
    ('a cable planned again', $$UPDATE mountaineer.cable SET status = 'planned' WHERE label = 'CE-X'$$),
    ('an end unplugged', $$DELETE FROM mountaineer.cable_end WHERE port_id = pg_temp.p('ce-b:spare')$$),
    ('a cable deleted', $$DELETE FROM mountaineer.cable WHERE label = 'CE-X'$$),
    ('a NULL id', $$WITH c AS (INSERT INTO mountaineer.cable (id, label, status) VALUES ('00000000-0000-0000-0000-0000000ce0c0', 'CE-t', 'planned') RETURNING id)
                    INSERT INTO mountaineer.cable_end (id, cable_id, side, port_id) SELECT NULL, id, 'a', pg_temp.p('ce-a:interface') FROM c$$);
SELECT pg_temp.report_calls() AS calls \gset
UPDATE edge_case SET c = pg_temp.outcome(stmt, 'c');
SELECT :c_path_calls + pg_temp.report_calls() - :calls AS c_path_calls \gset
UPDATE edge_case SET pl = pg_temp.outcome(stmt, 'pl');
SELECT is_empty($$SELECT what, c, pl FROM edge_case WHERE c IS DISTINCT FROM pl$$,
    'every edge: the same outcome from the C and the PL/pgSQL check');
SELECT set_eq($$SELECT what, split_part(c, ' / ', 1) FROM edge_case$$,
    $$VALUES ('a breakout with good ends', 'ok'),
             ('a breakout with one bad end', '23514 cable "CE-t" cannot connect port "power_port" of device "ce-b" (power_port) to port "interface" of device "ce-a" (interface)'),
             ('a NULL cable', '23502 null value in column "cable_id" of relation "cable_end" violates not-null constraint'),
             ('a NULL id', '23502 null value in column "id" of relation "cable_end" violates not-null constraint'),
             ('a NULL port', '23502 null value in column "port_id" of relation "cable_end" violates not-null constraint'),
             ('a NULL side', '23502 null value in column "side" of relation "cable_end" violates not-null constraint'),
             ('a port on another cable', '23505 port "spare" of device "ce-a" is already on cable "CE-X"'),
             ('a termination on a provider network', '23514 cable "CE-t" cannot plug into termination Z of circuit "CE-2" of provider "ce-prov": it ends on provider network "ce-net"'),
             ('a termination to a device at another site', '23514 cable "CE-t" cannot connect port "interface" of device "ce-a" to termination A of circuit "CE-2" of provider "ce-prov" at site "ce-2": they are at different sites'),
             ('a termination to a device at its site', 'ok'),
             ('a termination to a device in no rack', 'ok'),
             ('an end moved to a free port', 'ok'),
             ('an end moved to a port of another kind', '23514 cable "CE-X" cannot connect port "console" of device "ce-b" (console) to port "spare" of device "ce-a" (interface)'),
             ('an end moved to a port on another cable', '23505 port "spare" of device "ce-a" is already on cable "CE-X"'),
             ('an end moved to another cable', '23514 connected cable "CE-X" has no end on side b'),
             ('an end rewritten unchanged', 'ok'),
             ('an end''s id changed', '428C9 the id of a cable_end row cannot change'),
             ('bad ends on both sides', '23514 cable "CE-t" cannot connect port "power_outlet" of device "ce-b" (power_outlet) to port "console" of device "ce-a" (console)'),
             ('both ends on one side', '23514 connected cable "CE-X" has no end on side b'),
             ('devices at two sites', 'ok'),
             ('no such cable', '23503 insert or update on table "cable_end" violates foreign key constraint "cable_end_cable_id_fkey"'),
             ('no such port', '23503 insert or update on table "cable_end" violates foreign key constraint "cable_end_port_id_fkey"'),
             ('one port twice in one statement', '23505 port "interface" of device "ce-a" is already on cable "CE-t"'),
             ('terminations at two sites', '23514 cable "CE-t" cannot connect termination A of circuit "CE-2" of provider "ce-prov" to termination A of circuit "CE-1" of provider "ce-prov" at site "ce-1": they are at different sites'),
             ('the sides swapped', 'ok'),
             ('a connected cable with no end', '23514 connected cable "CE-t" has no end on side a and b'),
             ('a connected cable with side a only', '23514 connected cable "CE-t" has no end on side b'),
             ('a planned cable with side a only', 'ok'),
             ('a planned cable connected with side a only', '23514 connected cable "CE-t" has no end on side b'),
             ('a cable planned again', 'ok'),
             ('an end unplugged', '23514 connected cable "CE-X" has no end on side b'),
             ('a cable deleted', 'ok')$$,
    'each edge''s outcome');

--------------------------------------------------------------------------
-- The C path alone lets a good end through; a refusal is the PL/pgSQL's
--------------------------------------------------------------------------
SELECT is(:c_path_calls::numeric, 0::numeric,
    'over every case above, the C path called cable_end_check_report() only to refuse');
SELECT pg_temp.report_calls() AS calls \gset
SELECT is(pg_temp.outcome($$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:interface'], ARRAY['ce-b:interface', 'ce-b:front_port'])$$, 'c'), 'ok',
    'a breakout cable is written');
SELECT is(pg_temp.report_calls() - :calls, 0::numeric, '... without calling cable_end_check_report()');
-- (a call that raises is not counted: its error's context names it)
CREATE FUNCTION pg_temp.raised_in(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; ctx text;
BEGIN
    EXECUTE stmt;
    RETURN 'not refused';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, ctx = PG_EXCEPTION_CONTEXT;
    RETURN st || ' ' || substring(ctx FROM '^PL/pgSQL function ([a-z_.]+\(\))');
END $$;
SELECT is(pg_temp.raised_in($$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:interface'], ARRAY['ce-b:power_feed'])$$),
    '23514 mountaineer.cable_end_check_report()', 'a refused end is refused by cable_end_check_report()');

-- row-level security on a table the check reads: the PL/pgSQL reads it, as
-- the caller, for every end
ALTER TABLE device ENABLE ROW LEVEL SECURITY;
CREATE POLICY ce_every_device ON device USING (true);
SELECT pg_temp.report_calls() AS calls \gset
SET LOCAL ROLE mountaineer_editor;
SELECT is(pg_temp.outcome($$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:interface'], ARRAY['ce-b:interface'])$$, 'c'), 'ok',
    'with row-level security on device, an editor''s good cable is written');
SELECT is(pg_temp.report_calls() - :calls, 2::numeric,
    '... both its ends checked by cable_end_check_report() (its sides in C: they read cable_end only)');
SELECT is(pg_temp.raised_in($$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:spare'], ARRAY['ce-b:interface'])$$),
    '23505 mountaineer.cable_end_check_report()', '... and a taken port refused by it');
RESET ROLE;
ALTER TABLE cable_end ENABLE ROW LEVEL SECURITY;
CREATE POLICY ce_every_end ON cable_end USING (true);
SELECT pg_temp.report_calls() AS calls \gset
SET LOCAL ROLE mountaineer_editor;
SELECT is(pg_temp.outcome($$SELECT pg_temp.cab('CE-t', ARRAY['ce-a:interface'], ARRAY['ce-b:interface'])$$, 'c')
          || ' ' || (pg_temp.report_calls() - :calls), 'ok 3',
    'with row-level security on cable_end too, the cable''s ends and sides are all checked by the PL/pgSQL (2 ends + the cable''s sides: an end inserted has no sides'' check of its own, 1.7)');
SELECT pg_temp.report_calls() AS calls \gset
SELECT is(pg_temp.outcome($$UPDATE mountaineer.cable_end SET side = CASE side WHEN 'a' THEN 'b' ELSE 'a' END::cable_side
                             WHERE cable_id = (SELECT id FROM mountaineer.cable WHERE label = 'CE-X')$$, 'c')
          || ' ' || (pg_temp.report_calls() - :calls), 'ok 4',
    '... and so are the ends'' sides when they move (2 ends + 2 sides'' checks)');
SELECT is(pg_temp.raised_in($$INSERT INTO mountaineer.cable (label) VALUES ('CE-t')$$),
    '23514 mountaineer.cable_status_check_sides_report()', '... and a connected cable without ends refused by it');
RESET ROLE;

-- (1.7) the locks are taken without a query, for a caller who may take
-- them (UPDATE on the table, as FOR NO KEY UPDATE and FOR SHARE need); one
-- who may not gets the query's refusal, as before
ALTER TABLE cable_end DISABLE ROW LEVEL SECURITY;
ALTER TABLE device DISABLE ROW LEVEL SECURITY;
CREATE FUNCTION pg_temp.refusal_context(stmt text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE st text; ctx text;
BEGIN
    EXECUTE stmt;
    RETURN 'not refused';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, ctx = PG_EXCEPTION_CONTEXT;
    RETURN st || ' ' || ctx;
END $f$;
CREATE ROLE ce_no_update;
GRANT USAGE ON SCHEMA mountaineer TO ce_no_update;
GRANT SELECT ON ALL TABLES IN SCHEMA mountaineer TO ce_no_update;
GRANT INSERT ON cable_end TO ce_no_update;
GRANT UPDATE ON port TO ce_no_update;
SET LOCAL ROLE ce_no_update;
SELECT throws_ok($$INSERT INTO mountaineer.cable_end (cable_id, side, port_id)
                   SELECT id, 'a', pg_temp.p('ce-a:interface') FROM mountaineer.cable WHERE label = 'CE-X'$$,
                 '42501', 'permission denied for table cable', 'without UPDATE on cable, the cable''s lock is refused as the query refuses it');
SELECT matches(pg_temp.refusal_context($$INSERT INTO mountaineer.cable_end (cable_id, side, port_id)
                   SELECT id, 'a', pg_temp.p('ce-a:interface') FROM mountaineer.cable WHERE label = 'CE-X'$$),
               '^42501 SQL statement "SELECT status = ''connected'' FROM mountaineer.cable WHERE id = \$1 FOR NO KEY UPDATE"',
               '... by the lock''s query, from the C check');
RESET ROLE;

--------------------------------------------------------------------------
-- Misuse
--------------------------------------------------------------------------
CREATE TEMP TABLE ce_other (x uuid);
CREATE TRIGGER ce_after AFTER INSERT ON ce_other FOR EACH ROW EXECUTE FUNCTION mountaineer.cable_end_check();
SELECT throws_ok($$INSERT INTO ce_other VALUES (gen_random_uuid())$$, '39P01',
    'cable_end_check() must be called as a BEFORE INSERT OR UPDATE row trigger', 'an AFTER trigger is refused');
DROP TRIGGER ce_after ON ce_other;
CREATE TRIGGER ce_before BEFORE INSERT ON ce_other FOR EACH ROW EXECUTE FUNCTION mountaineer.cable_end_check();
SELECT throws_ok($$INSERT INTO ce_other VALUES (gen_random_uuid())$$, '42703',
    'record "new" has no field "cable_id"', 'on another table, the PL/pgSQL check runs and cannot read the row');
DROP TRIGGER ce_before ON ce_other;
CREATE TRIGGER ce_sides BEFORE INSERT ON ce_other FOR EACH ROW EXECUTE FUNCTION mountaineer.cable_check_sides();
SELECT throws_ok($$INSERT INTO ce_other VALUES (gen_random_uuid())$$, '39P01',
    'cable_check_sides() must be called as an AFTER INSERT OR UPDATE OR DELETE row trigger', 'the sides'' check as a BEFORE trigger is refused');
DROP TRIGGER ce_sides ON ce_other;
CREATE TRIGGER ce_status AFTER DELETE ON ce_other FOR EACH ROW EXECUTE FUNCTION mountaineer.cable_status_check_sides();
INSERT INTO ce_other VALUES (gen_random_uuid());
SELECT throws_ok($$DELETE FROM ce_other$$, '39P01',
    'cable_status_check_sides() must be called as an AFTER INSERT OR UPDATE row trigger', 'the status check on a DELETE is refused');
DROP TRIGGER ce_status ON ce_other;
CREATE TRIGGER ce_status AFTER INSERT ON ce_other FOR EACH ROW EXECUTE FUNCTION mountaineer.cable_status_check_sides();
SELECT throws_ok($$INSERT INTO ce_other VALUES (gen_random_uuid())$$, '42703',
    'record "new" has no field "id"', 'on another table, the PL/pgSQL status check runs and cannot read the row');

SELECT * FROM finish();
ROLLBACK;
