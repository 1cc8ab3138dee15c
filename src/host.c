/*
 * host.c — host_check(), the BEFORE INSERT OR UPDATE row trigger of
 * mountaineer.host (declared by mountaineer_hosts 1.7).
 *
 * Up to 1.7 the check was PL/pgSQL, 9 µs a host in a bulk insert, most of
 * it the query that locks the host's environment FOR SHARE and reads its
 * hostname_regex.  Nearly every host an import writes is a virtual machine
 * or container on a cluster or another host, whose parent does not change:
 * for those this normalizes the hostname (normalize_hostname()), matches it
 * against the environment's regex, and derives the kind, as the PL/pgSQL
 * does; the environment is locked by the same query, once per transaction
 * (lock_memo.c: holding the lock, no other transaction can change it) and
 * read by a btree probe.  Every other row (on a device, given a new parent,
 * a hostname the regex refuses, an environment not found) goes to
 * host_check_full(), the PL/pgSQL, run as this very trigger call.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "storage/sinval.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/uuid.h"

#include "fastpath.h"
#include "lock_memo.h"

PG_FUNCTION_INFO_V1(mountaineer_host_check);

/*
 * What the fast path needs to know, looked up once per backend and forgotten
 * on a relcache invalidation of host or environment; usable is false when
 * something is not as the module made it (then every row goes to the
 * PL/pgSQL).
 */
typedef struct HostMeta
{
	bool		valid;
	bool		usable;
	Oid			host_rel;
	Oid			env_rel;
	Oid			env_pkey;		/* environment (id) */
	Oid			normalize_fn;	/* normalize_hostname(text) */
	Oid			kind_container; /* host_kind's labels */
	Oid			kind_vm;
	AttrNumber	h_id,
				h_hostname,
				h_env,
				h_kind,
				h_device,
				h_parent;
	AttrNumber	e_regex;
} HostMeta;

static HostMeta host_meta;
static bool host_callback;
static SPIPlanPtr env_lock_plan;

static void
host_invalidate(Datum arg pg_attribute_unused(), Oid relid)
{
	if (!OidIsValid(relid) || relid == host_meta.host_rel || relid == host_meta.env_rel)
		host_meta.valid = false;
}

/* a function dropped or made again: normalize_fn may be gone */
static void
host_invalidate_functions(Datum arg pg_attribute_unused(), int cacheid pg_attribute_unused(),
						  uint32 hashvalue pg_attribute_unused())
{
	host_meta.valid = false;
}

static AttrNumber
host_column(Oid relid, const char *name, Oid type, bool *usable)
{
	AttrNumber	att = get_attnum(relid, name);

	if (att == InvalidAttrNumber || get_atttype(relid, att) != type)
		*usable = false;
	return att;
}

static void
host_learn_once(HostMeta *m)
{
	Oid			nsp = get_namespace_oid("mountaineer", false);
	Oid			argtypes[1] = {TEXTOID};
	Oid			kind_type;
	bool		usable = true;

	memset(m, 0, sizeof(HostMeta));
	m->host_rel = get_relname_relid("host", nsp);
	m->env_rel = get_relname_relid("environment", nsp);
	m->env_pkey = get_relname_relid("environment_pkey", nsp);
	kind_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("host_kind"), ObjectIdGetDatum(nsp));
	if (!OidIsValid(m->host_rel) || !OidIsValid(m->env_rel) || !OidIsValid(m->env_pkey) || !OidIsValid(kind_type))
		return;					/* not usable */
	m->h_id = host_column(m->host_rel, "id", UUIDOID, &usable);
	m->h_hostname = host_column(m->host_rel, "hostname", TEXTOID, &usable);
	m->h_env = host_column(m->host_rel, "environment_id", UUIDOID, &usable);
	m->h_kind = host_column(m->host_rel, "kind", kind_type, &usable);
	m->h_device = host_column(m->host_rel, "device_id", UUIDOID, &usable);
	m->h_parent = host_column(m->host_rel, "parent_host_id", UUIDOID, &usable);
	m->e_regex = host_column(m->env_rel, "hostname_regex", TEXTOID, &usable);
	m->kind_container = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid, ObjectIdGetDatum(kind_type),
										CStringGetDatum("container"));
	m->kind_vm = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid, ObjectIdGetDatum(kind_type),
								 CStringGetDatum("virtual_machine"));
	/* the primary key is a one-column btree on id: the probe's key */
	if (get_index_column_opclass(m->env_pkey, 1) != GetDefaultOpClass(UUIDOID, BTREE_AM_OID) ||
		get_attnum(m->env_pkey, "id") != 1 || get_index_isvalid(m->env_pkey) == false)
		usable = false;
	m->normalize_fn = LookupFuncName(stringToQualifiedNameList("mountaineer.normalize_hostname"), 1, argtypes, true);
	m->usable = usable && OidIsValid(m->normalize_fn) && OidIsValid(m->kind_container) && OidIsValid(m->kind_vm);
}

