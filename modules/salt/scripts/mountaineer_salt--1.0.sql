-- mountaineer_salt 1.0: Salt's PostgreSQL job cache and event store (the
-- pgjsonb returner's own tables, in schema salt), highstate results per host
-- derived from it in the same transaction, and the external pillar.
-- A Salt master needs only configuration (README, Module mountaineer_salt):
-- it logs in as mountaineer_salt_master, whose search_path in this database
-- is salt, so the returner's unqualified statements find these tables.
\echo Use "CREATE EXTENSION mountaineer_salt CASCADE" to load this file. \quit

--------------------------------------------------------------------------
-- The Salt master's login: it may write the job cache and call
-- salt_pillar(), nothing else.  Roles are cluster-wide: created only when
-- absent, and kept by DROP EXTENSION.  No password: authenticate it in
-- pg_hba.conf (cert, peer) or give it one with ALTER ROLE … PASSWORD.
--------------------------------------------------------------------------
DO $role$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'mountaineer_salt_master') THEN
        CREATE ROLE mountaineer_salt_master LOGIN;
    END IF;
    -- the returner's SQL names jids, salt_returns and salt_events unqualified
    EXECUTE pg_catalog.format('ALTER ROLE mountaineer_salt_master IN DATABASE %I SET search_path = salt',
                              pg_catalog.current_database());
END
$role$;

CREATE SCHEMA salt;
COMMENT ON SCHEMA salt IS
    'Salt''s own job cache and event tables, exactly as its pgjsonb returner (salt/returners/pgjsonb.py) documents them; written by the Salt master (mountaineer_salt_master), summarised into mountaineer.highstate.';
GRANT USAGE ON SCHEMA salt TO mountaineer_salt_master, mountaineer_reader;
-- to call mountaineer.salt_pillar(); it grants no table
GRANT USAGE ON SCHEMA mountaineer TO mountaineer_salt_master;

