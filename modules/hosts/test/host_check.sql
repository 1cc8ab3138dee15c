-- mountaineer_hosts 1.7: host_check() in C (src/host.c) against
-- host_check_full(), the PL/pgSQL it runs for every row it does not answer
-- itself: over every rule's edge (hostnames, environments' regexes, kinds,
-- devices, parents, updates, a statement that changes an environment) both
-- give the same outcome, the rows as stored or the same refusal (SQLSTATE,
-- message, detail, hint); a host on no device whose parent does not change
-- is answered without calling the PL/pgSQL.
\set ON_ERROR_STOP true
\set QUIET true
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(7);

--------------------------------------------------------------------------
-- Fixture: environments hc-any (any name) and hc-web (web<n>.example.org);
-- cluster hc-cl; a server and a PDU; hosts hc-parent (on the cluster),
-- hc-child (on hc-parent) and web1 (in hc-web).
--------------------------------------------------------------------------
INSERT INTO environment (id, name, hostname_regex) VALUES
    ('00000000-0000-0000-0000-000000000ce1', 'hc-any', '.*'),
    ('00000000-0000-0000-0000-000000000ce2', 'hc-web', 'web[0-9]+\.example\.org');
INSERT INTO cluster (id, name, kind) VALUES ('00000000-0000-0000-0000-000000000cc1', 'hc-cl', 'kvm');
INSERT INTO device (id, kind, name, units) VALUES
    ('00000000-0000-0000-0000-000000000cd1', 'server', 'hc-srv', 1), ('00000000-0000-0000-0000-000000000cd2', 'pdu', 'hc-pdu', 0);
INSERT INTO host (id, hostname, environment_id, cluster_id) VALUES
    ('00000000-0000-0000-0000-0000000000a1', 'hc-parent.example.org', '00000000-0000-0000-0000-000000000ce1', '00000000-0000-0000-0000-000000000cc1'),
    ('00000000-0000-0000-0000-0000000000a3', 'web1.example.org', '00000000-0000-0000-0000-000000000ce2', '00000000-0000-0000-0000-000000000cc1');
INSERT INTO host (id, hostname, environment_id, parent_host_id) VALUES
    ('00000000-0000-0000-0000-0000000000a2', 'hc-child.example.org', '00000000-0000-0000-0000-000000000ce1', '00000000-0000-0000-0000-0000000000a1');

-- the full check as a trigger of its own, off until a case turns it on
CREATE TRIGGER check_host_pl BEFORE INSERT OR UPDATE ON host FOR EACH ROW EXECUTE FUNCTION host_check_full();
ALTER TABLE host DISABLE TRIGGER check_host_pl;

