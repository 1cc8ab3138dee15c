-- mountaineer_dns 1.1 -> 1.2: an SOA time or ttl out of range is refused
-- naming the value and the zone (22023), before the CHECK constraint that
-- names only itself.  No new rule: the ranges are those of the constraints,
-- which every existing row meets.
\echo Use "ALTER EXTENSION mountaineer_dns UPDATE TO '1.2'" to load this file. \quit

CREATE OR REPLACE FUNCTION mountaineer.dns_zone_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
BEGIN
    NEW.name := mountaineer.dns_name(NEW.name, 'zone name');
    IF NEW.primary_ns IS NULL THEN
        NEW.primary_ns := coalesce((SELECT z.primary_ns FROM mountaineer.dns_zone z
                                     WHERE z.kind = 'forward' ORDER BY z.name LIMIT 1),
                                   'ns1.' || NEW.name);
    END IF;
    NEW.primary_ns := mountaineer.dns_name(NEW.primary_ns, 'primary name server');
    NEW.hostmaster := mountaineer.dns_name(coalesce(NEW.hostmaster,
                          'hostmaster.' || coalesce(mountaineer.host_domain(NEW.primary_ns), NEW.primary_ns)), 'hostmaster mailbox');
    -- the ranges of the CHECK constraints, refused here naming the value
    -- (a NULL is left to NOT NULL)
    SELECT f.what, f.v, f.lo INTO bad
      FROM (VALUES ('refresh', NEW.refresh, 1), ('retry', NEW.retry, 1), ('expire', NEW.expire, 1),
                   ('minimum', NEW.minimum, 0), ('ttl', NEW.ttl, 0)) f(what, v, lo)
     WHERE f.v < f.lo
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'SOA % % of zone % is out of range %..2147483647', bad.what, bad.v, NEW.name, bad.lo
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.serial := greatest(NEW.serial, mountaineer.dns_next_serial(0, (now() AT TIME ZONE 'UTC')::date));
    ELSIF NEW.serial < OLD.serial THEN
        RAISE EXCEPTION 'the serial of zone % cannot go down from % to %', NEW.name, OLD.serial, NEW.serial
            USING ERRCODE = 'check_violation',
                  HINT = 'Secondaries would ignore the zone until the serial passed the old one again.';
    ELSIF NEW.serial = OLD.serial
          AND (NEW.name, NEW.primary_ns, NEW.hostmaster, NEW.refresh, NEW.retry, NEW.expire, NEW.minimum, NEW.ttl)
              IS DISTINCT FROM (OLD.name, OLD.primary_ns, OLD.hostmaster, OLD.refresh, OLD.retry, OLD.expire, OLD.minimum, OLD.ttl) THEN
        NEW.serial := mountaineer.dns_next_serial(OLD.serial, (now() AT TIME ZONE 'UTC')::date);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION mountaineer.dns_zone_check() IS
    'Trigger: normalizes the zone''s names (22023 for one that is not a domain name), fills the default primary name server and hostmaster, refuses an SOA time or ttl out of range naming it (22023), starts the serial at today''s YYYYMMDD00, refuses a serial going down and raises it when an SOA field changes.';
