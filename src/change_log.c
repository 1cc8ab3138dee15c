/*
 * change_log.c — log_insert(), log_update() and log_delete(), the change
 * log's statement triggers, in C for statements of a few rows (core 1.7).
 *
 * log_insert_full(), log_update_full() and log_delete_full(), the PL/pgSQL,
 * record a statement's rows with one INSERT … SELECT into
 * mountaineer.change.  For a statement of one row that costs about 100 µs,
 * most of it in setting that INSERT up: the CHECK constraints of change and
 * the WHEN clause of its row trigger are read and planned again for every
 * statement, its indexes opened, a plan run.  Here a statement of at most
 * LOG_FEW_ROWS rows has its change rows written as COPY writes rows: each
 * one into the heap and its indexes, with the values that INSERT would give
 * it (the same rows in the same order of ids, the same defaults, the same
 * writer lock first), and the same NOTIFY.
 *
 * Wherever the result could differ from that INSERT, the PL/pgSQL does the
 * work, as this very trigger call:
 *   - more rows than LOG_FEW_ROWS (one set-based INSERT is then cheaper);
 *   - mountaineer.secret (secret_change_redact() rewrites its rows);
 *   - mountaineer.change is not as the install script makes it: other
 *     columns, constraints or triggers, a trigger disabled, row-level
 *     security, or session_replication_role not origin (which changes which
 *     triggers fire);
 *   - the trigger's transition tables are not named old_rows and new_rows,
 *     the table logged has no uuid column id, a row has a NULL id, two have
 *     one id, or an update changes an id: the PL/pgSQL then refuses as it
 *     always did.
 * A statement of no rows (a cascade of foreign keys into a table makes one
 * for each row deleted elsewhere) writes nothing and sends nothing, as the
 * PL/pgSQL's; an INSERT or DELETE of none still takes the writer lock, as
 * the PL/pgSQL's INSERT of none fires the statement trigger of change.
 * The CHECK constraints of change are not evaluated: every row written here
 * is an insert with an after and no before, an update with both, or a
 * delete with a before and no after, as they allow.
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/regproc.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"

#include "changes.h"
#include "fastpath.h"
#include "outbox.h"

PG_FUNCTION_INFO_V1(mountaineer_change_payload);
PG_FUNCTION_INFO_V1(mountaineer_log_insert);
PG_FUNCTION_INFO_V1(mountaineer_log_update);
PG_FUNCTION_INFO_V1(mountaineer_log_delete);

/* restore.c, audit.c */
extern Datum mountaineer_restoring(PG_FUNCTION_ARGS);
extern Datum mountaineer_acting_role(PG_FUNCTION_ARGS);
extern Datum mountaineer_actor(PG_FUNCTION_ARGS);
extern Datum mountaineer_slug(PG_FUNCTION_ARGS);

/* past this many rows, the PL/pgSQL writes them */
#define LOG_FEW_ROWS 64

/* the columns of mountaineer.change, in the order of change_cols[] */
enum
{
	CH_ID, CH_AT, CH_TXID, CH_ACTOR, CH_SCHEMA, CH_TABLE, CH_ROW_ID, CH_OP,
	CH_BEFORE, CH_AFTER, CH_LOGIN, CH_DB_ROLE, CH_NCOLS
};

static const struct
{
	const char *name;
	Oid			type;
}			change_cols[CH_NCOLS] =
{
	{"id", INT8OID}, {"at", TIMESTAMPTZOID}, {"txid", INT8OID}, {"actor", TEXTOID},
	{"schema_name", TEXTOID}, {"table_name", TEXTOID}, {"row_id", UUIDOID}, {"op", TEXTOID},
	{"before", JSONBOID}, {"after", JSONBOID}, {"login", TEXTOID}, {"db_role", TEXTOID}
};

/*
 * the constraints and triggers the install scripts give mountaineer.change:
 * the core's writer lock, and mountaineer_vault's trigger when it is there
 * (it rewrites only rows of mountaineer.secret, which the PL/pgSQL logs)
 */