-- What a statement does, by path 'c' (the trigger as installed) or 'pl'
-- (check_host off, check_host_pl on): the hosts with ids ...00a_ as
-- stored, or the refusal.  Always rolled back.
CREATE FUNCTION pg_temp.outcome(stmt text, path text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hint text; rows text;
BEGIN
    IF path = 'pl' THEN
        ALTER TABLE mountaineer.host DISABLE TRIGGER check_host, ENABLE TRIGGER check_host_pl;
    END IF;
    EXECUTE stmt;
    SELECT string_agg(format('%s %s %s', h.hostname, h.kind, e.name), ', ' ORDER BY h.id) INTO rows
      FROM mountaineer.host h JOIN mountaineer.environment e ON e.id = h.environment_id
     WHERE h.id::text LIKE '00000000-0000-0000-0000-0000000000a_';
    RAISE EXCEPTION '%', rows USING ERRCODE = 'MTR00';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN CASE WHEN st = 'MTR00' THEN 'ok: ' || msg ELSE format('%s %s / %s / %s', st, msg, det, hint) END;
END $$;

-- calls of host_check_full() that returned, from here
SET LOCAL track_functions = 'pl';
CREATE FUNCTION pg_temp.full_calls() RETURNS numeric LANGUAGE sql AS $$
    SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions WHERE funcname = 'host_check_full' $$;

CREATE TEMP TABLE host_case (what text, stmt text, c text, pl text, c_full numeric);
INSERT INTO host_case (what, stmt)
SELECT what, format('INSERT INTO mountaineer.host (id, hostname, environment_id, %s) VALUES (%L, %L, %L, %s)',
                    on_col, '00000000-0000-0000-0000-0000000000a9', hostname, env, on_val)
  FROM (VALUES
    ('a VM on the cluster', 'vm1.example.org', '00000000-0000-0000-0000-000000000ce1', 'cluster_id', '''00000000-0000-0000-0000-000000000cc1'''),
    ('a name to lower-case', 'VM1.Example.ORG.', '00000000-0000-0000-0000-000000000ce1', 'cluster_id', '''00000000-0000-0000-0000-000000000cc1'''),
    ('an invalid name', 'vm_1.example.org', '00000000-0000-0000-0000-000000000ce1', 'cluster_id', '''00000000-0000-0000-0000-000000000cc1'''),
    ('a NULL name', NULL, '00000000-0000-0000-0000-000000000ce1', 'cluster_id', '''00000000-0000-0000-0000-000000000cc1'''),
    ('a name its environment takes', 'web2.example.org', '00000000-0000-0000-0000-000000000ce2', 'cluster_id', '''00000000-0000-0000-0000-000000000cc1'''),
    ('a name its environment refuses', 'db2.example.org', '00000000-0000-0000-0000-000000000ce2', 'cluster_id', '''00000000-0000-0000-0000-000000000cc1'''),
    ('a name the regex matches only in part', 'xweb2.example.org', '00000000-0000-0000-0000-000000000ce2', 'cluster_id', '''00000000-0000-0000-0000-000000000cc1'''),
    ('an upper-case name its environment takes', 'WEB3.example.org', '00000000-0000-0000-0000-000000000ce2', 'cluster_id', '''00000000-0000-0000-0000-000000000cc1'''),
    ('no such environment', 'vm1.example.org', '00000000-0000-0000-0000-000000000cee', 'cluster_id', '''00000000-0000-0000-0000-000000000cc1'''),
    ('a NULL environment', 'vm1.example.org', NULL, 'cluster_id', '''00000000-0000-0000-0000-000000000cc1'''),
    ('a name taken', 'hc-parent.example.org', '00000000-0000-0000-0000-000000000ce1', 'cluster_id', '''00000000-0000-0000-0000-000000000cc1'''),
    ('on a parent host', 'vm1.example.org', '00000000-0000-0000-0000-000000000ce1', 'parent_host_id', '''00000000-0000-0000-0000-0000000000a1'''),
    ('on a server', 'bm1.example.org', '00000000-0000-0000-0000-000000000ce1', 'device_id', '''00000000-0000-0000-0000-000000000cd1'''),
    ('on a PDU', 'pdu1.example.org', '00000000-0000-0000-0000-000000000ce1', 'device_id', '''00000000-0000-0000-0000-000000000cd2'''),
    ('on nothing', 'vm1.example.org', '00000000-0000-0000-0000-000000000ce1', 'cluster_id', 'NULL'),
    ('its own parent', 'vm1.example.org', '00000000-0000-0000-0000-000000000ce1', 'parent_host_id', '''00000000-0000-0000-0000-0000000000a9''')
  ) v(what, hostname, env, on_col, on_val);
INSERT INTO host_case (what, stmt) VALUES
    ('a container on the cluster', $$INSERT INTO mountaineer.host (id, hostname, environment_id, cluster_id, kind)
        VALUES ('00000000-0000-0000-0000-0000000000a9', 'c1.example.org', '00000000-0000-0000-0000-000000000ce1', '00000000-0000-0000-0000-000000000cc1', 'container')$$),
    ('bare_metal on the cluster', $$INSERT INTO mountaineer.host (id, hostname, environment_id, cluster_id, kind)
        VALUES ('00000000-0000-0000-0000-0000000000a9', 'c1.example.org', '00000000-0000-0000-0000-000000000ce1', '00000000-0000-0000-0000-000000000cc1', 'bare_metal')$$),
    ('a NULL kind', $$INSERT INTO mountaineer.host (id, hostname, environment_id, cluster_id, kind)
        VALUES ('00000000-0000-0000-0000-0000000000a9', 'c1.example.org', '00000000-0000-0000-0000-000000000ce1', '00000000-0000-0000-0000-000000000cc1', NULL)$$),
    ('a container on a server', $$INSERT INTO mountaineer.host (id, hostname, environment_id, device_id, kind)
        VALUES ('00000000-0000-0000-0000-0000000000a9', 'c1.example.org', '00000000-0000-0000-0000-000000000ce1', '00000000-0000-0000-0000-000000000cd1', 'container')$$),
    ('two hosts, the second refused', $$INSERT INTO mountaineer.host (id, hostname, environment_id, cluster_id)
        VALUES ('00000000-0000-0000-0000-0000000000a8', 'web8.example.org', '00000000-0000-0000-0000-000000000ce2', '00000000-0000-0000-0000-000000000cc1'),
               ('00000000-0000-0000-0000-0000000000a9', 'db9.example.org', '00000000-0000-0000-0000-000000000ce2', '00000000-0000-0000-0000-000000000cc1')$$),
    ('its operating system changed', $$UPDATE mountaineer.host SET operating_system = 'Debian 12' WHERE id = '00000000-0000-0000-0000-0000000000a3'$$),
    ('renamed within its environment', $$UPDATE mountaineer.host SET hostname = 'WEB7.example.org' WHERE id = '00000000-0000-0000-0000-0000000000a3'$$),
    ('renamed out of its environment', $$UPDATE mountaineer.host SET hostname = 'db7.example.org' WHERE id = '00000000-0000-0000-0000-0000000000a3'$$),
    ('moved to an environment that refuses its name', $$UPDATE mountaineer.host SET environment_id = '00000000-0000-0000-0000-000000000ce2' WHERE id = '00000000-0000-0000-0000-0000000000a1'$$),
    ('moved to an environment that takes its name', $$UPDATE mountaineer.host SET environment_id = '00000000-0000-0000-0000-000000000ce1' WHERE id = '00000000-0000-0000-0000-0000000000a3'$$),
    ('a child rewritten on its parent', $$UPDATE mountaineer.host SET operating_system = 'x' WHERE id = '00000000-0000-0000-0000-0000000000a2'$$),
    ('a parent put on its child', $$UPDATE mountaineer.host SET cluster_id = NULL, parent_host_id = '00000000-0000-0000-0000-0000000000a2' WHERE id = '00000000-0000-0000-0000-0000000000a1'$$),
    ('a child put on itself', $$UPDATE mountaineer.host SET parent_host_id = id WHERE id = '00000000-0000-0000-0000-0000000000a2'$$),
    ('a host put on a server', $$UPDATE mountaineer.host SET cluster_id = NULL, device_id = '00000000-0000-0000-0000-000000000cd1' WHERE id = '00000000-0000-0000-0000-0000000000a3'$$),
    ('its environment widened in the same statement', $$WITH e AS (UPDATE mountaineer.environment SET hostname_regex = 'web[0-9]+\.example\.org|api\.example\.org'
                                                               WHERE name = 'hc-web' RETURNING id)
        INSERT INTO mountaineer.host (id, hostname, environment_id, cluster_id)
        SELECT '00000000-0000-0000-0000-0000000000a9', 'api.example.org', e.id, '00000000-0000-0000-0000-000000000cc1' FROM e$$);

-- the C path first, counting the PL/pgSQL's calls per case
CREATE FUNCTION pg_temp.run_c() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record; before numeric;
BEGIN
    FOR r IN SELECT what, stmt FROM host_case LOOP
        before := pg_temp.full_calls();
        UPDATE host_case SET c = pg_temp.outcome(r.stmt, 'c') WHERE what = r.what;
        UPDATE host_case SET c_full = pg_temp.full_calls() - before WHERE what = r.what;
    END LOOP;
END $$;
SELECT pg_temp.run_c();
UPDATE host_case SET pl = pg_temp.outcome(stmt, 'pl');

SELECT is((SELECT count(*)::int FROM host_case), 31, 'the cases');
SELECT is_empty($$SELECT what, c, pl FROM host_case WHERE c IS DISTINCT FROM pl$$,
    'every case: the same outcome from the C and the PL/pgSQL check');
SELECT set_eq($$SELECT what, split_part(c, ' / ', 1) FROM host_case$$,
    $$VALUES ('a VM on the cluster', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web, vm1.example.org virtual_machine hc-any'),
             ('a name to lower-case', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web, vm1.example.org virtual_machine hc-any'),
             ('an invalid name', '22023 invalid hostname "vm_1.example.org"'),
             ('a NULL name', '23502 null value in column "hostname" of relation "host" violates not-null constraint'),
             ('a name its environment takes', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web, web2.example.org virtual_machine hc-web'),
             ('a name its environment refuses', '23514 hostname "db2.example.org" does not match environment "hc-web" (hostname_regex "web[0-9]+\.example\.org")'),
             ('a name the regex matches only in part', '23514 hostname "xweb2.example.org" does not match environment "hc-web" (hostname_regex "web[0-9]+\.example\.org")'),
             ('an upper-case name its environment takes', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web, web3.example.org virtual_machine hc-web'),
             ('no such environment', '23503 insert or update on table "host" violates foreign key constraint "host_environment_id_fkey"'),
             ('a NULL environment', '23502 null value in column "environment_id" of relation "host" violates not-null constraint'),
             ('a name taken', '23505 duplicate key value violates unique constraint "host_hostname_key"'),
             ('on a parent host', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web, vm1.example.org virtual_machine hc-any'),
             ('on a server', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web, bm1.example.org bare_metal hc-any'),
             ('on a PDU', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web, pdu1.example.org peripheral hc-any'),
             ('on nothing', '23514 new row for relation "host" violates check constraint "host_one_parent"'),
             ('its own parent', '23514 new row for relation "host" violates check constraint "host_not_own_parent"'),
             ('a container on the cluster', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web, c1.example.org container hc-any'),
             ('bare_metal on the cluster', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web, c1.example.org virtual_machine hc-any'),
             ('a NULL kind', '23502 null value in column "kind" of relation "host" violates not-null constraint'),
             ('a container on a server', '23514 container "c1.example.org" must run on a host or a cluster, not directly on a device'),
             ('two hosts, the second refused', '23514 hostname "db9.example.org" does not match environment "hc-web" (hostname_regex "web[0-9]+\.example\.org")'),
             ('its operating system changed', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web'),
             ('renamed within its environment', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web7.example.org virtual_machine hc-web'),
             ('renamed out of its environment', '23514 hostname "db7.example.org" does not match environment "hc-web" (hostname_regex "web[0-9]+\.example\.org")'),
             ('moved to an environment that refuses its name', '23514 hostname "hc-parent.example.org" does not match environment "hc-web" (hostname_regex "web[0-9]+\.example\.org")'),
             ('moved to an environment that takes its name', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-any'),
             ('a child rewritten on its parent', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web'),
             ('a parent put on its child', '23514 host "hc-parent.example.org" cannot run on "hc-child.example.org": that host runs on it'),
             ('a child put on itself', '23514 new row for relation "host" violates check constraint "host_not_own_parent"'),
             ('a host put on a server', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org bare_metal hc-web'),
             ('its environment widened in the same statement', 'ok: hc-parent.example.org virtual_machine hc-any, hc-child.example.org virtual_machine hc-any, web1.example.org virtual_machine hc-web, api.example.org virtual_machine hc-web')$$,
    'each case''s outcome');
SELECT set_eq($$SELECT what FROM host_case WHERE c LIKE 'ok%' AND c_full > 0$$,
    $$VALUES ('on a parent host'), ('on a server'), ('on a PDU'), ('a host put on a server')$$,
    'a host written is answered without calling host_check_full(), unless it is on a device or given a new parent');
SELECT is((SELECT count(*)::int FROM host_case WHERE c LIKE 'ok%' AND c_full = 0), 11,
    '... so 11 of the cases written were answered in C');

-- misuse
CREATE TEMP TABLE hc_other (x int);
CREATE TRIGGER hc_after AFTER INSERT ON hc_other FOR EACH ROW EXECUTE FUNCTION mountaineer.host_check();
SELECT throws_ok($$INSERT INTO hc_other VALUES (1)$$, '39P01',
    'host_check() must be called as a BEFORE INSERT OR UPDATE row trigger', 'an AFTER trigger is refused');
DROP TRIGGER hc_after ON hc_other;
CREATE TRIGGER hc_before BEFORE INSERT ON hc_other FOR EACH ROW EXECUTE FUNCTION mountaineer.host_check();
SELECT throws_ok($$INSERT INTO hc_other VALUES (1)$$, '42703',
    'record "new" has no field "hostname"', 'on another table, the PL/pgSQL check runs and cannot read the row');

SELECT * FROM finish();
ROLLBACK;
