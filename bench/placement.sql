-- Rack placement: 100,000 × SCALE devices of 2U into 5,000 × SCALE racks of
-- 42U (20 per rack, in random order), collisions refused
--   ours: by the EXCLUDE USING gist (rack_id WITH =, position WITH &&)
--         constraint on a rackspan column, as mountaineer.device does;
--   peer: by a PL/pgSQL BEFORE trigger that locks the rack row and looks for
--         an overlapping device through a btree index on (rack_id, first_unit),
--         which is what the same rule costs without the type.
-- Then first fit of a 2U device in every (now full but for U41-U42) rack:
--   ours: mountaineer.rack_first_fit (rackspan_first_fit in C over the rack's
--         positions) on mountaineer.device;
--   peer: the usual SQL, generate_series over candidate units with NOT EXISTS
--         against the trigger table's int columns.
\set QUIET on
\set ON_ERROR_STOP on
SET search_path = mountaineer, public;
SET client_min_messages = warning;
SELECT setseed(0.42);

INSERT INTO site (name) VALUES ('bench');
INSERT INTO rack (site_id, name, units)
SELECT s.id, 'r' || g, 42 FROM site s, generate_series(1, 5000 * :scale) g WHERE s.name = 'bench';

CREATE TABLE bench_plan AS
SELECT r.id AS rack_id, 1 + 2 * k AS first_unit, random() AS shuffle
FROM rack r, generate_series(0, 19) k;
CREATE TABLE bench_order AS SELECT rack_id, first_unit FROM bench_plan ORDER BY shuffle;
ANALYZE bench_order;

CREATE TABLE bench_excl (
    id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    rack_id  uuid NOT NULL REFERENCES rack,
    position rackspan NOT NULL,
    EXCLUDE USING gist (rack_id WITH =, position WITH &&)
);

CREATE TABLE bench_trig (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    rack_id    uuid NOT NULL REFERENCES rack,
    first_unit int NOT NULL,
    last_unit  int NOT NULL,
    face       text NOT NULL CHECK (face IN ('front', 'rear', 'full'))
);
CREATE INDEX ON bench_trig (rack_id, first_unit);
CREATE FUNCTION bench_trig_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM mountaineer.rack WHERE id = NEW.rack_id FOR UPDATE;  -- serialize per rack
    IF EXISTS (SELECT 1 FROM bench_trig t
               WHERE t.rack_id = NEW.rack_id AND t.id <> NEW.id
                 AND t.first_unit <= NEW.last_unit AND NEW.first_unit <= t.last_unit
                 AND (t.face = 'full' OR NEW.face = 'full' OR t.face = NEW.face)) THEN
        RAISE EXCEPTION 'device collides in rack %', NEW.rack_id USING ERRCODE = 'exclusion_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER check_overlap BEFORE INSERT OR UPDATE ON bench_trig
    FOR EACH ROW EXECUTE FUNCTION bench_trig_check();

CHECKPOINT;
SELECT bench_seconds($$INSERT INTO bench_excl (rack_id, position)
                       SELECT rack_id, rackspan(first_unit, 2) FROM bench_order$$) AS excl_s \gset
CHECKPOINT;
SELECT bench_seconds($$INSERT INTO bench_trig (rack_id, first_unit, last_unit, face)
                       SELECT rack_id, first_unit, first_unit + 1, 'full' FROM bench_order$$) AS trig_s \gset

-- both really refuse a collision
DO $$
DECLARE r uuid := (SELECT id FROM mountaineer.rack WHERE name = 'r1');
BEGIN
    BEGIN
        INSERT INTO bench_excl (rack_id, position) VALUES (r, 'U2-U3');
        RAISE EXCEPTION 'bench_excl accepted a collision';
    EXCEPTION WHEN exclusion_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO bench_trig (rack_id, first_unit, last_unit, face) VALUES (r, 2, 3, 'full');
        RAISE EXCEPTION 'bench_trig accepted a collision';
    EXCEPTION WHEN exclusion_violation THEN NULL;
    END;
END $$;

SELECT count(*) AS n FROM bench_order \gset
INSERT INTO bench_result (bench, what, ours, peer, unit)
VALUES ('placement', 'place ' || :n || ' devices in ' || :n / 20 || ' racks (EXCLUDE vs PL/pgSQL trigger)',
        :n / :excl_s, :n / :trig_s, 'rows/s');

-- first fit: the same placement in mountaineer.device, then every rack asked for 2U
INSERT INTO device (kind, name, units, rack_id, position)
SELECT 'server', 'd' || row_number() OVER (), 2, rack_id, rackspan(first_unit, 2) FROM bench_order;
ANALYZE;
SELECT count(*) AS racks FROM rack WHERE name LIKE 'r%' \gset
SELECT bench_seconds($$SELECT count(rack_first_fit(r.id, 2)) FROM mountaineer.rack r$$) AS ff_ours_s \gset
SELECT bench_seconds($$
    SELECT count(f) FROM mountaineer.rack r CROSS JOIN LATERAL (
        SELECT min(g) AS f FROM generate_series(1, r.units - 1) g
        WHERE NOT EXISTS (SELECT 1 FROM bench_trig t
                          WHERE t.rack_id = r.id AND t.first_unit <= g + 1 AND g <= t.last_unit)) x$$) AS ff_peer_s \gset
-- both give the same answers
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM mountaineer.rack r
        WHERE mountaineer.lower(mountaineer.rack_first_fit(r.id, 2)) IS DISTINCT FROM (
            SELECT min(g) FROM generate_series(1, r.units - 1) g
            WHERE NOT EXISTS (SELECT 1 FROM bench_trig t
                              WHERE t.rack_id = r.id AND t.first_unit <= g + 1 AND g <= t.last_unit)))
    THEN
        RAISE EXCEPTION 'first fit: ours and the peer disagree';
    END IF;
END $$;
INSERT INTO bench_result (bench, what, ours, peer, unit)
VALUES ('placement', 'first fit of 2U in ' || :racks || ' nearly full racks (rack_first_fit vs generate_series)',
        :racks / :ff_ours_s, :racks / :ff_peer_s, 'racks/s');
