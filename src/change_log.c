/*
 * change_log.c — log_insert(), the change log's AFTER INSERT statement
 * trigger, in C for statements of a few rows (core 1.7).
 *
 * log_insert_rows(), the PL/pgSQL, records a statement's rows with one
 * INSERT … SELECT into mountaineer.change.  For a statement of one row that
 * costs about 100 µs, most of it in setting that INSERT up: the CHECK
 * constraints of change and the WHEN clause of its row trigger are read and
 * planned again for every statement, its indexes opened, a plan run.  Here a
 * statement of at most LOG_FEW_ROWS rows has its change rows written as
 * COPY writes rows: each one into the heap and its indexes, with the values
 * that INSERT would give it (the same order of ids, the same defaults, the
 * same writer lock first), and the same NOTIFY.
 *
 * Wherever the result could differ from that INSERT, log_insert_rows()
 * does the work, as this very trigger call:
 *   - more rows than LOG_FEW_ROWS (one set-based INSERT is then cheaper);
 *   - mountaineer.secret (secret_change_redact() rewrites its rows);
 *   - mountaineer.change is not as the install script makes it: other
 *     columns, constraints or triggers, a trigger disabled, row-level
 *     security, or session_replication_role not origin (which changes which
 *     triggers fire);
 *   - the trigger's new table is not new_rows, the table logged has no
 *     uuid column id, or the actor is NULL (the PL/pgSQL then fails as it
 *     always did); no rows at all (its INSERT of none still takes the
 *     writer lock, as the trigger of change fires for it).
 * The CHECK constraints of change are not evaluated: every row written here
 * is an insert with no before and an after, which they allow.
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
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/regproc.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"

#include "fastpath.h"
#include "outbox.h"

PG_FUNCTION_INFO_V1(mountaineer_log_insert);

/* restore.c, audit.c */
extern Datum mountaineer_restoring(PG_FUNCTION_ARGS);
extern Datum mountaineer_acting_role(PG_FUNCTION_ARGS);

/* past this many rows, log_insert_rows() writes them */
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

/* the constraints and triggers the install script gives mountaineer.change */
static const char *const change_checks[] = {"change_check", "change_check1", "change_op_check"};
static const char *const change_triggers[] = {"outbox_writer_lock", "secret_change_redact"};

/* One row of the statement: its id, and the row. */
typedef struct LoggedRow
{
	pg_uuid_t	id;
	HeapTuple	tuple;
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
	if (trig == NULL || trig->numtriggers != lengthof(change_triggers))
		return false;
	for (int i = 0; i < trig->numtriggers; i++)
		if (!name_in(trig->triggers[i].tgname, change_triggers, lengthof(change_triggers)) ||
			trig->triggers[i].tgenabled != TRIGGER_FIRES_ON_ORIGIN)
			return false;
	return true;
}

/* mountaineer.name(), of no arguments, returning text or NULL */
static text *
call_text_function(const char *name)
{
	Oid			fn = LookupFuncName(stringToQualifiedNameList(psprintf("mountaineer.%s", name)), 0, NULL, false);
	FmgrInfo	flinfo;
	FunctionCallInfo fcinfo = palloc0(SizeForFunctionCallInfo(0));
	Datum		d;
	text	   *result;

	fmgr_info(fn, &flinfo);
	InitFunctionCallInfoData(*fcinfo, &flinfo, 0, InvalidOid, NULL, NULL);
	d = FunctionCallInvoke(fcinfo);
	result = fcinfo->isnull ? NULL : DatumGetTextPP(d);
	pfree(fcinfo);
	return result;
}

