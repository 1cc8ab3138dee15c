\set ON_ERROR_STOP true
\set QUIET true
-- refuse_delete_referenced() (core 1.7: C, src/referenced.c): it probes
-- each RESTRICT or NO ACTION foreign key pointing at the table, keeps
-- those keys per backend and table, and sees a key added or dropped
-- later in the same session; the refusal and its message are 1.6's
-- (refuse_delete_referenced_report()).  Its refusals on the inventory
-- tables are tested with each module; across sessions,
-- specs/refuse_delete_referenced.spec.  One transaction, rolled back.
BEGIN;
SET search_path = mountaineer, public;
SELECT plan(15);

CREATE TABLE public.rdr_parent (id int PRIMARY KEY, name text, code text UNIQUE);
CREATE TRIGGER "A_refuse_delete_referenced" AFTER DELETE ON public.rdr_parent
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();
INSERT INTO public.rdr_parent VALUES (1, 'one', 'c1'), (2, 'two', 'c2'), (3, 'three', NULL), (4, 'four', 'c4'),
                                     (5, 'five', 'c5'), (6, 'six', 'c6');

-- nothing points at it yet: the answer is kept for the table
SELECT lives_ok($$DELETE FROM public.rdr_parent WHERE id = 1$$, 'a row nothing refers to is deleted');

-- a key added after that is seen at once
CREATE TABLE public.rdr_child (id int PRIMARY KEY, parent_id int REFERENCES public.rdr_parent, name text);
INSERT INTO public.rdr_child VALUES (20, 2, 'child-of-two'), (21, 2, 'another-of-two');
SELECT throws_ok($$DELETE FROM public.rdr_parent WHERE id = 2$$, '23503',
    'rdr_parent "two" cannot be deleted: 2 rdr_child row(s) refer to it: another-of-two, child-of-two',
    'a foreign key added later in the session is probed: the referring rows named, in order');
SELECT is((SELECT count(*) FROM public.rdr_parent WHERE id = 2), 1::bigint, '... and nothing is deleted');

-- a second key, by another column: the first has no referring row, the second has
CREATE TABLE public.rdr_tag (id int PRIMARY KEY, parent_code text REFERENCES public.rdr_parent (code) ON DELETE RESTRICT, slug text);
INSERT INTO public.rdr_tag VALUES (30, 'c4', 'tag-of-four');
SELECT throws_ok($$DELETE FROM public.rdr_parent WHERE id = 4$$, '23503',
    'rdr_parent "four" cannot be deleted: 1 rdr_tag row(s) refer to it: tag-of-four',
    'every key is probed: a RESTRICT key by a column other than id');
-- a NULL key refers to nothing
SELECT lives_ok($$DELETE FROM public.rdr_parent WHERE id = 3$$, 'a row whose referenced column is NULL is deleted');

-- a row and what refers to it, in one statement: the statement's deletes are seen
ALTER TABLE public.rdr_child ADD COLUMN up int REFERENCES public.rdr_parent;
DELETE FROM public.rdr_child;
INSERT INTO public.rdr_child VALUES (22, 5, 'child-of-five');
SELECT throws_ok($$DELETE FROM public.rdr_parent WHERE id = 5$$, '23503',
    'rdr_parent "five" cannot be deleted: 1 rdr_child row(s) refer to it: child-of-five',
    'a column added with its key is probed too');
-- the referring table and column renamed: the probe follows them
ALTER TABLE public.rdr_child RENAME COLUMN parent_id TO parent;
ALTER TABLE public.rdr_child RENAME TO rdr_kid;
SELECT throws_ok($$DELETE FROM public.rdr_parent WHERE id = 5$$, '23503',
    'rdr_parent "five" cannot be deleted: 1 rdr_kid row(s) refer to it: child-of-five',
    'a referring table and column renamed after the keys were kept: still probed, by their new names');
ALTER TABLE public.rdr_kid RENAME COLUMN parent TO parent_id;
ALTER TABLE public.rdr_kid RENAME TO rdr_child;
SELECT throws_ok($$DELETE FROM public.rdr_parent WHERE id = 5$$, '23503',
    'rdr_parent "five" cannot be deleted: 1 rdr_child row(s) refer to it: child-of-five',
    '... and renamed back');

SELECT lives_ok($$WITH c AS (DELETE FROM public.rdr_child WHERE parent_id = 5) DELETE FROM public.rdr_parent WHERE id = 5$$,
    'deleting the referring row in the same statement lets it go');

-- a key dropped: no longer probed, the row goes
INSERT INTO public.rdr_child VALUES (23, 6, 'child-of-six');
ALTER TABLE public.rdr_child DROP CONSTRAINT rdr_child_parent_id_fkey;
SELECT lives_ok($$DELETE FROM public.rdr_parent WHERE id = 6$$, 'a dropped foreign key no longer refuses');
-- a CASCADE key is the foreign key's business
ALTER TABLE public.rdr_tag DROP CONSTRAINT rdr_tag_parent_code_fkey,
    ADD FOREIGN KEY (parent_code) REFERENCES public.rdr_parent (code) ON DELETE CASCADE;
SELECT lives_ok($$DELETE FROM public.rdr_parent WHERE id = 4$$, 'an ON DELETE CASCADE key is not refused');
SELECT is((SELECT count(*) FROM public.rdr_tag), 0::bigint, '... and its rows went with it');

-- called as anything but an AFTER DELETE row trigger
CREATE TABLE public.rdr_other (id int);
CREATE TRIGGER rdr_before BEFORE DELETE ON public.rdr_other
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();
CREATE TRIGGER rdr_insert AFTER INSERT ON public.rdr_other
    FOR EACH ROW EXECUTE FUNCTION mountaineer.refuse_delete_referenced();
SELECT throws_ok($$INSERT INTO public.rdr_other VALUES (1)$$, '39P01',
    'refuse_delete_referenced() must be called as an AFTER DELETE row trigger', 'an AFTER INSERT trigger is refused');
DROP TRIGGER rdr_insert ON public.rdr_other;
INSERT INTO public.rdr_other VALUES (1);
SELECT throws_ok($$DELETE FROM public.rdr_other$$, '39P01',
    'refuse_delete_referenced() must be called as an AFTER DELETE row trigger', 'a BEFORE DELETE trigger is refused');
DROP TRIGGER rdr_before ON public.rdr_other;
CREATE TRIGGER rdr_statement AFTER DELETE ON public.rdr_other
    FOR EACH STATEMENT EXECUTE FUNCTION mountaineer.refuse_delete_referenced();
SELECT throws_ok($$DELETE FROM public.rdr_other$$, '39P01',
    'refuse_delete_referenced() must be called as an AFTER DELETE row trigger', 'a statement trigger is refused');

SELECT * FROM finish();
ROLLBACK;
