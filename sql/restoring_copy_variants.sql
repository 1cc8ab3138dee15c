-- mountaineer.restoring() in every command that is not the owner's
-- COPY schema.table FROM STDIN of that very table (test/restore.sql has that
-- one, and the editor's): with check_function_bodies off, as pg_restore runs,
-- each of these answers false, so the inventory's triggers still run.
SET check_function_bodies = off;
CREATE SCHEMA rcv;
CREATE TABLE rcv.t (n int, restoring boolean, other boolean);
CREATE TABLE rcv.other (n int);
-- a row trigger that records what restoring() answers about its own table
-- and about another one
CREATE FUNCTION rcv.ask() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.restoring := mountaineer.restoring(TG_RELID);
    NEW.other := mountaineer.restoring('rcv.other');
    RETURN NEW;
END $$;
CREATE TRIGGER ask BEFORE INSERT ON rcv.t FOR EACH ROW EXECUTE FUNCTION rcv.ask();

-- 1: the restore itself (true), though not of rcv.other (false)
COPY rcv.t (n) FROM STDIN;
1
\.
-- 2: from a program the server runs
COPY rcv.t (n) FROM PROGRAM 'echo 2';
-- 3: COPY TO, of an INSERT that writes into the table
COPY (INSERT INTO rcv.t (n) VALUES (3) RETURNING n) TO STDOUT;
SELECT n, restoring, other FROM rcv.t ORDER BY n;

-- a deferred trigger runs at COMMIT, after the COPY has ended: false there,
-- while the row trigger of the same COPY said true
CREATE TABLE rcv.at_commit (n int, restoring boolean);
CREATE FUNCTION rcv.ask_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rcv.at_commit VALUES (NEW.n, mountaineer.restoring(TG_RELID));
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ask_at_commit AFTER INSERT ON rcv.t INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION rcv.ask_at_commit();
BEGIN;
COPY rcv.t (n) FROM STDIN;
4
\.
COMMIT;
SELECT t.n, t.restoring AS during_copy, c.restoring AS at_commit
FROM rcv.t t JOIN rcv.at_commit c USING (n);
DROP TRIGGER ask_at_commit ON rcv.t;

-- the table's schema renamed while its rows are being copied: the COPY's
-- schema name no longer names a schema, so the rows after the rename are
-- not a restore
CREATE SCHEMA rcv_moving;
CREATE TABLE rcv_moving.t (n int, restoring boolean);
CREATE FUNCTION rcv.ask_then_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.restoring := mountaineer.restoring(TG_RELID);
    IF NEW.n = 1 THEN
        ALTER SCHEMA rcv_moving RENAME TO rcv_moved;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ask BEFORE INSERT ON rcv_moving.t FOR EACH ROW EXECUTE FUNCTION rcv.ask_then_rename();
COPY rcv_moving.t (n) FROM STDIN;
1
2
\.
SELECT n, restoring FROM rcv_moved.t ORDER BY n;

RESET check_function_bodies;
SET client_min_messages = warning;
DROP SCHEMA rcv, rcv_moved CASCADE;