static const char *const change_checks[] = {"change_check", "change_check1", "change_op_check"};
static const char *const change_triggers[] = {"outbox_writer_lock", "secret_change_redact"};

/* One row of the statement: its id, the row (the old one of an update), and the new row of an update. */
typedef struct LoggedRow
{
	pg_uuid_t	id;
	HeapTuple	tuple;
	HeapTuple	newtuple;
} LoggedRow;

static int
logged_row_cmp(const void *a, const void *b)
{
	return memcmp(&((const LoggedRow *) a)->id, &((const LoggedRow *) b)->id, UUID_LEN);
}

static bool
name_in(const char *name, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/*
 * Whether mountaineer.change is as the install script makes it (see the
 * head comment); attnum[] gets each column's position.
 */
static bool
change_as_made(Relation change, AttrNumber *attnum)
{
	TupleDesc	desc = RelationGetDescr(change);
	TriggerDesc *trig = change->trigdesc;
	TupleConstr *constr = desc->constr;
	int			live = 0;
	bool		has_lock = false;

	if (change->rd_rel->relkind != RELKIND_RELATION || change->rd_rel->relrowsecurity ||
		SessionReplicationRole != SESSION_REPLICATION_ROLE_ORIGIN)
		return false;
	for (int c = 0; c < CH_NCOLS; c++)
		attnum[c] = InvalidAttrNumber;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		int			c;

		if (att->attisdropped)
			continue;
		live++;
		for (c = 0; c < CH_NCOLS; c++)
			if (strcmp(NameStr(att->attname), change_cols[c].name) == 0)
				break;
		if (c == CH_NCOLS || att->atttypid != change_cols[c].type || att->attgenerated)
			return false;
		attnum[c] = att->attnum;
	}
	if (live != CH_NCOLS || constr == NULL || constr->num_check != lengthof(change_checks))
		return false;
	for (int i = 0; i < constr->num_check; i++)
		if (!name_in(constr->check[i].ccname, change_checks, lengthof(change_checks)))
			return false;
	if (trig == NULL)
		return false;
	for (int i = 0; i < trig->numtriggers; i++)
	{
		if (!name_in(trig->triggers[i].tgname, change_triggers, lengthof(change_triggers)) ||
			trig->triggers[i].tgenabled != TRIGGER_FIRES_ON_ORIGIN)
			return false;
		if (strcmp(trig->triggers[i].tgname, change_triggers[0]) == 0)
			has_lock = true;
	}
	return has_lock;			/* write_changes() takes its lock */
}

/* ", " unless first, then "key" : (json_build_object()'s spacing) */
static void
payload_key(StringInfo buf, const char *key)
{
	if (buf->len > 1)
		appendStringInfoString(buf, ", ");
	escape_json(buf, key);
	appendStringInfoString(buf, " : ");
}

/* a uuid as JSON: its text, quoted; JSON null for none */
static void
payload_uuid(StringInfo buf, const Datum *id, bool isnull)
{
	if (isnull)
		appendStringInfoString(buf, "null");
	else
		escape_json(buf, DatumGetCString(DirectFunctionCall1(uuid_out, *id)));
}

/* {"table", "op"} and, for more than one row, "count" */
static void
payload_start(StringInfo buf, const char *table, const char *op, int64 n)
{
	initStringInfo(buf);
	appendStringInfoChar(buf, '{');
	payload_key(buf, "table");
	escape_json(buf, table);
	payload_key(buf, "op");
	escape_json(buf, op);
	if (n != 1)
	{
		payload_key(buf, "count");
		appendStringInfo(buf, INT64_FORMAT, n);
	}
}

/*
 * change_payload(table_name text, op text, n bigint, ids uuid[]) RETURNS
 * text: the NOTIFY mountaineer payload for n changed rows of a table (ids:
 * their ids, or the first of them), as json_build_object() spells it:
 * {"table","op","id","slug"} for one row; else {"table","op","count","ids"}
 * with as many ids as fit in 8000 bytes (each takes 39: its quotes and a
 * comma, counted as if "truncated" were there) and "truncated": true when
 * some were left out.  (1.7) C: as PL/pgSQL it cost a one-row statement
 * about 5 µs.
 */