static void
host_learn_into(void *out)
{
	host_learn_once((HostMeta *) out);
}

/* Learns the metadata (fastpath.c says how). */
static void
host_learn(void)
{
	if (!host_callback)
	{
		CacheRegisterRelcacheCallback(host_invalidate, (Datum) 0);
		CacheRegisterSyscacheCallback(PROCOID, host_invalidate_functions, (Datum) 0);
		host_callback = true;
	}
	host_meta.valid = false;
	mt_learn_stable(host_learn_into, &host_meta, sizeof(HostMeta));
	host_meta.valid = true;
}

/*
 * Locks the environment FOR SHARE, as the PL/pgSQL does, unless this
 * transaction holds that lock already: whether it exists.
 */
static bool
host_lock_environment(Datum env)
{
	bool		found;

	if (lock_memo_held(LOCK_MEMO_ENVIRONMENT, DatumGetUUIDP(env)))
		return true;
	if (SPI_connect() != SPI_OK_CONNECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "SPI_connect failed");	/* LCOV_EXCL_LINE */
	if (env_lock_plan == NULL)
	{
		Oid			argtypes[1] = {UUIDOID};
		SPIPlanPtr	p = SPI_prepare("SELECT FROM mountaineer.environment e WHERE e.id OPERATOR(pg_catalog.=) $1 FOR SHARE",
									1, argtypes);

		if (p == NULL)			/* LCOV_EXCL_BR_LINE: a fixed query on the module's table */
			elog(ERROR, "host_check: cannot prepare the lock: %s", SPI_result_code_string(SPI_result));	/* LCOV_EXCL_LINE */
		SPI_keepplan(p);
		env_lock_plan = p;
	}
	if (SPI_execute_plan(env_lock_plan, &env, NULL, false, 1) != SPI_OK_SELECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "host_check: the lock query failed");	/* LCOV_EXCL_LINE */
	found = SPI_processed > 0;
	SPI_finish();
	if (found)
		lock_memo_add(LOCK_MEMO_ENVIRONMENT, DatumGetUUIDP(env));
	return found;
}

/*
 * The environment's hostname_regex, read as the lock's query would; NULL
 * when there is none (or what we learnt went stale meanwhile).
 */
static text *
host_env_regex(Datum env)
{
	Relation	rel = table_open(host_meta.env_rel, AccessShareLock);
	Relation	idx = index_open(host_meta.env_pkey, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	IndexScanDesc scan;
	ScanKeyData key;
	text	   *regex = NULL;

	/* a fresh snapshot in READ COMMITTED, seeing this statement's rows */
	CommandCounterIncrement();
	PushCopiedSnapshot(GetTransactionSnapshot());
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, env);
	scan = index_beginscan(rel, idx, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	/* opening them may have processed an invalidation of what we learnt */
	if (host_meta.valid && index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		d = slot_getattr(slot, host_meta.e_regex, &isnull);

		if (!isnull)
			regex = DatumGetTextPCopy(d);
	}
	index_endscan(scan);
	PopActiveSnapshot();
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, NoLock);
	table_close(rel, NoLock);
	return regex;
}