/* NOTIFY mountaineer, change_payload(table, 'insert', n, the n ids) */
static void
notify_inserted(Relation rel, const LoggedRow *rows, int n)
{
	Oid			argtypes[4] = {TEXTOID, TEXTOID, INT8OID, UUIDARRAYOID};
	Oid			fn = LookupFuncName(stringToQualifiedNameList("mountaineer.change_payload"), 4, argtypes, false);
	Datum	   *ids = palloc(sizeof(Datum) * n);
	Datum		payload;

	for (int i = 0; i < n; i++)
		ids[i] = UUIDPGetDatum((pg_uuid_t *) &rows[i].id);
	payload = OidFunctionCall4(fn, CStringGetTextDatum(RelationGetRelationName(rel)), CStringGetTextDatum("insert"),
							   Int64GetDatum(n),
							   PointerGetDatum(construct_array(ids, n, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR)));
	(void) DirectFunctionCall2(pg_notify, CStringGetTextDatum("mountaineer"), payload);
	pfree(ids);
}

/*
 * Writes the change rows of rows[0..n) (in order) into change, as its
 * INSERT would: the writer lock first, then each row's id from seq (its
 * identity sequence), into the heap and every index.
 */
static void
write_changes(Relation rel, Relation change, Oid seq, const AttrNumber *attnum, const LoggedRow *rows, int n, text *actor)
{
	TupleDesc	desc = RelationGetDescr(change);
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	TupleTableSlot *slot = table_slot_create(change, NULL);
	FmgrInfo	to_jsonb;
	Datum		schema = CStringGetTextDatum(get_namespace_name(RelationGetNamespace(rel)));
	Datum		table = CStringGetTextDatum(RelationGetRelationName(rel));
	Datum		op = CStringGetTextDatum("insert");
	Datum		login = CStringGetTextDatum(GetUserNameFromId(GetSessionUserId(), false));
	Datum		role = DirectFunctionCall1(mountaineer_acting_role, (Datum) 0);
	Datum		at = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	Datum		txid;
	CommandId	cid;

	/* to_jsonb(r) of a row of the table's type */
	fmgr_info(F_TO_JSONB, &to_jsonb);
	to_jsonb.fn_expr = (Node *) makeFuncExpr(F_TO_JSONB, JSONBOID,
											 list_make1(makeNullConst(RelationGetDescr(rel)->tdtypeid, -1, InvalidOid)),
											 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);

	/* what the statement trigger of change does before its INSERT */
	outbox_take_writer_lock(change);
	txid = Int64GetDatum((int64) U64FromFullTransactionId(GetTopFullTransactionId()));
	cid = GetCurrentCommandId(true);

	InitResultRelInfo(rri, change, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	for (int i = 0; i < n; i++)
	{
		/* what a row takes (its jsonb, the tuple, index entries) goes with it */
		MemoryContext outer = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));

		CHECK_FOR_INTERRUPTS();
		ExecClearTuple(slot);
		memset(slot->tts_isnull, true, sizeof(bool) * desc->natts);
#define SET(c, v) (slot->tts_values[attnum[c] - 1] = (v), slot->tts_isnull[attnum[c] - 1] = false)
		SET(CH_ID, Int64GetDatum(nextval_internal(seq, false)));
		SET(CH_AT, at);
		SET(CH_TXID, txid);
		SET(CH_ACTOR, PointerGetDatum(actor));
		SET(CH_SCHEMA, schema);
		SET(CH_TABLE, table);
		SET(CH_ROW_ID, UUIDPGetDatum((pg_uuid_t *) &rows[i].id));
		SET(CH_OP, op);
		SET(CH_AFTER, FunctionCall1(&to_jsonb, heap_copy_tuple_as_datum(rows[i].tuple, RelationGetDescr(rel))));
		SET(CH_LOGIN, login);
		SET(CH_DB_ROLE, role);
#undef SET
		ExecStoreVirtualTuple(slot);
		table_tuple_insert(change, slot, cid, 0, NULL);
		(void) ExecInsertIndexTuples(rri, slot, estate, false, false, NULL, NIL);
		ExecClearTuple(slot);
		MemoryContextSwitchTo(outer);
		ResetPerTupleExprContext(estate);
	}
	ExecCloseIndices(rri);
	ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
}

