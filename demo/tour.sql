-- Mountaineer core: slugs, the change log, its history.
\pset footer off
-- The extensions and their versions (1.0 to 1.3 are released; each change since is
-- an upgrade: ALTER EXTENSION ... UPDATE).
SELECT extname, extversion FROM pg_extension WHERE extname LIKE 'mountaineer%' ORDER BY extname;
-- Every row has a uuid id; its slug is the short form used in URLs.
SELECT mountaineer.slug('6f1c2b7e-8a41-4f0e-9c5d-3a2b1c0d9e8f') AS slug,
       mountaineer.slug_uuid('bxwrfopBTw6cXTorHA2ejw') AS id;
-- Every change to the inventory is logged, with who claims to have made it
-- (actor: anyone may set it) and who really did (login, db_role: no client
-- can set them).
SELECT table_name, op, count(*) AS changes, min(actor) AS actor, min(login) AS login, min(db_role) AS db_role
FROM mountaineer.change GROUP BY 1, 2 ORDER BY 1, 2;
-- Ids never change: the log and every reference name a row by its id.
\set ON_ERROR_STOP off
UPDATE mountaineer.site SET id = gen_random_uuid() WHERE name = 'ams1';
\set ON_ERROR_STOP on
-- Automation that must not miss a change (a webhook, a Salt reactor) reads
-- the log as an outbox with a cursor of its own: events_since hands out the
-- next changes after what it acknowledged, events_ack moves the cursor on;
-- a consumer that crashes before acknowledging gets the same changes again.
SELECT id, table_name, op, mountaineer.slug(row_id) AS row FROM mountaineer.events_since('demo-webhook', 3);
SELECT mountaineer.events_ack('demo-webhook', handed_id) FROM mountaineer.event_consumer WHERE name = 'demo-webhook';
SELECT name, acked_id, handed_id FROM mountaineer.event_consumer;