Datum
mountaineer_change_payload(PG_FUNCTION_ARGS)
{
	char	   *table = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *op = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int64		n = PG_GETARG_INT64(2);
	ArrayType  *ids = PG_GETARG_ARRAYTYPE_P(3);
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	StringInfoData buf;

	deconstruct_array(ids, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR, &elems, &nulls, &nelems);
	payload_start(&buf, table, op, n);
	if (n == 1)
	{
		payload_key(&buf, "id");
		payload_uuid(&buf, elems, nelems < 1 || nulls[0]);
		payload_key(&buf, "slug");
		if (nelems < 1 || nulls[0])
			appendStringInfoString(&buf, "null");
		else
			escape_json(&buf, TextDatumGetCString(DirectFunctionCall1(mountaineer_slug, elems[0])));
	}
	else
	{
		StringInfoData bare;
		int64		room,
					shown;
		bool		cut;

		payload_start(&bare, table, op, n);
		appendStringInfoString(&bare, ", \"ids\" : [], \"truncated\" : true}");
		room = (8000 - bare.len) / 39;
		cut = !(n <= room && nelems >= n);
		shown = Min(Min(room, n), nelems);
		payload_key(&buf, "ids");
		appendStringInfoChar(&buf, '[');
		for (int64 i = 0; i < shown; i++)
		{
			if (i > 0)
				appendStringInfoChar(&buf, ',');
			payload_uuid(&buf, &elems[i], nulls[i]);
		}
		appendStringInfoChar(&buf, ']');
		if (cut)
		{
			payload_key(&buf, "truncated");
			appendStringInfoString(&buf, "true");
		}
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/* NOTIFY mountaineer, change_payload(table, op, n, the n ids) */
static void
notify_changes(Relation rel, const char *op, const LoggedRow *rows, int n)
{
	Datum	   *ids = palloc(sizeof(Datum) * n);
	Datum		payload;

	for (int i = 0; i < n; i++)
		ids[i] = UUIDPGetDatum((pg_uuid_t *) &rows[i].id);
	payload = DirectFunctionCall4(mountaineer_change_payload, CStringGetTextDatum(RelationGetRelationName(rel)),
								  CStringGetTextDatum(op), Int64GetDatum((int64) n),
								  PointerGetDatum(construct_array(ids, n, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR)));
	(void) DirectFunctionCall2(pg_notify, CStringGetTextDatum("mountaineer"), payload);
	pfree(ids);
}

/* to_jsonb(r) of rows of the table's type */
static void
init_to_jsonb(FmgrInfo *flinfo, Relation rel)
{
	fmgr_info(F_TO_JSONB, flinfo);
	flinfo->fn_expr = (Node *) makeFuncExpr(F_TO_JSONB, JSONBOID,
											list_make1(makeNullConst(RelationGetDescr(rel)->tdtypeid, -1, InvalidOid)),
											InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
}

static Jsonb *
row_jsonb(FmgrInfo *to_jsonb, Relation rel, HeapTuple tuple)
{
	return DatumGetJsonbP(FunctionCall1(to_jsonb, heap_copy_tuple_as_datum(tuple, RelationGetDescr(rel))));
}

/* How a change row is written: its table, its op, its values. */
typedef struct ChangeWriter
{
	Relation	rel;
	Relation	change;
	AttrNumber	id_att;			/* the logged table's id */
	Oid			seq;			/* change's identity sequence */
	AttrNumber	attnum[CH_NCOLS];
	text	   *actor;
	FmgrInfo	to_jsonb;
} ChangeWriter;

/*
 * Writes the change rows of rows[0..n) (in order) into change, as its
 * INSERT would: the writer lock first (also for none, as the trigger of
 * change fires for an INSERT of none), then each row's id from the
 * sequence, into the heap and every index.  For an update, rows whose
 * columns did not change are skipped; *written gets the rows written, which
 * are moved to the front of rows[].
 */
static void
write_changes(ChangeWriter *w, const char *opname, LoggedRow *rows, int n, int *written)
{
	TupleDesc	desc = RelationGetDescr(w->change);
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	TupleTableSlot *slot = table_slot_create(w->change, NULL);
	Datum		schema = CStringGetTextDatum(get_namespace_name(RelationGetNamespace(w->rel)));
	Datum		table = CStringGetTextDatum(RelationGetRelationName(w->rel));
	Datum		op = CStringGetTextDatum(opname);
	Datum		login = CStringGetTextDatum(GetUserNameFromId(GetSessionUserId(), false));
	Datum		role = DirectFunctionCall1(mountaineer_acting_role, (Datum) 0);
	Datum		at = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	bool		is_update = strcmp(opname, "update") == 0;
	Datum		txid;
	CommandId	cid;
	int			kept = 0;

	/* what the statement trigger of change does before its INSERT */
	outbox_take_writer_lock(w->change);
	txid = Int64GetDatum((int64) U64FromFullTransactionId(GetTopFullTransactionId()));
	cid = GetCurrentCommandId(true);

	InitResultRelInfo(rri, w->change, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	for (int i = 0; i < n; i++)
	{
		/* what a row takes (its jsonb, the tuple, index entries) goes with it */
		MemoryContext outer = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
		Jsonb	   *before = NULL,
				   *after = NULL;

		CHECK_FOR_INTERRUPTS();
		if (is_update)
		{
			Jsonb	   *o = row_jsonb(&w->to_jsonb, w->rel, rows[i].tuple),
					   *r = row_jsonb(&w->to_jsonb, w->rel, rows[i].newtuple);

			if (!jsonb_changes_of(o, r, &before, &after))
			{
				MemoryContextSwitchTo(outer);
				ResetPerTupleExprContext(estate);
				continue;		/* nothing changed: nothing to record */
			}
		}
		else if (strcmp(opname, "insert") == 0)
			after = row_jsonb(&w->to_jsonb, w->rel, rows[i].tuple);
		else
			before = row_jsonb(&w->to_jsonb, w->rel, rows[i].tuple);

		ExecClearTuple(slot);
		memset(slot->tts_isnull, true, sizeof(bool) * desc->natts);
#define SET(c, v) (slot->tts_values[w->attnum[c] - 1] = (v), slot->tts_isnull[w->attnum[c] - 1] = false)
		SET(CH_ID, Int64GetDatum(nextval_internal(w->seq, false)));
		SET(CH_AT, at);
		SET(CH_TXID, txid);
		SET(CH_ACTOR, PointerGetDatum(w->actor));
		SET(CH_SCHEMA, schema);
		SET(CH_TABLE, table);
		SET(CH_ROW_ID, UUIDPGetDatum(&rows[i].id));
		SET(CH_OP, op);
		if (before != NULL)
			SET(CH_BEFORE, JsonbPGetDatum(before));
		if (after != NULL)
			SET(CH_AFTER, JsonbPGetDatum(after));
		SET(CH_LOGIN, login);
		SET(CH_DB_ROLE, role);
#undef SET
		ExecStoreVirtualTuple(slot);
		table_tuple_insert(w->change, slot, cid, 0, NULL);
		(void) ExecInsertIndexTuples(rri, slot, estate, false, false, NULL, NIL);
		ExecClearTuple(slot);
		MemoryContextSwitchTo(outer);
		ResetPerTupleExprContext(estate);
		rows[kept++] = rows[i];
	}
	ExecCloseIndices(rri);
	ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
	*written = kept;
}

/*
 * The n rows of a transition table, sorted by id; false when one has a NULL
 * id or two have one id.
 */
static bool
read_rows(Tuplestorestate *ts, Relation rel, AttrNumber id_att, int n, LoggedRow **out)
{
	LoggedRow  *rows = palloc0(sizeof(LoggedRow) * n);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
	bool		ok = true;

	/* each consumer of a transition table reads it by a pointer of its own */
	tuplestore_select_read_pointer(ts, tuplestore_alloc_read_pointer(ts, EXEC_FLAG_REWIND));
	tuplestore_rescan(ts);
	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		id;

		if (!tuplestore_gettupleslot(ts, true, false, slot))	/* LCOV_EXCL_BR_LINE: it holds n rows */
			elog(ERROR, "change log: a transition table ended early");	/* LCOV_EXCL_LINE */
		rows[i].tuple = ExecCopySlotHeapTuple(slot);
		id = heap_getattr(rows[i].tuple, id_att, RelationGetDescr(rel), &isnull);
		if (isnull)
			ok = false;
		else
			memcpy(&rows[i].id, DatumGetUUIDP(id), UUID_LEN);
	}
	ExecDropSingleTupleTableSlot(slot);
	if (ok)
		qsort(rows, n, sizeof(LoggedRow), logged_row_cmp);
	for (int i = 1; ok && i < n; i++)
		ok = memcmp(&rows[i - 1].id, &rows[i].id, UUID_LEN) != 0;
	*out = rows;
	return ok;
}

/*
 * The common part of the three triggers: checks the call, and decides
 * whether the C writes this statement (true: *w is ready, change opened)
 * or the PL/pgSQL (false), or nothing is written (a restore: *skip).
 */
static bool
log_prepare(FunctionCallInfo fcinfo, const char *name, TriggerEvent event, bool need_old, bool need_new,
			ChangeWriter *w, int *n, bool *skip)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	Tuplestorestate *ts;
	Oid			nsp,
				change_relid;
	AttrNumber	id_att;
	int64		count;

	*skip = false;
	if (!CALLED_AS_TRIGGER(fcinfo)) /* LCOV_EXCL_BR_LINE: SQL cannot call a trigger function */
		ereport(ERROR,			/* LCOV_EXCL_LINE */
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be called as a trigger", name)));
	rel = td->tg_relation;
	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event) ||
		(td->tg_event & TRIGGER_EVENT_OPMASK) != event)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s() must be an AFTER %s ... REFERENCING %sFOR EACH STATEMENT trigger (on %s.%s)", name,
						event == TRIGGER_EVENT_INSERT ? "INSERT" : event == TRIGGER_EVENT_UPDATE ? "UPDATE" : "DELETE",
						need_old && need_new ? "OLD TABLE AS old_rows NEW TABLE AS new_rows " :
						need_old ? "OLD TABLE AS old_rows " : "NEW TABLE AS new_rows ",
						get_namespace_name(RelationGetNamespace(rel)), RelationGetRelationName(rel))));
	/* restored rows' history arrives with them, in mountaineer.change */
	if (DatumGetBool(DirectFunctionCall1(mountaineer_restoring, ObjectIdGetDatum(RelationGetRelid(rel)))))
	{
		*skip = true;
		return false;
	}
	if ((need_old && (td->tg_oldtable == NULL || strcmp(td->tg_trigger->tgoldtable, "old_rows") != 0)) ||
		(need_new && (td->tg_newtable == NULL || strcmp(td->tg_trigger->tgnewtable, "new_rows") != 0)))
		return false;
	ts = need_old ? td->tg_oldtable : td->tg_newtable;
	count = tuplestore_tuple_count(ts);
	id_att = get_attnum(RelationGetRelid(rel), "id");
	nsp = get_namespace_oid("mountaineer", false);
	if (count > LOG_FEW_ROWS || id_att == InvalidAttrNumber ||
		get_atttype(RelationGetRelid(rel), id_att) != UUIDOID ||
		(RelationGetNamespace(rel) == nsp && strcmp(RelationGetRelationName(rel), "secret") == 0))
		return false;
	change_relid = get_relname_relid("change", nsp);
	if (!OidIsValid(change_relid))	/* LCOV_EXCL_BR_LINE: the extension's own table */
		return false;			/* LCOV_EXCL_LINE */
	w->rel = rel;
	w->id_att = id_att;
	w->change = table_open(change_relid, RowExclusiveLock);
	w->actor = DatumGetTextPP(DirectFunctionCall1(mountaineer_actor, (Datum) 0));
	/* its identity sequence, by name as the outbox reads it (a catalog scan costs more) */
	w->seq = get_relname_relid("change_id_seq", nsp);
	if (!change_as_made(w->change, w->attnum) || !OidIsValid(w->seq))
	{
		table_close(w->change, RowExclusiveLock);
		return false;
	}
	init_to_jsonb(&w->to_jsonb, rel);
	*n = (int) count;
	return true;
}

