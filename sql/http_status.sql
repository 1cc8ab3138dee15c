-- mountaineer.http_status (src/http_status.c): in a session where it is on
-- (tools/api.sh turns it on for PostgREST's login role), the refusals whose
-- PostgREST status would be wrong are reported in PostgREST's "raise with a
-- status" form: SQLSTATE PGRST, the original code, message, detail and hint
-- as the JSON body, the status in the detail.  Everything else is untouched.
SET search_path = mountaineer, public;
\set VERBOSITY default

-- off (the default; the setting exists once the library is loaded): a
-- refusal is as it always is
SELECT slug('00000000-0000-0000-0000-000000000000');
SHOW mountaineer.http_status;
SELECT events_ack('mt-http-status-nobody', 1);

-- on: P0002 becomes 404, 23P01 409, with the original code and message
SET mountaineer.http_status = on;
SELECT events_ack('mt-http-status-nobody', 1);
DO $$ BEGIN RAISE EXCEPTION 'two devices in one unit' USING ERRCODE = 'exclusion_violation', DETAIL = 'U1 "front"', HINT = 'move one'; END $$;
DO $$ BEGIN RAISE EXCEPTION 'prefix is reserved' USING ERRCODE = 'object_not_in_prerequisite_state'; END $$;
DO $$ BEGIN RAISE EXCEPTION 'prefix is full' USING ERRCODE = 'insufficient_resources'; END $$;
-- other codes are left to PostgREST's own table
SELECT slug_uuid('not a slug');
DO $$ BEGIN RAISE EXCEPTION 'not supported here' USING ERRCODE = 'feature_not_supported'; END $$;
-- notices and warnings are never touched
DO $$ BEGIN RAISE NOTICE 'a notice'; RAISE WARNING 'a warning' USING ERRCODE = 'no_data_found'; END $$;
RESET mountaineer.http_status;
SELECT events_ack('mt-http-status-nobody', 1);

-- only a superuser may turn it on
CREATE ROLE mt_http_status_probe;
SET ROLE mt_http_status_probe;
SET mountaineer.http_status = on;
RESET ROLE;
DROP ROLE mt_http_status_probe;