/* host_check() returns trigger: BEFORE INSERT OR UPDATE FOR EACH ROW */
Datum
mountaineer_host_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	newtup,
				oldtup;
	TupleDesc	desc;
	bool		isnull,
				old_isnull;
	Datum		hostname,
				env,
				d;
	int			cols[2];
	Datum		values[2];
	bool		nulls[2] = {false, false};
	Oid			coll;

	mt_before_write_row(fcinfo, "host_check", &newtup, &oldtup);
	if (!host_meta.valid)
		host_learn();
	if (!host_meta.usable || RelationGetRelid(td->tg_relation) != host_meta.host_rel)
		return mt_run_trigger_as(fcinfo, "host_check_full");
	desc = RelationGetDescr(td->tg_relation);

	/* on a device, or given a parent: the PL/pgSQL's (locks and walks) */
	(void) heap_getattr(newtup, host_meta.h_device, desc, &isnull);
	if (!isnull)
		return mt_run_trigger_as(fcinfo, "host_check_full");
	d = heap_getattr(newtup, host_meta.h_parent, desc, &isnull);
	if (!isnull)
	{
		bool		id_null,
					moved = true;
		Datum		id = heap_getattr(newtup, host_meta.h_id, desc, &id_null);

		if (oldtup != NULL)
		{
			Datum		old_parent = heap_getattr(oldtup, host_meta.h_parent, desc, &old_isnull);

			moved = old_isnull || memcmp(DatumGetUUIDP(d), DatumGetUUIDP(old_parent), sizeof(pg_uuid_t)) != 0;
		}
		/* the walk up from a new parent (one that is the host itself is
		 * host_not_own_parent's to refuse) */
		if (moved && (id_null || memcmp(DatumGetUUIDP(d), DatumGetUUIDP(id), sizeof(pg_uuid_t)) != 0))
			return mt_run_trigger_as(fcinfo, "host_check_full");
	}

	hostname = heap_getattr(newtup, host_meta.h_hostname, desc, &isnull);
	if (isnull)
		return mt_run_trigger_as(fcinfo, "host_check_full"); /* NOT NULL's to refuse */
	coll = TupleDescAttr(desc, host_meta.h_hostname - 1)->attcollation;
	hostname = OidFunctionCall1Coll(host_meta.normalize_fn, coll, hostname);
	cols[0] = host_meta.h_hostname;
	values[0] = hostname;

	/* the environment's regex, on an insert or a change of name or environment */
	env = heap_getattr(newtup, host_meta.h_env, desc, &isnull);
	{
		bool		check = oldtup == NULL;

		if (!check)
		{
			Datum		old_name = heap_getattr(oldtup, host_meta.h_hostname, desc, &old_isnull);
			Datum		old_env;
			bool		old_env_null;

			check = old_isnull || !DatumGetBool(DirectFunctionCall2Coll(texteq, coll, hostname, old_name));
			old_env = heap_getattr(oldtup, host_meta.h_env, desc, &old_env_null);
			check = check || isnull != old_env_null ||
				(!isnull && memcmp(DatumGetUUIDP(env), DatumGetUUIDP(old_env), sizeof(pg_uuid_t)) != 0);
		}
		if (check && !isnull)
		{
			text	   *regex;
			StringInfoData pattern;

			/* the PL/pgSQL reads the whole row as the caller: so may the caller */
			if (pg_class_aclcheck(host_meta.env_rel, GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
				!host_lock_environment(env))
				return mt_run_trigger_as(fcinfo, "host_check_full"); /* refused there, or no such environment */
			regex = host_env_regex(env);
			if (regex == NULL)	/* LCOV_EXCL_BR_LINE: the lock found the row; only an invalidation meanwhile */
				return mt_run_trigger_as(fcinfo, "host_check_full");	/* LCOV_EXCL_LINE */
			initStringInfo(&pattern);
			appendStringInfo(&pattern, "^(?:%s)$", text_to_cstring(regex));
			if (!DatumGetBool(DirectFunctionCall2Coll(textregexeq, coll, hostname,
													  CStringGetTextDatum(pattern.data))))
				return mt_run_trigger_as(fcinfo, "host_check_full"); /* refused there */
		}
	}

	/* the kind: a container stays one, anything else on no device is a VM */
	d = heap_getattr(newtup, host_meta.h_kind, desc, &isnull);
	cols[1] = host_meta.h_kind;
	values[1] = d;
	nulls[1] = isnull;
	if (!isnull && DatumGetObjectId(d) != host_meta.kind_container)
		values[1] = ObjectIdGetDatum(host_meta.kind_vm);
	return PointerGetDatum(heap_modify_tuple_by_cols(newtup, desc, 2, cols, values, nulls));
}