/*
 * log_insert() and log_delete(): each row of the statement's one transition
 * table logged whole (after for an insert, before for a delete).
 */
static Datum
log_rows(FunctionCallInfo fcinfo, const char *name, TriggerEvent event, const char *op)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	bool		deletes = event == TRIGGER_EVENT_DELETE;
	ChangeWriter w;
	LoggedRow  *rows;
	int			n,
				written;
	bool		skip;

	if (!log_prepare(fcinfo, name, event, deletes, !deletes, &w, &n, &skip))
		return skip ? PointerGetDatum(NULL) : mt_run_trigger_as(fcinfo, psprintf("%s_full", name));
	if (!read_rows(deletes ? td->tg_oldtable : td->tg_newtable, w.rel, w.id_att, n, &rows))
	{
		table_close(w.change, RowExclusiveLock);
		return mt_run_trigger_as(fcinfo, psprintf("%s_full", name));
	}
	write_changes(&w, op, rows, n, &written);
	table_close(w.change, NoLock);
	if (written > 0)
		notify_changes(w.rel, op, rows, written);
	return PointerGetDatum(NULL);
}

/* log_insert() returns trigger: AFTER INSERT REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT */
Datum
mountaineer_log_insert(PG_FUNCTION_ARGS)
{
	return log_rows(fcinfo, "log_insert", TRIGGER_EVENT_INSERT, "insert");
}