/* log_insert() returns trigger: AFTER INSERT REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT */
Datum
mountaineer_log_insert(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	Oid			change_relid;
	Relation	change;
	Oid			seq;
	AttrNumber	attnum[CH_NCOLS];
	AttrNumber	id_att;
	int64		n;
	LoggedRow  *rows;
	TupleTableSlot *slot;
	text	   *actor;
	bool		ok = true;

	if (!CALLED_AS_TRIGGER(fcinfo)) /* LCOV_EXCL_BR_LINE: SQL cannot call a trigger function */
		ereport(ERROR,			/* LCOV_EXCL_LINE */
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("log_insert() must be called as a trigger")));
	rel = td->tg_relation;
	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("log_insert() must be an AFTER INSERT ... REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT trigger (on %s.%s)",
						get_namespace_name(RelationGetNamespace(rel)), RelationGetRelationName(rel))));
	/* restored rows' history arrives with them, in mountaineer.change */
	if (DatumGetBool(DirectFunctionCall1(mountaineer_restoring, ObjectIdGetDatum(RelationGetRelid(rel)))))
		return PointerGetDatum(NULL);

	n = td->tg_newtable == NULL || strcmp(td->tg_trigger->tgnewtable, "new_rows") != 0 ? -1 : tuplestore_tuple_count(td->tg_newtable);
	id_att = get_attnum(RelationGetRelid(rel), "id");
	if (n < 1 || n > LOG_FEW_ROWS || id_att == InvalidAttrNumber || get_atttype(RelationGetRelid(rel), id_att) != UUIDOID ||
		(RelationGetNamespace(rel) == get_namespace_oid("mountaineer", false) && strcmp(RelationGetRelationName(rel), "secret") == 0))
		return mt_run_trigger_as(fcinfo, "log_insert_rows");
	change_relid = get_relname_relid("change", get_namespace_oid("mountaineer", false));
	if (!OidIsValid(change_relid))	/* LCOV_EXCL_BR_LINE: the extension's own table */
		return mt_run_trigger_as(fcinfo, "log_insert_rows");	/* LCOV_EXCL_LINE */
	change = table_open(change_relid, RowExclusiveLock);
	actor = call_text_function("actor");
	/* its identity sequence, by name as the outbox reads it (a catalog scan costs more) */
	seq = get_relname_relid("change_id_seq", RelationGetNamespace(change));
	if (!change_as_made(change, attnum) || actor == NULL || !OidIsValid(seq))
	{
		table_close(change, RowExclusiveLock);
		return mt_run_trigger_as(fcinfo, "log_insert_rows");
	}

	/* the statement's rows, by id (each consumer of the table reads it by a pointer of its own) */
	rows = palloc(sizeof(LoggedRow) * n);
	slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
	tuplestore_select_read_pointer(td->tg_newtable, tuplestore_alloc_read_pointer(td->tg_newtable, EXEC_FLAG_REWIND));
	tuplestore_rescan(td->tg_newtable);
	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		id;

		if (!tuplestore_gettupleslot(td->tg_newtable, true, false, slot))	/* LCOV_EXCL_BR_LINE: it holds n rows */
			elog(ERROR, "log_insert: the statement's rows ended early");	/* LCOV_EXCL_LINE */
		rows[i].tuple = ExecCopySlotHeapTuple(slot);
		id = heap_getattr(rows[i].tuple, id_att, RelationGetDescr(rel), &isnull);
		if (isnull)
			ok = false;			/* the PL/pgSQL's INSERT fails on it */
		else
			memcpy(&rows[i].id, DatumGetUUIDP(id), UUID_LEN);
	}
	ExecDropSingleTupleTableSlot(slot);
	if (!ok)
	{
		table_close(change, RowExclusiveLock);
		return mt_run_trigger_as(fcinfo, "log_insert_rows");
	}
	qsort(rows, n, sizeof(LoggedRow), logged_row_cmp);

	write_changes(rel, change, seq, attnum, rows, (int) n, actor);
	table_close(change, NoLock);
	notify_inserted(rel, rows, (int) n);
	return PointerGetDatum(NULL);
}