--------------------------------------------------------------------------
-- The returner's tables: the DDL in the docstring of
-- salt/returners/pgjsonb.py (column names, types, defaults, indexes and the
-- sequence), schema-qualified.  They are Salt's, not inventory: no uuid id,
-- no change log (the master's purge deletes their old rows, keep_jobs), but
-- dumped like every table of ours.  archive_jobs is not supported: it
-- creates tables, which the master's role may not.
--------------------------------------------------------------------------
CREATE TABLE salt.jids (
    jid  varchar(255) NOT NULL PRIMARY KEY,
    load jsonb NOT NULL
);
CREATE INDEX idx_jids_jsonb ON salt.jids USING gin (load) WITH (fastupdate = on);
COMMENT ON TABLE salt.jids IS 'Salt: one row per job, its load (what was published: fun, arg, tgt, user); written by the returner''s save_load().';
COMMENT ON COLUMN salt.jids.jid IS 'The job id (a timestamp such as 20261202013501123456).';
COMMENT ON COLUMN salt.jids.load IS 'The job''s load as Salt published it.';
SELECT pg_catalog.pg_extension_config_dump('salt.jids', '');

CREATE TABLE salt.salt_returns (
    fun        varchar(50) NOT NULL,
    jid        varchar(255) NOT NULL,
    return     jsonb NOT NULL,
    id         varchar(255) NOT NULL,
    success    varchar(10) NOT NULL,
    full_ret   jsonb NOT NULL,
    alter_time timestamp with time zone DEFAULT now()
);
CREATE INDEX idx_salt_returns_id ON salt.salt_returns (id);
CREATE INDEX idx_salt_returns_jid ON salt.salt_returns (jid);
CREATE INDEX idx_salt_returns_fun ON salt.salt_returns (fun);
CREATE INDEX idx_salt_returns_return ON salt.salt_returns USING gin (return) WITH (fastupdate = on);
CREATE INDEX idx_salt_returns_full_ret ON salt.salt_returns USING gin (full_ret) WITH (fastupdate = on);
COMMENT ON TABLE salt.salt_returns IS
    'Salt: one row per minion''s return of a job (the master job cache); written by the returner''s returner(), purged by clean_old_jobs(). State runs are summarised into mountaineer.highstate as they arrive.';
COMMENT ON COLUMN salt.salt_returns.fun IS 'The function the minion ran, e.g. state.apply.';
COMMENT ON COLUMN salt.salt_returns.jid IS 'The job id (salt.jids).';
COMMENT ON COLUMN salt.salt_returns.return IS 'What the function returned: for a state run a dict of states, or a list of error strings when it did not compile.';
COMMENT ON COLUMN salt.salt_returns.id IS 'The minion id.';
COMMENT ON COLUMN salt.salt_returns.success IS 'Salt''s success flag as text (true/false); true even when states failed (salt#38788): judge by full_ret''s retcode.';
COMMENT ON COLUMN salt.salt_returns.full_ret IS 'The whole return: fun, fun_args, jid, id, retcode, success, return, out.';
COMMENT ON COLUMN salt.salt_returns.alter_time IS 'When the master stored the return.';
SELECT pg_catalog.pg_extension_config_dump('salt.salt_returns', '');

CREATE SEQUENCE salt.seq_salt_events_id;
COMMENT ON SEQUENCE salt.seq_salt_events_id IS 'Salt: the ids of salt.salt_events.';
CREATE TABLE salt.salt_events (
    id         bigint NOT NULL UNIQUE DEFAULT nextval('salt.seq_salt_events_id'),
    tag        varchar(255) NOT NULL,
    data       jsonb NOT NULL,
    alter_time timestamp with time zone DEFAULT now(),
    master_id  varchar(255) NOT NULL
);
CREATE INDEX idx_salt_events_tag ON salt.salt_events (tag);
CREATE INDEX idx_salt_events_data ON salt.salt_events USING gin (data) WITH (fastupdate = on);
COMMENT ON TABLE salt.salt_events IS 'Salt: the master''s event bus (event_return: pgjsonb), one row per event; purged with the job cache.';
COMMENT ON COLUMN salt.salt_events.id IS 'Sequence number (salt.seq_salt_events_id).';
COMMENT ON COLUMN salt.salt_events.tag IS 'The event tag, e.g. salt/job/20261202013501123456/ret/web1.';
COMMENT ON COLUMN salt.salt_events.data IS 'The event''s data.';
COMMENT ON COLUMN salt.salt_events.alter_time IS 'When the master stored the event.';
COMMENT ON COLUMN salt.salt_events.master_id IS 'The id of the master that saw it.';
SELECT pg_catalog.pg_extension_config_dump('salt.salt_events', '');
SELECT pg_catalog.pg_extension_config_dump('salt.seq_salt_events_id', '');

-- What the returner runs: INSERTs (jids with ON CONFLICT … DO UPDATE, so
-- UPDATE too), its get_* SELECTs and the purge's DELETEs.
GRANT SELECT, INSERT, UPDATE, DELETE ON salt.jids TO mountaineer_salt_master;
GRANT SELECT, INSERT, DELETE ON salt.salt_returns, salt.salt_events TO mountaineer_salt_master;
GRANT USAGE ON SEQUENCE salt.seq_salt_events_id TO mountaineer_salt_master;
GRANT SELECT ON salt.jids, salt.salt_returns, salt.salt_events TO mountaineer_reader;

--------------------------------------------------------------------------
-- Which host a minion is: the host whose hostname is the minion id, else
-- the one host whose short name it is.
--------------------------------------------------------------------------
-- No index on the short name: an index on another extension's table would
-- not be a member of this one (DROP EXTENSION would leave it behind).  Salt's
-- default minion id is the FQDN, found through host_hostname_key; a short
-- name costs a scan of host.
-- Neither STRICT nor with a SET clause, so that it is inlined into the
-- summary's query (everything in it is schema-qualified instead).
CREATE FUNCTION mountaineer.salt_minion_host(minion_id text) RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT coalesce(
        (SELECT h.id FROM mountaineer.host h WHERE h.hostname = pg_catalog.lower(minion_id)),
        (SELECT (pg_catalog.array_agg(h.id))[1] FROM mountaineer.host h
          WHERE mountaineer.host_shortname(h.hostname) = pg_catalog.lower(minion_id) HAVING pg_catalog.count(*) = 1))
$$;
COMMENT ON FUNCTION mountaineer.salt_minion_host(text) IS
    'The host a Salt minion id names: the host with that hostname (case-insensitive), else the only host with that short name; NULL when none or several.';

--------------------------------------------------------------------------
-- Highstate summaries: inventory tables of ours (id, slug, change log),
-- written by the trigger on salt.salt_returns; they outlive Salt's purge.
--------------------------------------------------------------------------
CREATE TABLE mountaineer.highstate (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug          text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    host_id       uuid REFERENCES mountaineer.host ON DELETE SET NULL,
    minion_id     text NOT NULL,
    jid           text NOT NULL,
    fun           text NOT NULL,
    started_at    timestamptz NOT NULL,
    returned_at   timestamptz NOT NULL,
    duration_ms   numeric NOT NULL DEFAULT 0 CONSTRAINT highstate_duration_ms_check CHECK (duration_ms >= 0),
    total         int NOT NULL DEFAULT 0,
    succeeded     int NOT NULL DEFAULT 0,
    failed        int NOT NULL DEFAULT 0,
    changed       int NOT NULL DEFAULT 0,
    pending       int NOT NULL DEFAULT 0,
    retcode       int,
    compile_error text[],
    test          boolean NOT NULL DEFAULT false,
    CONSTRAINT highstate_jid_minion_id_key UNIQUE (jid, minion_id),
    CONSTRAINT highstate_counts_check CHECK (least(succeeded, failed, changed, pending) >= 0
                                             AND succeeded + failed + pending = total AND changed <= total)
);
-- a host's runs by time (hosts_not_seen, highstate_latest_recompute), and
-- the host's foreign key
CREATE INDEX highstate_host_idx ON mountaineer.highstate (host_id, returned_at DESC);
-- the latest run of a minion (failing_state, unmatched_minion)
CREATE INDEX highstate_minion_idx ON mountaineer.highstate (minion_id, returned_at DESC);
COMMENT ON TABLE mountaineer.highstate IS
    'One state run (state.highstate, state.apply or state.sls) of one minion in one job, summarised from salt.salt_returns as it arrives; kept when Salt purges its job cache.';
COMMENT ON COLUMN mountaineer.highstate.host_id IS 'The host the minion id names (salt_minion_host()); NULL when none does (unmatched_minion lists those), or after the host was deleted.';
COMMENT ON COLUMN mountaineer.highstate.minion_id IS 'The minion id, as Salt returned it.';
COMMENT ON COLUMN mountaineer.highstate.jid IS 'The Salt job id.';
COMMENT ON COLUMN mountaineer.highstate.fun IS 'state.highstate, state.apply or state.sls.';
COMMENT ON COLUMN mountaineer.highstate.started_at IS 'returned_at less duration_ms: when the states began to run (the master''s clock).';
COMMENT ON COLUMN mountaineer.highstate.returned_at IS 'When the master stored the return (salt_returns.alter_time).';
COMMENT ON COLUMN mountaineer.highstate.duration_ms IS 'The sum of the states'' durations in milliseconds (Salt''s "Total run time"); 0 when none ran.';
COMMENT ON COLUMN mountaineer.highstate.total IS 'States in the return: succeeded + failed + pending.';
COMMENT ON COLUMN mountaineer.highstate.succeeded IS 'States whose result is true.';
COMMENT ON COLUMN mountaineer.highstate.failed IS 'States whose result is false (each has a state_error row).';
COMMENT ON COLUMN mountaineer.highstate.changed IS 'States that changed something: changes not empty and a result that is not null.';
COMMENT ON COLUMN mountaineer.highstate.pending IS 'States whose result is null: in a test=True run, what would change.';
COMMENT ON COLUMN mountaineer.highstate.retcode IS 'The minion''s retcode: 0 clean, 1 did not compile, 2 states failed; NULL when Salt sent none.';
COMMENT ON COLUMN mountaineer.highstate.compile_error IS 'When the states did not compile or render (the return is a list of strings, not states): those strings; else NULL.';
COMMENT ON COLUMN mountaineer.highstate.test IS 'A test=True run: nothing was applied.';
COMMENT ON COLUMN mountaineer.highstate.id IS 'The state run''s id.';
COMMENT ON COLUMN mountaineer.highstate.slug IS 'The id''s 22-character URL-safe form (mountaineer.slug(id)).';
SELECT mountaineer.manage_table('mountaineer.highstate');

CREATE TABLE mountaineer.state_error (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug         text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    highstate_id uuid NOT NULL REFERENCES mountaineer.highstate ON DELETE CASCADE,
    state_id     text NOT NULL,
    sls          text,
    name         text,
    function     text NOT NULL,
    comment      text,
    run_num      int
);
CREATE INDEX state_error_highstate_idx ON mountaineer.state_error (highstate_id);
COMMENT ON TABLE mountaineer.state_error IS 'A state that failed (result false) in a state run.';
COMMENT ON COLUMN mountaineer.state_error.highstate_id IS 'The run.';
COMMENT ON COLUMN mountaineer.state_error.state_id IS 'The state''s id in its sls (__id__).';
COMMENT ON COLUMN mountaineer.state_error.sls IS 'The sls file it comes from (__sls__).';
COMMENT ON COLUMN mountaineer.state_error.name IS 'Its name argument (what it acts on).';
COMMENT ON COLUMN mountaineer.state_error.function IS 'The state function, e.g. pkg.installed.';
COMMENT ON COLUMN mountaineer.state_error.comment IS 'Salt''s comment: why it failed (a list of comments joined by newlines).';
COMMENT ON COLUMN mountaineer.state_error.run_num IS 'Its place in the run (__run_num__, from 0).';
COMMENT ON COLUMN mountaineer.state_error.id IS 'The failed state''s id.';
COMMENT ON COLUMN mountaineer.state_error.slug IS 'The id''s 22-character URL-safe form (mountaineer.slug(id)).';
SELECT mountaineer.manage_table('mountaineer.state_error');

CREATE TABLE mountaineer.state_change (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug         text GENERATED ALWAYS AS (mountaineer.slug(id)) STORED UNIQUE,
    highstate_id uuid NOT NULL REFERENCES mountaineer.highstate ON DELETE CASCADE,
    state_id     text NOT NULL,
    sls          text,
    name         text,
    function     text NOT NULL,
    result       boolean,
    changes      jsonb NOT NULL
);
CREATE INDEX state_change_highstate_idx ON mountaineer.state_change (highstate_id);
COMMENT ON TABLE mountaineer.state_change IS 'A state that reported changes in a state run (in a test=True run, changes it would make: result null).';
COMMENT ON COLUMN mountaineer.state_change.highstate_id IS 'The run.';
COMMENT ON COLUMN mountaineer.state_change.state_id IS 'The state''s id in its sls (__id__).';
COMMENT ON COLUMN mountaineer.state_change.sls IS 'The sls file it comes from (__sls__).';
COMMENT ON COLUMN mountaineer.state_change.name IS 'Its name argument (what it acts on).';
COMMENT ON COLUMN mountaineer.state_change.function IS 'The state function, e.g. file.managed.';
COMMENT ON COLUMN mountaineer.state_change.result IS 'The state''s result: true applied, false failed (partly applied), null would change (test=True).';
COMMENT ON COLUMN mountaineer.state_change.changes IS 'The changes Salt reported, as it reported them.';
COMMENT ON COLUMN mountaineer.state_change.id IS 'The changed state''s id.';
COMMENT ON COLUMN mountaineer.state_change.slug IS 'The id''s 22-character URL-safe form (mountaineer.slug(id)).';
SELECT mountaineer.manage_table('mountaineer.state_change');

-- Summarises the statement's state runs.  It must never refuse the
-- returner's INSERT (that would lose the return): every value is read
-- defensively, whatever shape the JSON has.  A second return of the same
-- minion for the same job is stored by Salt but not summarised again.
CREATE FUNCTION mountaineer.salt_returns_summarize() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER   -- the master's role may not write the summaries
    SET search_path = pg_catalog, pg_temp
    SET jit = off
AS $$
BEGIN
    -- a restored job cache comes with its summaries
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;
    END IF;
    WITH ret AS MATERIALIZED (
        SELECT DISTINCT ON (n.jid, n.id)
               n.jid::text AS jid, n.id::text AS minion_id, n.fun::text AS fun, n.return AS ret,
               coalesce(n.alter_time, now()) AS returned_at,
               CASE WHEN jsonb_typeof(n.full_ret -> 'retcode') = 'number'
                         AND abs((n.full_ret ->> 'retcode')::numeric) < 2147483648
                    THEN trunc((n.full_ret ->> 'retcode')::numeric)::int END AS retcode,
               EXISTS (SELECT FROM jsonb_array_elements(CASE WHEN jsonb_typeof(n.full_ret -> 'fun_args') = 'array'
                                                             THEN n.full_ret -> 'fun_args' ELSE '[]' END) a(arg)
                        WHERE (jsonb_typeof(a.arg) = 'string' AND a.arg #>> '{}' ~* '^test=(true|1|yes)$')
                           OR (jsonb_typeof(a.arg) = 'object' AND lower(a.arg ->> 'test') IN ('true', '1', 'yes'))) AS test
          FROM new_rows n
         WHERE n.fun IN ('state.highstate', 'state.apply', 'state.sls')
         ORDER BY n.jid, n.id, n.alter_time
    ), st AS MATERIALIZED (
        -- a state: "<module>_|-<id>_|-<name>_|-<function>" => {result, comment, changes, __id__, ...}
        SELECT r.jid, r.minion_id, s.k, s.v,
               string_to_array(s.k, '_|-') AS part,
               CASE jsonb_typeof(s.v -> 'result') WHEN 'boolean' THEN (s.v ->> 'result')::boolean END AS result,
               coalesce(s.v -> 'changes' NOT IN ('{}', '[]', '""', 'null', 'false'), false) AS has_changes,
               CASE jsonb_typeof(s.v -> 'duration')
                   WHEN 'number' THEN abs((s.v ->> 'duration')::numeric)
                   WHEN 'string' THEN substring(s.v ->> 'duration' FROM '^\s*([0-9]+(?:\.[0-9]+)?)\s*(?:ms)?\s*$')::numeric
               END AS duration_ms
          FROM ret r
          CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(r.ret) = 'object' THEN r.ret ELSE '{}' END) s(k, v)
         WHERE jsonb_typeof(s.v) = 'object'
    ), per_run AS (
        SELECT st.jid, st.minion_id, count(*) AS total,
               count(*) FILTER (WHERE st.result) AS succeeded,
               count(*) FILTER (WHERE NOT st.result) AS failed,
               count(*) FILTER (WHERE st.result IS NULL) AS pending,
               count(*) FILTER (WHERE st.has_changes AND st.result IS NOT NULL) AS changed,
               coalesce(sum(st.duration_ms), 0) AS duration_ms
          FROM st GROUP BY st.jid, st.minion_id
    ), run AS (
        INSERT INTO mountaineer.highstate AS h
               (host_id, minion_id, jid, fun, started_at, returned_at, duration_ms,
                total, succeeded, failed, changed, pending, retcode, compile_error, test)
        SELECT mountaineer.salt_minion_host(r.minion_id), r.minion_id, r.jid, r.fun,
               r.returned_at - coalesce(p.duration_ms, 0) * interval '1 millisecond', r.returned_at,
               coalesce(p.duration_ms, 0), coalesce(p.total, 0), coalesce(p.succeeded, 0), coalesce(p.failed, 0),
               coalesce(p.changed, 0), coalesce(p.pending, 0), r.retcode,
               CASE jsonb_typeof(r.ret)
                   WHEN 'object' THEN NULL
                   WHEN 'array' THEN ARRAY(SELECT e #>> '{}' FROM jsonb_array_elements(r.ret) e)
                   ELSE ARRAY[r.ret #>> '{}']
               END,
               r.test
          FROM ret r
          LEFT JOIN per_run p ON p.jid = r.jid AND p.minion_id = r.minion_id
        ON CONFLICT (jid, minion_id) DO NOTHING
        RETURNING h.id, h.jid, h.minion_id
    ), named AS (
        SELECT run.id AS highstate_id, st.result, st.has_changes, st.v,
               coalesce(st.v ->> '__id__', st.part[2], '') AS state_id,
               st.v ->> '__sls__' AS sls,
               coalesce(st.v ->> 'name', st.part[3]) AS name,
               CASE WHEN cardinality(st.part) >= 4 THEN st.part[1] || '.' || st.part[cardinality(st.part)]
                    ELSE st.k END AS function
          FROM run JOIN st ON st.jid = run.jid AND st.minion_id = run.minion_id
         WHERE st.result IS NOT TRUE OR st.has_changes
    ), errors AS (
        INSERT INTO mountaineer.state_error (highstate_id, state_id, sls, name, function, comment, run_num)
        SELECT n.highstate_id, n.state_id, n.sls, n.name, n.function,
               CASE jsonb_typeof(n.v -> 'comment')
                   WHEN 'array' THEN array_to_string(ARRAY(SELECT c #>> '{}' FROM jsonb_array_elements(n.v -> 'comment') c), E'\n')
                   ELSE n.v ->> 'comment'
               END,
               CASE WHEN jsonb_typeof(n.v -> '__run_num__') = 'number'
                         AND abs((n.v ->> '__run_num__')::numeric) < 2147483648
                    THEN trunc((n.v ->> '__run_num__')::numeric)::int END
          FROM named n WHERE n.result = false
    )
    INSERT INTO mountaineer.state_change (highstate_id, state_id, sls, name, function, result, changes)
    SELECT n.highstate_id, n.state_id, n.sls, n.name, n.function, n.result, n.v -> 'changes'
      FROM named n WHERE n.has_changes;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.salt_returns_summarize() IS
    'Statement trigger on salt.salt_returns: summarises each new state run (state.highstate, state.apply, state.sls) into highstate, state_error and state_change, in the same transaction; never refuses a return.';
REVOKE EXECUTE ON FUNCTION mountaineer.salt_returns_summarize() FROM PUBLIC;
CREATE TRIGGER summarize AFTER INSERT ON salt.salt_returns REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.salt_returns_summarize();

--------------------------------------------------------------------------
-- Each host's latest applying run, kept by triggers on highstate, so that
-- host_last_highstate over a whole estate is a join of two tables of one
-- row per host rather than a probe of highstate per host (bench/salt.sql).
--------------------------------------------------------------------------
CREATE TABLE mountaineer.highstate_latest (
    host_id       uuid PRIMARY KEY REFERENCES mountaineer.host ON DELETE CASCADE,
    highstate_id  uuid NOT NULL UNIQUE REFERENCES mountaineer.highstate ON DELETE CASCADE,
    minion_id     text NOT NULL,
    jid           text NOT NULL,
    fun           text NOT NULL,
    started_at    timestamptz NOT NULL,
    returned_at   timestamptz NOT NULL,
    duration_ms   numeric NOT NULL,
    total         int NOT NULL,
    succeeded     int NOT NULL,
    failed        int NOT NULL,
    changed       int NOT NULL,
    pending       int NOT NULL,
    retcode       int,
    compile_error text[]
);
COMMENT ON TABLE mountaineer.highstate_latest IS
    'Derived: each host''s latest state run that applied (not test=True), a copy of its highstate row kept by the triggers on highstate; read it through host_last_highstate.';
COMMENT ON COLUMN mountaineer.highstate_latest.host_id IS 'The host.';
COMMENT ON COLUMN mountaineer.highstate_latest.highstate_id IS 'Its latest applying run.';
COMMENT ON COLUMN mountaineer.highstate_latest.minion_id IS 'That run''s minion_id.';
COMMENT ON COLUMN mountaineer.highstate_latest.jid IS 'That run''s jid.';
COMMENT ON COLUMN mountaineer.highstate_latest.fun IS 'That run''s fun.';
COMMENT ON COLUMN mountaineer.highstate_latest.started_at IS 'That run''s started_at.';
COMMENT ON COLUMN mountaineer.highstate_latest.returned_at IS 'That run''s returned_at.';
COMMENT ON COLUMN mountaineer.highstate_latest.duration_ms IS 'That run''s duration_ms.';
COMMENT ON COLUMN mountaineer.highstate_latest.total IS 'That run''s total.';
COMMENT ON COLUMN mountaineer.highstate_latest.succeeded IS 'That run''s succeeded.';
COMMENT ON COLUMN mountaineer.highstate_latest.failed IS 'That run''s failed.';
COMMENT ON COLUMN mountaineer.highstate_latest.changed IS 'That run''s changed.';
COMMENT ON COLUMN mountaineer.highstate_latest.pending IS 'That run''s pending.';
COMMENT ON COLUMN mountaineer.highstate_latest.retcode IS 'That run''s retcode.';
COMMENT ON COLUMN mountaineer.highstate_latest.compile_error IS 'That run''s compile_error.';
SELECT pg_catalog.pg_extension_config_dump('mountaineer.highstate_latest', '');
GRANT SELECT ON mountaineer.highstate_latest TO mountaineer_reader;

-- New runs: each host's newest applying run of the statement replaces the
-- one kept if it is newer (the hot path: one run per returner INSERT).
CREATE FUNCTION mountaineer.highstate_latest_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER   -- highstate_latest is written by these triggers only
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mountaineer.restoring(TG_RELID) THEN
        RETURN NULL;   -- highstate_latest is restored with it
    END IF;
    INSERT INTO mountaineer.highstate_latest AS l
    SELECT DISTINCT ON (n.host_id)
           n.host_id, n.id, n.minion_id, n.jid, n.fun, n.started_at, n.returned_at, n.duration_ms,
           n.total, n.succeeded, n.failed, n.changed, n.pending, n.retcode, n.compile_error
      FROM new_rows n
     WHERE n.host_id IS NOT NULL AND NOT n.test
     ORDER BY n.host_id, n.returned_at DESC
    ON CONFLICT (host_id) DO UPDATE
       SET highstate_id = EXCLUDED.highstate_id, minion_id = EXCLUDED.minion_id, jid = EXCLUDED.jid, fun = EXCLUDED.fun,
           started_at = EXCLUDED.started_at, returned_at = EXCLUDED.returned_at, duration_ms = EXCLUDED.duration_ms,
           total = EXCLUDED.total, succeeded = EXCLUDED.succeeded, failed = EXCLUDED.failed, changed = EXCLUDED.changed,
           pending = EXCLUDED.pending, retcode = EXCLUDED.retcode, compile_error = EXCLUDED.compile_error
     WHERE EXCLUDED.returned_at >= l.returned_at;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.highstate_latest_insert() IS
    'Statement trigger on highstate (AFTER INSERT, new_rows): keeps highstate_latest, each host''s latest applying run, for the rows inserted.';
REVOKE EXECUTE ON FUNCTION mountaineer.highstate_latest_insert() FROM PUBLIC;
CREATE TRIGGER keep_latest_insert AFTER INSERT ON mountaineer.highstate REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.highstate_latest_insert();

-- Runs changed or deleted (by an editor, or a host's deletion setting
-- host_id NULL): the hosts they were and are of are worked out again.
CREATE FUNCTION mountaineer.highstate_latest_refresh(hosts uuid[]) RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    DELETE FROM mountaineer.highstate_latest l WHERE l.host_id = ANY (hosts);
    -- a run a concurrent return upserted after the DELETE may be newer
    INSERT INTO mountaineer.highstate_latest AS l
    SELECT DISTINCT ON (s.host_id)
           s.host_id, s.id, s.minion_id, s.jid, s.fun, s.started_at, s.returned_at, s.duration_ms,
           s.total, s.succeeded, s.failed, s.changed, s.pending, s.retcode, s.compile_error
      FROM mountaineer.highstate s
     WHERE s.host_id = ANY (hosts) AND NOT s.test
     ORDER BY s.host_id, s.returned_at DESC
    ON CONFLICT (host_id) DO UPDATE
       SET highstate_id = EXCLUDED.highstate_id, minion_id = EXCLUDED.minion_id, jid = EXCLUDED.jid, fun = EXCLUDED.fun,
           started_at = EXCLUDED.started_at, returned_at = EXCLUDED.returned_at, duration_ms = EXCLUDED.duration_ms,
           total = EXCLUDED.total, succeeded = EXCLUDED.succeeded, failed = EXCLUDED.failed, changed = EXCLUDED.changed,
           pending = EXCLUDED.pending, retcode = EXCLUDED.retcode, compile_error = EXCLUDED.compile_error
     WHERE EXCLUDED.returned_at >= l.returned_at;
END;
COMMENT ON FUNCTION mountaineer.highstate_latest_refresh(uuid[]) IS
    'For the triggers on highstate: works highstate_latest out again for those hosts.';
REVOKE EXECUTE ON FUNCTION mountaineer.highstate_latest_refresh(uuid[]) FROM PUBLIC;

CREATE FUNCTION mountaineer.highstate_latest_update() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER   -- highstate_latest is written by these triggers only
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mountaineer.highstate_latest_refresh(
        ARRAY(SELECT o.host_id FROM old_rows o WHERE o.host_id IS NOT NULL
              UNION SELECT n.host_id FROM new_rows n WHERE n.host_id IS NOT NULL));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.highstate_latest_update() IS
    'Statement trigger on highstate (AFTER UPDATE, old_rows and new_rows): works highstate_latest out again for the hosts the changed runs were and are of.';
REVOKE EXECUTE ON FUNCTION mountaineer.highstate_latest_update() FROM PUBLIC;
CREATE TRIGGER keep_latest_update AFTER UPDATE ON mountaineer.highstate REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.highstate_latest_update();

CREATE FUNCTION mountaineer.highstate_latest_delete() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER   -- highstate_latest is written by these triggers only
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM mountaineer.highstate_latest_refresh(
        ARRAY(SELECT DISTINCT o.host_id FROM old_rows o WHERE o.host_id IS NOT NULL));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION mountaineer.highstate_latest_delete() IS
    'Statement trigger on highstate (AFTER DELETE, old_rows): works highstate_latest out again for the hosts of the deleted runs.';
REVOKE EXECUTE ON FUNCTION mountaineer.highstate_latest_delete() FROM PUBLIC;
CREATE TRIGGER keep_latest_delete AFTER DELETE ON mountaineer.highstate REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.highstate_latest_delete();

--------------------------------------------------------------------------
-- Views
--------------------------------------------------------------------------
CREATE VIEW mountaineer.host_last_highstate AS
SELECT h.id AS host_id, h.hostname, e.name AS environment,
       l.highstate_id, l.minion_id, l.jid, l.fun, l.started_at, l.returned_at, l.duration_ms,
       l.total, l.succeeded, l.failed, l.changed, l.pending, l.retcode, l.compile_error,
       CASE WHEN l.highstate_id IS NOT NULL
            THEN l.compile_error IS NOT NULL OR l.failed > 0 OR coalesce(l.retcode, 0) <> 0 END AS failing
FROM mountaineer.host h
JOIN mountaineer.environment e ON e.id = h.environment_id
LEFT JOIN mountaineer.highstate_latest l ON l.host_id = h.id;
COMMENT ON VIEW mountaineer.host_last_highstate IS
    'Each host with its latest state run that applied (test=True runs left out) and whether it is failing: it did not compile, a state failed or the retcode is not 0; NULL columns when it never ran.';
COMMENT ON COLUMN mountaineer.host_last_highstate.host_id IS 'The host.';
COMMENT ON COLUMN mountaineer.host_last_highstate.hostname IS 'Its hostname.';
COMMENT ON COLUMN mountaineer.host_last_highstate.environment IS 'Its environment''s name.';
COMMENT ON COLUMN mountaineer.host_last_highstate.highstate_id IS 'Its latest applying state run (highstate.id); NULL when it never ran.';
COMMENT ON COLUMN mountaineer.host_last_highstate.minion_id IS 'The minion id that run came from.';
COMMENT ON COLUMN mountaineer.host_last_highstate.jid IS 'Its job id.';
COMMENT ON COLUMN mountaineer.host_last_highstate.fun IS 'state.highstate, state.apply or state.sls.';
COMMENT ON COLUMN mountaineer.host_last_highstate.started_at IS 'When its states began to run.';
COMMENT ON COLUMN mountaineer.host_last_highstate.returned_at IS 'When the master stored its return.';
COMMENT ON COLUMN mountaineer.host_last_highstate.duration_ms IS 'The states'' total run time in milliseconds.';
COMMENT ON COLUMN mountaineer.host_last_highstate.total IS 'States in the run.';
COMMENT ON COLUMN mountaineer.host_last_highstate.succeeded IS 'States that succeeded.';
COMMENT ON COLUMN mountaineer.host_last_highstate.failed IS 'States that failed.';
COMMENT ON COLUMN mountaineer.host_last_highstate.changed IS 'States that changed something.';
COMMENT ON COLUMN mountaineer.host_last_highstate.pending IS 'States whose result is null.';
COMMENT ON COLUMN mountaineer.host_last_highstate.retcode IS 'The minion''s retcode (0 clean, 1 did not compile, 2 states failed).';
COMMENT ON COLUMN mountaineer.host_last_highstate.compile_error IS 'The compile or render errors, when the states did not compile.';
COMMENT ON COLUMN mountaineer.host_last_highstate.failing IS 'Whether that run failed: it did not compile, a state failed or its retcode is not 0; NULL when the host never ran.';

CREATE VIEW mountaineer.failing_state AS
WITH latest AS (
    SELECT DISTINCT ON (s.minion_id) s.id, s.minion_id, s.returned_at
      FROM mountaineer.highstate s
     WHERE NOT s.test
     ORDER BY s.minion_id, s.returned_at DESC
)
SELECT e.sls, e.state_id, e.function,
       count(*) AS minion_count,
       array_agg(l.minion_id ORDER BY l.minion_id) AS minions,
       max(l.returned_at) AS last_failed_at,
       (array_agg(e.comment ORDER BY l.returned_at DESC, l.minion_id))[1] AS last_comment
FROM latest l
JOIN mountaineer.state_error e ON e.highstate_id = l.id
GROUP BY e.sls, e.state_id, e.function;
COMMENT ON VIEW mountaineer.failing_state IS
    'The states failing across the estate, by sls: each state that failed in the latest applying run of some minion, with how many minions and which.';
COMMENT ON COLUMN mountaineer.failing_state.sls IS 'The sls file of the failing state.';
COMMENT ON COLUMN mountaineer.failing_state.state_id IS 'The state''s id in it.';
COMMENT ON COLUMN mountaineer.failing_state.function IS 'The state function, e.g. file.managed.';
COMMENT ON COLUMN mountaineer.failing_state.minion_count IS 'How many minions it fails on.';
COMMENT ON COLUMN mountaineer.failing_state.minions IS 'Those minions, sorted.';
COMMENT ON COLUMN mountaineer.failing_state.last_failed_at IS 'When it last failed.';
COMMENT ON COLUMN mountaineer.failing_state.last_comment IS 'Salt''s comment on its latest failure.';

CREATE VIEW mountaineer.unmatched_minion AS
SELECT s.minion_id, count(*) AS runs, min(s.returned_at) AS first_seen, max(s.returned_at) AS last_seen
FROM mountaineer.highstate s
WHERE s.host_id IS NULL
GROUP BY s.minion_id;
COMMENT ON VIEW mountaineer.unmatched_minion IS
    'Minions whose state runs name no host of the inventory (or whose host was deleted): their runs are kept, with host_id NULL.';
COMMENT ON COLUMN mountaineer.unmatched_minion.minion_id IS 'A minion id that names no host.';
COMMENT ON COLUMN mountaineer.unmatched_minion.runs IS 'Its state runs kept.';
COMMENT ON COLUMN mountaineer.unmatched_minion.first_seen IS 'When its first run returned.';
COMMENT ON COLUMN mountaineer.unmatched_minion.last_seen IS 'When its latest run returned.';

GRANT SELECT ON mountaineer.host_last_highstate, mountaineer.failing_state, mountaineer.unmatched_minion TO mountaineer_reader;

CREATE FUNCTION mountaineer.hosts_not_seen(for_at_least interval) RETURNS SETOF mountaineer.host_last_highstate
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF for_at_least < interval '0' THEN
        RAISE EXCEPTION 'hosts_not_seen needs an interval of at least 0, not %', for_at_least
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
        SELECT l.* FROM mountaineer.host_last_highstate l
         WHERE NOT EXISTS (SELECT FROM mountaineer.highstate s
                            WHERE s.host_id = l.host_id AND s.returned_at > now() - for_at_least)
         ORDER BY l.hostname;
END
$$;
COMMENT ON FUNCTION mountaineer.hosts_not_seen(interval) IS
    'The hosts (as host_last_highstate rows) that returned no state run, test=True runs included, for at least that long, or never; 22023 for a negative interval.';

--------------------------------------------------------------------------
-- External pillar (salt.pillar.postgres): one call per minion
--------------------------------------------------------------------------
CREATE FUNCTION mountaineer.salt_pillar(minion_id text) RETURNS jsonb
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SECURITY DEFINER   -- the master reads no inventory table itself
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    hid     uuid := mountaineer.salt_minion_host(minion_id);
    pillar  jsonb;
    addrs   jsonb := '[]'::jsonb;
    secrets regprocedure;
    vault   jsonb;
BEGIN
    SELECT jsonb_build_object(
               'hostname', d.hostname, 'slug', d.slug, 'shortname', d.shortname, 'domain', d.domain,
               'kind', d.kind, 'operating_system', d.operating_system, 'environment', d.environment,
               'monitored', d.monitored_now, 'roles', to_jsonb(d.roles),
               'grains', coalesce((SELECT jsonb_object_agg(g.name, g.value) FROM mountaineer.grain g WHERE g.host_id = d.id), '{}'),
               'cluster', (SELECT jsonb_build_object('name', c.name, 'kind', c.kind)
                             FROM mountaineer.cluster c WHERE c.name = d.cluster),
               'member_of', coalesce((SELECT jsonb_agg(c.name ORDER BY c.name)
                                        FROM mountaineer.cluster_member m JOIN mountaineer.cluster c ON c.id = m.cluster_id
                                       WHERE m.host_id = d.id), '[]'),
               'site', d.site, 'rack', d.rack, 'device', d.device)
      INTO pillar
      FROM mountaineer.host_detail d WHERE d.id = hid;
    IF pillar IS NULL THEN
        RETURN NULL;
    END IF;

    -- addresses come with mountaineer_networks, when it is installed
    IF to_regclass('mountaineer.ip_address') IS NOT NULL THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'address', host(a.address), 'prefixlen', masklen(a.address), 'canonical', a.canonical,
                   'dns_name', a.dns_name, 'vrf', v.name, 'prefix', p.prefix,
                   'vlan', (SELECT jsonb_build_object('vid', vl.vid, 'name', vl.name)
                              FROM mountaineer.vlan vl WHERE vl.id = p.vlan_id))
                   ORDER BY a.canonical DESC, family(a.address), a.address), '[]')
          INTO addrs
          FROM mountaineer.ip_address a
          LEFT JOIN mountaineer.vrf v ON v.id = a.vrf_id
          LEFT JOIN mountaineer.prefix p
                 ON mountaineer.vrf_key(p.vrf_id) = mountaineer.vrf_key(a.vrf_id) AND p.prefix = network(a.address)
         WHERE a.host_id = hid;
    END IF;
    pillar := pillar || jsonb_build_object('addresses', addrs);

    -- the ciphertexts the host may read, through mountaineer_vault's
    -- published function, when it is installed (looked up, so that this
    -- extension does not need it)
    secrets := to_regprocedure('mountaineer.host_secrets(text)');
    IF secrets IS NOT NULL THEN
        BEGIN
            EXECUTE format('SELECT coalesce(jsonb_object_agg(t.safe, t.names), ''{}'')
                              FROM (SELECT s.safe, jsonb_object_agg(s.name, jsonb_build_object(
                                               ''ciphertext'', s.ciphertext, ''key_name'', s.key_name, ''key_version'', s.key_version)) AS names
                                      FROM %s($1) s GROUP BY s.safe) t', secrets::oid::regproc)
               INTO vault
              USING pillar ->> 'hostname';
        EXCEPTION WHEN insufficient_privilege THEN
            -- host_secrets() judges the caller's own role, not this
            -- function's: a pillar without the secrets would be wrong, so
            -- say why there is none
            RAISE EXCEPTION 'salt_pillar cannot list the secrets of host %: %', mountaineer.excerpt(pillar ->> 'hostname'), SQLERRM
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'mountaineer_vault''s host_secrets() must admit the role calling salt_pillar (the Salt master''s, mountaineer_salt_master).';
        END;
        pillar := pillar || jsonb_build_object('secrets', vault);
    END IF;
    RETURN pillar;
END
$$;
COMMENT ON FUNCTION mountaineer.salt_pillar(text) IS
    'Salt external pillar of a minion (salt_minion_host()): hostname, environment, roles, grains, cluster, site and rack, addresses (canonical first, with prefix and VLAN) and, with mountaineer_vault, the ciphertexts the host may read by safe and name; NULL for a minion that names no host. For the Salt master''s role and admins.';
REVOKE EXECUTE ON FUNCTION mountaineer.salt_pillar(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mountaineer.salt_pillar(text) TO mountaineer_salt_master, mountaineer_admin;