/* log_delete() returns trigger: AFTER DELETE REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT */
Datum
mountaineer_log_delete(PG_FUNCTION_ARGS)
{
	return log_rows(fcinfo, "log_delete", TRIGGER_EVENT_DELETE, "delete");
}

/*
 * log_update() returns trigger: AFTER UPDATE REFERENCING OLD TABLE AS
 * old_rows NEW TABLE AS new_rows FOR EACH STATEMENT.  Old and new rows
 * are paired by id; a statement that changes an id goes to the PL/pgSQL,
 * which refuses it.
 */
Datum
mountaineer_log_update(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	ChangeWriter w;
	LoggedRow  *rows,
			   *news;
	int			n,
				written;
	bool		skip;
	bool		paired;

	if (!log_prepare(fcinfo, "log_update", TRIGGER_EVENT_UPDATE, true, true, &w, &n, &skip))
		return skip ? PointerGetDatum(NULL) : mt_run_trigger_as(fcinfo, "log_update_full");
	/* an UPDATE of no rows: the PL/pgSQL writes nothing, takes no lock */
	if (n == 0)
	{
		table_close(w.change, RowExclusiveLock);
		return PointerGetDatum(NULL);
	}
	paired = tuplestore_tuple_count(td->tg_newtable) == n &&
		read_rows(td->tg_oldtable, w.rel, w.id_att, n, &rows) &&
		read_rows(td->tg_newtable, w.rel, w.id_att, n, &news);
	for (int i = 0; paired && i < n; i++)
	{
		paired = memcmp(&rows[i].id, &news[i].id, UUID_LEN) == 0;
		rows[i].newtuple = news[i].tuple;
	}
	if (!paired)
	{
		table_close(w.change, RowExclusiveLock);
		return mt_run_trigger_as(fcinfo, "log_update_full");
	}
	/* one row that did not change: the PL/pgSQL writes nothing, takes no lock */
	if (n == 1)
	{
		Jsonb	   *before,
				   *after;

		if (!jsonb_changes_of(row_jsonb(&w.to_jsonb, w.rel, rows[0].tuple),
							  row_jsonb(&w.to_jsonb, w.rel, rows[0].newtuple), &before, &after))
		{
			table_close(w.change, RowExclusiveLock);
			return PointerGetDatum(NULL);
		}
	}
	write_changes(&w, "update", rows, n, &written);
	table_close(w.change, NoLock);
	if (written > 0)
		notify_changes(w.rel, "update", rows, written);
	return PointerGetDatum(NULL);
}
