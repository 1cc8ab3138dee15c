/*
 * address.c — ip_address_check(), the BEFORE INSERT OR UPDATE row trigger of
 * mountaineer.ip_address, and free_block_holding(), the probe of the free
 * space it makes, for the set-based free-space functions, and
 * prefix_owner(), the probe of the prefix tree, free_add(), which gives a
 * block back to a prefix's free space, free_split(), which takes one out of
 * it, and three statement triggers: prefix_free_insert(), which gives new
 * prefixes their free space, and prefix_free_delete() and
 * ip_address_free_delete(), which give deleted prefixes' and addresses'
 * back (all declared by mountaineer_networks 1.7).
 *
 * Up to 1.7 the check was PL/pgSQL, 12 to 13 µs an address in a bulk insert
 * (five queries and the expressions between them).  Nearly every address
 * an import writes takes the same way through it: written bare, or with its
 * network's mask, free (inside a free block of its VRF, so in no reserved
 * range), not its network's network or broadcast address, and with at most
 * one of host and port.  This answers that case by two btree probes, as the
 * PL/pgSQL does: the greatest free block <= the address in its VRF
 * (prefix_free (vrf_key, block), read backwards), and that block's owner
 * (prefix (id)); it gives the address its network's mask and normalizes
 * dns_name with normalize_hostname(), as the PL/pgSQL does.  Every other row
 * (not free, a port and a host to check against each other, a mask to
 * refuse, a network or broadcast address, an index not as the module made
 * it) goes to ip_address_check_full(), the PL/pgSQL, run as this very
 * trigger call: it refuses with its own messages, or checks and returns the
 * row.
 *
 * It runs as the PL/pgSQL ran, holding the VRF's lock (a_lock_vrf fires
 * first), and reads as its next statement would: after a
 * CommandCounterIncrement, under a new snapshot in READ COMMITTED (the
 * transaction's in REPEATABLE READ), as SECURITY DEFINER.
 */
#include "postgres.h"

#include <sys/socket.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "storage/sinval.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inet.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"

#include "fastpath.h"

PG_FUNCTION_INFO_V1(mountaineer_ip_address_check);
PG_FUNCTION_INFO_V1(mountaineer_free_block_holding);
PG_FUNCTION_INFO_V1(mountaineer_prefix_owner);
PG_FUNCTION_INFO_V1(mountaineer_free_add);
PG_FUNCTION_INFO_V1(mountaineer_free_split);
PG_FUNCTION_INFO_V1(mountaineer_prefix_free_insert);
PG_FUNCTION_INFO_V1(mountaineer_ip_address_free_delete);
PG_FUNCTION_INFO_V1(mountaineer_prefix_free_delete);

extern Datum mountaineer_restoring(PG_FUNCTION_ARGS);

/*
 * What the fast path needs to know of the module's tables, looked up once
 * per backend and forgotten on a relcache invalidation of any of them.
 * usable is false when something is not as the module made it: then every
 * row goes to the PL/pgSQL.
 */
typedef struct AddrMeta
{
	bool		valid;
	bool		usable;
	Oid			address_rel;
	Oid			prefix_rel;
	Oid			free_rel;
	Oid			range_rel;		/* ip_range */
	Oid			free_vrf_idx;	/* prefix_free (vrf_key, block) */
	Oid			free_pkey;		/* prefix_free (prefix_id, block) */
	Oid			prefix_pkey;	/* prefix (id) */
	Oid			prefix_vrf_idx; /* prefix (vrf_id, prefix); InvalidOid: not as made */
	Oid			normalize_fn;	/* normalize_hostname(text) */
	AttrNumber	a_vrf,
				a_address,
				a_host_addr,
				a_host,
				a_port,
				a_dns;
	AttrNumber	f_prefix,
				f_vrf,
				f_block;
	AttrNumber	p_id,
				p_vrf,
				p_prefix,
				p_is_pool;
} AddrMeta;

static AddrMeta addr_meta;
static bool addr_callback;

static void
addr_invalidate(Datum arg pg_attribute_unused(), Oid relid)
{
	if (!OidIsValid(relid) || relid == addr_meta.address_rel || relid == addr_meta.prefix_rel ||
		relid == addr_meta.free_rel || relid == addr_meta.range_rel)
		addr_meta.valid = false;
}

/* a function dropped or made again: normalize_fn may be gone */
static void
addr_invalidate_functions(Datum arg pg_attribute_unused(), int cacheid pg_attribute_unused(),
						  uint32 hashvalue pg_attribute_unused())
{
	addr_meta.valid = false;
}

static AttrNumber
addr_column(Oid relid, const char *name, Oid type, bool *usable)
{
	AttrNumber	att = get_attnum(relid, name);

	if (att == InvalidAttrNumber || get_atttype(relid, att) != type)
		*usable = false;
	return att;
}

static Oid
addr_relam(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			am;

	if (!HeapTupleIsValid(tup))	/* LCOV_EXCL_BR_LINE: found by name just now */
		return InvalidOid;		/* LCOV_EXCL_LINE */
	am = ((Form_pg_class) GETSTRUCT(tup))->relam;
	ReleaseSysCache(tup);
	return am;
}

/*
 * Whether index `name` (schema nsp) is a valid plain btree index of relid
 * whose key columns are exactly cols[0..ncols), in their types' default
 * operator classes: the index the probes' equality and order need.
 */
static Oid
addr_index(Oid nsp, const char *name, Oid relid, int ncols, const AttrNumber *cols, bool *usable)
{
	Oid			indexoid = get_relname_relid(name, nsp);
	HeapTuple	tup;
	Form_pg_index ix;
	bool		fits;

	if (!OidIsValid(indexoid))
	{
		*usable = false;
		return InvalidOid;
	}
	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(tup))	/* LCOV_EXCL_BR_LINE: found by name just now */
	{
		*usable = false;		/* LCOV_EXCL_LINE */
		return InvalidOid;		/* LCOV_EXCL_LINE */
	}
	ix = (Form_pg_index) GETSTRUCT(tup);
	fits = ix->indrelid == relid && ix->indisvalid && ix->indnkeyatts == ncols &&
		addr_relam(indexoid) == BTREE_AM_OID &&
		heap_attisnull(tup, Anum_pg_index_indpred, NULL) &&
		heap_attisnull(tup, Anum_pg_index_indexprs, NULL);
	if (fits)
	{
		bool		isnull;
		oidvector  *indclass = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tup,
																		  Anum_pg_index_indclass, &isnull));

		for (int i = 0; i < ncols && fits; i++)
			fits = ix->indkey.values[i] == cols[i] &&
				indclass->values[i] == GetDefaultOpClass(get_atttype(relid, cols[i]), BTREE_AM_OID);
	}
	ReleaseSysCache(tup);
	if (!fits)
		*usable = false;
	return indexoid;
}

static void
addr_learn_once(AddrMeta *m)
{
	Oid			nsp = get_namespace_oid("mountaineer", false);
	Oid			argtypes[1] = {TEXTOID};
	bool		usable = true;
	AttrNumber	vrf_block[2];
	AttrNumber	vrf_prefix[2];
	AttrNumber	prefix_block[2];

	memset(m, 0, sizeof(AddrMeta));
	m->address_rel = get_relname_relid("ip_address", nsp);
	m->prefix_rel = get_relname_relid("prefix", nsp);
	m->free_rel = get_relname_relid("prefix_free", nsp);
	m->range_rel = get_relname_relid("ip_range", nsp);
	if (!OidIsValid(m->address_rel) || !OidIsValid(m->prefix_rel) || !OidIsValid(m->free_rel) ||
		!OidIsValid(m->range_rel))
		return;					/* not usable */
	m->a_vrf = addr_column(m->address_rel, "vrf_id", UUIDOID, &usable);
	m->a_address = addr_column(m->address_rel, "address", INETOID, &usable);
	m->a_host_addr = addr_column(m->address_rel, "host_addr", CIDROID, &usable);
	m->a_host = addr_column(m->address_rel, "host_id", UUIDOID, &usable);
	m->a_port = addr_column(m->address_rel, "port_id", UUIDOID, &usable);
	m->a_dns = addr_column(m->address_rel, "dns_name", TEXTOID, &usable);
	m->f_prefix = addr_column(m->free_rel, "prefix_id", UUIDOID, &usable);
	vrf_block[0] = m->f_vrf = addr_column(m->free_rel, "vrf_key", UUIDOID, &usable);
	vrf_block[1] = m->f_block = addr_column(m->free_rel, "block", CIDROID, &usable);
	prefix_block[0] = m->f_prefix;
	prefix_block[1] = m->f_block;
	m->p_id = addr_column(m->prefix_rel, "id", UUIDOID, &usable);
	vrf_prefix[0] = m->p_vrf = addr_column(m->prefix_rel, "vrf_id", UUIDOID, &usable);
	vrf_prefix[1] = m->p_prefix = addr_column(m->prefix_rel, "prefix", CIDROID, &usable);
	m->p_is_pool = addr_column(m->prefix_rel, "is_pool", BOOLOID, &usable);
	if (usable)
	{
		bool		tree_usable = true;

		m->free_vrf_idx = addr_index(nsp, "prefix_free_vrf_idx", m->free_rel, 2, vrf_block, &usable);
		m->free_pkey = addr_index(nsp, "prefix_free_pkey", m->free_rel, 2, prefix_block, &usable);
		m->prefix_pkey = addr_index(nsp, "prefix_pkey", m->prefix_rel, 1, &m->p_id, &usable);
		/* prefix_owner() alone reads it: without it, only that one runs its query */
		m->prefix_vrf_idx = addr_index(nsp, "prefix_vrf_prefix_key", m->prefix_rel, 2, vrf_prefix, &tree_usable);
		if (!tree_usable)
			m->prefix_vrf_idx = InvalidOid;
	}
	m->normalize_fn = LookupFuncName(stringToQualifiedNameList("mountaineer.normalize_hostname"), 1, argtypes, true);
	m->usable = usable && OidIsValid(m->normalize_fn);
}

static void
addr_learn_into(void *out)
{
	addr_learn_once((AddrMeta *) out);
}

/* Learns the metadata (fastpath.c says how). */
static void
addr_learn(void)
{
	if (!addr_callback)
	{
		CacheRegisterRelcacheCallback(addr_invalidate, (Datum) 0);
		CacheRegisterSyscacheCallback(PROCOID, addr_invalidate_functions, (Datum) 0);
		addr_callback = true;
	}
	addr_meta.valid = false;
	mt_learn_stable(addr_learn_into, &addr_meta, sizeof(AddrMeta));
	addr_meta.valid = true;
}

/*
 * The free block of vkey holding all of b (b itself or a block containing
 * it), its owner and (block_out, tid_out, when given) a copy of the block
 * and where its row is; false when no free block holds b.
 */
static bool
addr_free_block(Relation free_rel, Relation free_idx, Snapshot snapshot, Datum vkey, inet *b,
				pg_uuid_t *owner, inet **block_out, ItemPointer tid_out)
{
	IndexScanDesc scan;
	TupleTableSlot *slot = table_slot_create(free_rel, NULL);
	ScanKeyData keys[2];
	bool		found;
	bool		free = false;

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_UUID_EQ, vkey);
	ScanKeyInit(&keys[1], 2, BTLessEqualStrategyNumber, F_NETWORK_LE, InetPGetDatum(b));
	scan = index_beginscan(free_rel, free_idx, snapshot, 2, 0);
	index_rescan(scan, keys, 2, NULL, 0);
	/* the greatest block <= b: the one that contains b, if any does */
	found = index_getnext_slot(scan, BackwardScanDirection, slot);
	if (found)
	{
		bool		isnull;
		Datum		block = slot_getattr(slot, addr_meta.f_block, &isnull);
		Datum		id = slot_getattr(slot, addr_meta.f_prefix, &isnull);

		free = DatumGetBool(DirectFunctionCall2(network_supeq, block, InetPGetDatum(b)));
		memcpy(owner, DatumGetUUIDP(id), sizeof(pg_uuid_t));
		if (free && block_out != NULL)
			*block_out = (inet *) PG_DETOAST_DATUM_COPY(block);
		if (free && tid_out != NULL)
			ItemPointerCopy(&slot->tts_tid, tid_out);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	return free;
}

/* The prefix with that id: its block and whether it is a pool; false when none. */
static bool
addr_prefix(Snapshot snapshot, const pg_uuid_t *id, inet **prefix, bool *is_pool)
{
	Relation	rel = table_open(addr_meta.prefix_rel, AccessShareLock);
	Relation	idx = index_open(addr_meta.prefix_pkey, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	IndexScanDesc scan;
	ScanKeyData key;
	bool		found;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum((pg_uuid_t *) id));
	scan = index_beginscan(rel, idx, snapshot, 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	if (found)
	{
		bool		isnull;

		*prefix = (inet *) PG_DETOAST_DATUM_COPY(slot_getattr(slot, addr_meta.p_prefix, &isnull));
		*is_pool = DatumGetBool(slot_getattr(slot, addr_meta.p_is_pool, &isnull));
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, NoLock);
	table_close(rel, NoLock);
	return found;
}

/*
 * Whether the bare address `a` is the first or the last address of the
 * IPv4 block p (its network or broadcast address).
 */
static bool
addr_is_edge(const inet *a, const inet *p)
{
	const unsigned char *x = ip_addr(a);
	const unsigned char *net = ip_addr(p);
	int			bits = ip_bits(p);
	bool		first = true,
				last = true;

	for (int i = 0; i < 4; i++)
	{
		int			keep = Max(0, Min(8, bits - 8 * i));	/* network bits of byte i */
		unsigned char host = (unsigned char) (0xFF >> keep);

		first = first && x[i] == net[i];
		last = last && x[i] == (unsigned char) (net[i] | host);
	}
	return first || last;
}

/* ip_address_check() returns trigger: BEFORE INSERT OR UPDATE FOR EACH ROW */
Datum
mountaineer_ip_address_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	newtup,
				oldtup;
	TupleDesc	desc;
	bool		isnull;
	Datum		address,
				vrf;
	inet	   *a,
			   *b,
			   *prefix = NULL;
	pg_uuid_t	vkey,
				owner;
	int			width,
				len;
	bool		is_pool = false,
				found;
	int			cols[2];
	Datum		values[2];
	bool		nulls[2] = {false, false};
	int			ncols = 0;
	Relation	free_rel,
				free_idx;

	mt_before_write_row(fcinfo, "ip_address_check", &newtup, &oldtup);
	if (!addr_meta.valid)
		addr_learn();
	if (!addr_meta.usable || RelationGetRelid(td->tg_relation) != addr_meta.address_rel)
		return mt_run_trigger_as(fcinfo, "ip_address_check_full");
	desc = RelationGetDescr(td->tg_relation);

	/* a port and a host are checked against each other by the PL/pgSQL */
	(void) heap_getattr(newtup, addr_meta.a_port, desc, &isnull);
	if (!isnull)
	{
		(void) heap_getattr(newtup, addr_meta.a_host, desc, &isnull);
		if (!isnull)
			return mt_run_trigger_as(fcinfo, "ip_address_check_full");
	}
	address = heap_getattr(newtup, addr_meta.a_address, desc, &isnull);
	if (isnull)
		return mt_run_trigger_as(fcinfo, "ip_address_check_full"); /* NOT NULL's to refuse, after the rest */
	a = DatumGetInetPP(address);
	vrf = heap_getattr(newtup, addr_meta.a_vrf, desc, &isnull);
	memset(&vkey, 0, sizeof(vkey)); /* vrf_key(): the all-zero key for the global table */
	if (!isnull)
		memcpy(&vkey, DatumGetUUIDP(vrf), sizeof(vkey));

	/* dns_name, normalized as the PL/pgSQL does it first */
	{
		Datum		dns = heap_getattr(newtup, addr_meta.a_dns, desc, &isnull);

		if (!isnull)
		{
			cols[ncols] = addr_meta.a_dns;
			values[ncols] = OidFunctionCall1Coll(addr_meta.normalize_fn,
												 TupleDescAttr(desc, addr_meta.a_dns - 1)->attcollation, dns);
			ncols++;
		}
	}

	/* an update that moves the address nowhere keeps it as it is */
	if (oldtup != NULL)
	{
		Datum		old_address = heap_getattr(oldtup, addr_meta.a_address, desc, &isnull);

		if (!isnull && DatumGetBool(DirectFunctionCall2(network_eq, address, old_address)))
		{
			Datum		old_vrf = heap_getattr(oldtup, addr_meta.a_vrf, desc, &isnull);
			pg_uuid_t	old_vkey;

			memset(&old_vkey, 0, sizeof(old_vkey));
			if (!isnull)
				memcpy(&old_vkey, DatumGetUUIDP(old_vrf), sizeof(old_vkey));
			if (memcmp(&vkey, &old_vkey, sizeof(vkey)) == 0)
				return ncols == 0 ? PointerGetDatum(newtup) :
					PointerGetDatum(heap_modify_tuple_by_cols(newtup, desc, ncols, cols, values, nulls));
		}
	}

	/* the single address, as a /32 or /128 block */
	width = ip_family(a) == PGSQL_AF_INET ? 32 : 128;
	b = (inet *) palloc0(sizeof(inet));
	ip_family(b) = ip_family(a);
	ip_bits(b) = (unsigned char) width;
	memcpy(ip_addr(b), ip_addr(a), ip_addrsize(a));
	SET_INET_VARSIZE(b);

	/*
	 * Read as the PL/pgSQL's next statement would: after a command counter
	 * increment (a_lock_vrf's query has made one already, today), so that
	 * what the statement wrote before this row is seen.
	 */
	CommandCounterIncrement();
	PushCopiedSnapshot(GetTransactionSnapshot());
	free_rel = table_open(addr_meta.free_rel, AccessShareLock);
	free_idx = index_open(addr_meta.free_vrf_idx, AccessShareLock);
	/* opening them may have processed an invalidation of what we learnt */
	found = addr_meta.valid &&
		addr_free_block(free_rel, free_idx, GetActiveSnapshot(), UUIDPGetDatum(&vkey), b, &owner, NULL, NULL);
	index_close(free_idx, NoLock);
	table_close(free_rel, NoLock);
	found = found && addr_prefix(GetActiveSnapshot(), &owner, &prefix, &is_pool) && addr_meta.valid;
	PopActiveSnapshot();
	/* not free (maybe in a reserved range), or a block without its owner */
	if (!found)
		return mt_run_trigger_as(fcinfo, "ip_address_check_full");

	/* its network's mask: given it when written bare, else it must carry it */
	len = ip_bits(prefix);
	if (ip_bits(a) != width && ip_bits(a) != len)
		return mt_run_trigger_as(fcinfo, "ip_address_check_full"); /* refused there */
	if (width == 32 && !is_pool && len <= 30 && addr_is_edge(a, prefix))
		return mt_run_trigger_as(fcinfo, "ip_address_check_full"); /* refused there */
	if (ip_bits(a) != len)
	{
		cols[ncols] = addr_meta.a_address;
		values[ncols] = DirectFunctionCall2(inet_set_masklen, address, Int32GetDatum(len));
		ncols++;
	}
	if (ncols == 0)
		return PointerGetDatum(newtup);
	return PointerGetDatum(heap_modify_tuple_by_cols(newtup, desc, ncols, cols, values, nulls));
}

/*
 * free_block_holding(vkey uuid, b cidr, OUT prefix_id uuid, OUT block cidr):
 * the free block of VRF vkey holding all of b, with its owner; NULL when
 * none does.  The set-based free-space functions probe it once per row of
 * their statement.  As a subquery (the greatest block <= b, ORDER BY block
 * DESC LIMIT 1) the planner costed it from statistics taken while
 * prefix_free was small, and chose a bitmap scan of every block of the VRF
 * below b and a sort: each of 20,000 single-row INSERTs of /28s took longer
 * than the one before (1.6 ms at the end).  This reads prefix_free_vrf_idx
 * backwards under the query's snapshot, whatever the statistics say.
 * Without that index as the module made it, or when the caller could not
 * read prefix_free itself (no SELECT privilege, row-level security), it
 * runs the query instead.
 */
Datum
mountaineer_free_block_holding(PG_FUNCTION_ARGS)
{
	Datum		vkey = PG_GETARG_DATUM(0);
	inet	   *b = PG_GETARG_INET_PP(1);
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	pg_uuid_t  *owner = palloc(sizeof(pg_uuid_t));
	inet	   *block = NULL;
	bool		found = false,
				answered = false;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "free_block_holding() must return a record");	/* LCOV_EXCL_LINE */
	if (!addr_meta.valid)
		addr_learn();
	if (addr_meta.usable &&
		pg_class_aclcheck(addr_meta.free_rel, GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
		check_enable_rls(addr_meta.free_rel, InvalidOid, true) != RLS_ENABLED)
	{
		Relation	free_rel = table_open(addr_meta.free_rel, AccessShareLock);
		Relation	free_idx = index_open(addr_meta.free_vrf_idx, AccessShareLock);

		/* opening them may have processed an invalidation of what we learnt */
		if (addr_meta.valid)
		{
			found = addr_free_block(free_rel, free_idx, GetActiveSnapshot(), vkey, b, owner, &block, NULL);
			answered = true;
		}
		index_close(free_idx, NoLock);
		table_close(free_rel, NoLock);
	}
	if (!answered)
	{
		Oid			argtypes[2] = {UUIDOID, CIDROID};
		Datum		args[2] = {vkey, InetPGetDatum(b)};

		if (SPI_connect() != SPI_OK_CONNECT)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "SPI_connect failed");	/* LCOV_EXCL_LINE */
		if (SPI_execute_with_args("SELECT f.prefix_id, f.block"
								  "  FROM (SELECT g.prefix_id, g.block FROM mountaineer.prefix_free g"
								  "         WHERE g.vrf_key OPERATOR(pg_catalog.=) $1"
								  "           AND g.block OPERATOR(pg_catalog.<=) $2"
								  "         ORDER BY g.block DESC LIMIT 1) f"
								  " WHERE f.block OPERATOR(pg_catalog.>>=) $2",
								  2, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "free_block_holding(): the query failed");	/* LCOV_EXCL_LINE */
		if (SPI_processed == 1)
		{
			bool		isnull;
			HeapTuple	tup = SPI_tuptable->vals[0];
			TupleDesc	desc = SPI_tuptable->tupdesc;

			memcpy(owner, DatumGetUUIDP(SPI_getbinval(tup, desc, 1, &isnull)), sizeof(pg_uuid_t));
			block = (inet *) SPI_datumTransfer(SPI_getbinval(tup, desc, 2, &isnull), false, -1);
			found = true;
		}
		SPI_finish();
	}
	if (!found)
		PG_RETURN_NULL();
	values[0] = UUIDPGetDatum(owner);
	values[1] = InetPGetDatum(block);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/* b's first len bits as a block (a cidr of length len), in the memory of the caller */
static inet *
addr_truncated(const inet *b, int len)
{
	inet	   *c = (inet *) palloc0(sizeof(inet));
	unsigned char *a;

	ip_family(c) = ip_family(b);
	ip_bits(c) = (unsigned char) len;
	memcpy(ip_addr(c), ip_addr(b), ip_addrsize(b));
	a = ip_addr(c);
	for (int i = 0; i < ip_addrsize(b); i++)
	{
		int			keep = Max(0, Min(8, len - 8 * i));	/* bits of byte i kept */

		a[i] &= (unsigned char) (0xFF << (8 - keep));
	}
	SET_INET_VARSIZE(c);
	return c;
}

/* how many leading bits a and b share, at most n */
static int
addr_common_bits(const inet *a, const inet *b, int n)
{
	int			k = 0;

	while (k < n && bitncmp(ip_addr(a), ip_addr(b), k + 1) == 0)
		k++;
	return k;
}

/*
 * The longest prefix of one VRF (vrf: its id, or NULL for the rows whose
 * vrf_id is NULL) that contains b, other than not_id (when given): a copy of
 * its row in *best unless *best is already one at least as long.  Reads
 * prefix (vrf_id, prefix) backwards from b: the greatest prefix s <= b
 * either contains b, and is then the longest that does (a longer one sorts
 * between s and b), or shares only its first k bits with b, and then no
 * prefix longer than k contains b (it too would sort between s and b): the
 * scan goes on from b's block of length k, which s does not precede.  Each
 * step shortens the block; usually a few do (3 for a /28 among 100,000
 * sibling /28s under a /8).
 */
static void
addr_owner_in(Relation rel, Relation idx, Snapshot snapshot, const pg_uuid_t *vrf, const inet *b,
			  const pg_uuid_t *not_id, HeapTuple *best)
{
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	IndexScanDesc scan = index_beginscan(rel, idx, snapshot, 2, 0);
	ScanKeyData keys[2];
	inet	   *key = (inet *) b;

	for (;;)
	{
		bool		isnull,
					found = false;
		inet	   *s = NULL;
		int			k;

		CHECK_FOR_INTERRUPTS();
		if (vrf == NULL)
			ScanKeyEntryInitialize(&keys[0], SK_ISNULL | SK_SEARCHNULL, 1, InvalidStrategy,
								   InvalidOid, InvalidOid, InvalidOid, (Datum) 0);
		else
			ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum((pg_uuid_t *) vrf));
		ScanKeyInit(&keys[1], 2, BTLessEqualStrategyNumber, F_NETWORK_LE, InetPGetDatum(key));
		index_rescan(scan, keys, 2, NULL, 0);
		while (index_getnext_slot(scan, BackwardScanDirection, slot))
		{
			Datum		id = slot_getattr(slot, addr_meta.p_id, &isnull);

			if (not_id != NULL && memcmp(DatumGetUUIDP(id), not_id, sizeof(pg_uuid_t)) == 0)
				continue;
			s = DatumGetInetPP(slot_getattr(slot, addr_meta.p_prefix, &isnull));
			found = true;
			break;
		}
		/* nothing below, or only the other family (IPv4 sorts before IPv6) */
		if (!found || ip_family(s) != ip_family(b))
			break;
		k = addr_common_bits(s, b, Min(ip_bits(s), ip_bits(b)));
		if (k == ip_bits(s))
		{
			/* s contains b: the answer of this VRF, if longer than the other's */
			if (*best == NULL ||
				ip_bits(DatumGetInetPP(heap_getattr(*best, addr_meta.p_prefix, RelationGetDescr(rel), &isnull))) < k)
				*best = ExecCopySlotHeapTuple(slot);
			break;
		}
		key = addr_truncated(b, k);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * prefix_owner(vkey uuid, b cidr, not_id uuid DEFAULT NULL) RETURNS
 * mountaineer.prefix: the smallest prefix of VRF key vkey that contains b
 * (b itself included), other than the prefix not_id; NULL when none.  As
 * SQL (1.6) it read the GiST index on (vrf_key(vrf_id), prefix): 40 µs with
 * 3,000 /28s under a /8 just vacuumed, 140 µs while the entries of the
 * prefixes a run of single-row DELETEs had just removed were still there.
 * Here a few probes of the btree prefix_vrf_prefix_key (addr_owner_in());
 * vkey, which stands for both a NULL vrf_id and the all-zero one, is read
 * as both.  Without that index as the module made it, or when the caller
 * could not read prefix itself (no SELECT privilege, row-level security),
 * it runs the query.
 */
Datum
mountaineer_prefix_owner(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *vkey,
			   *not_id;
	inet	   *b;
	TupleDesc	tupdesc;
	HeapTuple	best = NULL;
	Datum		answer = (Datum) 0;
	bool		answered = false,
				found = false;
	static const pg_uuid_t zero;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	vkey = PG_GETARG_UUID_P(0);
	b = PG_GETARG_INET_PP(1);
	not_id = PG_ARGISNULL(2) ? NULL : PG_GETARG_UUID_P(2);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "prefix_owner() must return a row of mountaineer.prefix");	/* LCOV_EXCL_LINE */
	if (!addr_meta.valid)
		addr_learn();
	if (addr_meta.usable && OidIsValid(addr_meta.prefix_vrf_idx) &&
		pg_class_aclcheck(addr_meta.prefix_rel, GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
		check_enable_rls(addr_meta.prefix_rel, InvalidOid, true) != RLS_ENABLED)
	{
		Relation	rel = table_open(addr_meta.prefix_rel, AccessShareLock);
		Relation	idx = index_open(addr_meta.prefix_vrf_idx, AccessShareLock);

		/* opening them may have processed an invalidation of what we learnt */
		if (addr_meta.valid && tupdesc->tdtypeid == RelationGetForm(rel)->reltype)
		{
			addr_owner_in(rel, idx, GetActiveSnapshot(), vkey, b, not_id, &best);
			if (memcmp(vkey, &zero, sizeof(zero)) == 0)
				addr_owner_in(rel, idx, GetActiveSnapshot(), NULL, b, not_id, &best);
			found = best != NULL;
			if (found)
				answer = heap_copy_tuple_as_datum(best, RelationGetDescr(rel));
			answered = true;
		}
		index_close(idx, NoLock);
		table_close(rel, NoLock);
	}
	if (!answered)
	{
		Oid			argtypes[3] = {UUIDOID, CIDROID, UUIDOID};
		Datum		args[3] = {UUIDPGetDatum(vkey), InetPGetDatum(b), not_id ? UUIDPGetDatum(not_id) : (Datum) 0};
		char		nulls[3] = {' ', ' ', not_id ? ' ' : 'n'};

		if (SPI_connect() != SPI_OK_CONNECT)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "SPI_connect failed");	/* LCOV_EXCL_LINE */
		if (SPI_execute_with_args("SELECT p FROM mountaineer.prefix p"
								  " WHERE mountaineer.vrf_key(p.vrf_id) OPERATOR(pg_catalog.=) $1"
								  "   AND p.prefix OPERATOR(pg_catalog.>>=) $2"
								  "   AND ($3 IS NULL OR p.id OPERATOR(pg_catalog.<>) $3)"
								  " ORDER BY pg_catalog.masklen(p.prefix) DESC LIMIT 1",
								  3, argtypes, args, nulls, true, 1) != SPI_OK_SELECT)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "prefix_owner(): the query failed");	/* LCOV_EXCL_LINE */
		if (SPI_processed == 1)
		{
			bool		isnull;

			answer = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull),
									   false, -1);
			found = true;
		}
		SPI_finish();
	}
	if (!found)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(answer);
}

/*
 * Reads as a PL/pgSQL function's next statement would: after a
 * CommandCounterIncrement (what the statement wrote so far is seen), under a
 * new snapshot in READ COMMITTED (the transaction's in REPEATABLE READ);
 * PopActiveSnapshot() ends it.
 */
static void
addr_push_statement_snapshot(void)
{
	CommandCounterIncrement();
	PushCopiedSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
}

/*
 * Whether this is a call of an AFTER ... FOR EACH STATEMENT trigger of
 * event on the module's table *relid (learnt first) whose transition table
 * (*ts) holds exactly one row: the case the C triggers below answer
 * themselves.
 */
static bool
addr_one_row_statement(FunctionCallInfo fcinfo, TriggerEvent event, const Oid *relid, Tuplestorestate **ts)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event) || (td->tg_event & TRIGGER_EVENT_OPMASK) != event)
		return false;
	*ts = event == TRIGGER_EVENT_INSERT ? td->tg_newtable : td->tg_oldtable;
	if (*ts == NULL || tuplestore_tuple_count(*ts) != 1)
		return false;
	if (!addr_meta.valid)
		addr_learn();
	return addr_meta.usable && RelationGetRelid(td->tg_relation) == *relid;
}

/*
 * The one row of transition table ts of rel, in a slot of its own (each
 * reader of a transition table reads it by a pointer of its own), and the
 * VRF key of its vrf_id (attribute vrf_att): vrf_key(vrf_id), the all-zero
 * uuid for the global table.
 */
static TupleTableSlot *
addr_only_row(Relation rel, Tuplestorestate *ts, AttrNumber vrf_att, pg_uuid_t *vkey)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
	bool		isnull;
	Datum		vrf;

	tuplestore_select_read_pointer(ts, tuplestore_alloc_read_pointer(ts, EXEC_FLAG_REWIND));
	tuplestore_rescan(ts);
	if (!tuplestore_gettupleslot(ts, true, false, slot))	/* LCOV_EXCL_BR_LINE: it holds one */
		elog(ERROR, "a transition table of one row is empty");	/* LCOV_EXCL_LINE */
	vrf = slot_getattr(slot, vrf_att, &isnull);
	memset(vkey, 0, sizeof(pg_uuid_t));
	if (!isnull)
		memcpy(vkey, DatumGetUUIDP(vrf), sizeof(pg_uuid_t));
	return slot;
}

/* b with bit `bit` (0: the first) flipped: the other half of b's parent */
static inet *
addr_buddy(const inet *b, int bit)
{
	inet	   *c = addr_truncated(b, ip_bits(b));

	ip_addr(c)[bit / 8] ^= (unsigned char) (0x80 >> (bit % 8));
	return c;
}

/*
 * What free_add() does, as the PL/pgSQL did it up to 1.6, through SPI: for a
 * caller that may not read, delete and insert prefix_free itself (it is
 * refused as the PL/pgSQL was), or a prefix_free not as the module made it.
 */
static void
addr_free_add_query(Datum owner, int owner_len, Datum vkey, inet *b)
{
	Oid			argtypes[3] = {UUIDOID, CIDROID, UUIDOID};

	if (SPI_connect() != SPI_OK_CONNECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "SPI_connect failed");	/* LCOV_EXCL_LINE */
	while (ip_bits(b) > owner_len)
	{
		Datum		args[2] = {owner, InetPGetDatum(addr_buddy(b, ip_bits(b) - 1))};

		CHECK_FOR_INTERRUPTS();
		if (SPI_execute_with_args("DELETE FROM mountaineer.prefix_free"
								  " WHERE prefix_id OPERATOR(pg_catalog.=) $1 AND block OPERATOR(pg_catalog.=) $2",
								  2, argtypes, args, NULL, false, 0) != SPI_OK_DELETE)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "free_add(): the DELETE failed");	/* LCOV_EXCL_LINE */
		if (SPI_processed == 0)
			break;
		b = addr_truncated(b, ip_bits(b) - 1);
	}
	{
		Datum		args[3] = {owner, InetPGetDatum(b), vkey};

		if (SPI_execute_with_args("INSERT INTO mountaineer.prefix_free (prefix_id, block, vrf_key) VALUES ($1, $2, $3)",
								  3, argtypes, args, NULL, false, 0) != SPI_OK_INSERT)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "free_add(): the INSERT failed");	/* LCOV_EXCL_LINE */
	}
	SPI_finish();
}

/* Whether prefix_free is a plain table free_add() may write itself. */
static bool
addr_free_writable(Relation rel)
{
	AclMode		need = ACL_SELECT | ACL_INSERT | ACL_DELETE;

	return rel->trigdesc == NULL && !rel->rd_rel->relhasrules &&
		(rel->rd_att->constr == NULL || rel->rd_att->constr->num_check == 0) &&
		pg_class_aclmask(RelationGetRelid(rel), GetUserId(), need, ACLMASK_ALL) == need &&
		check_enable_rls(RelationGetRelid(rel), InvalidOid, true) != RLS_ENABLED;
}

/*
 * What free_add() and free_split() write into prefix_free themselves (rel,
 * open, a plain table: addr_free_writable()): rows deleted by where they
 * are, rows inserted into the heap and every index, as an INSERT's would be
 * (its primary key refuses a block already there).
 */
typedef struct FreeWriter
{
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
} FreeWriter;

static void
free_writer_open(FreeWriter *w, Relation rel)
{
	w->rel = rel;
	w->estate = CreateExecutorState();
	w->rri = makeNode(ResultRelInfo);
	w->slot = table_slot_create(rel, NULL);
	InitResultRelInfo(w->rri, rel, 1, NULL, 0);
	ExecOpenIndices(w->rri, false);
}

static void
free_writer_insert(FreeWriter *w, Datum owner, Datum vkey, inet *block)
{
	TupleTableSlot *slot = w->slot;

	ExecClearTuple(slot);
	memset(slot->tts_isnull, true, sizeof(bool) * RelationGetDescr(w->rel)->natts);
	slot->tts_values[addr_meta.f_prefix - 1] = owner;
	slot->tts_values[addr_meta.f_vrf - 1] = vkey;
	slot->tts_values[addr_meta.f_block - 1] = InetPGetDatum(block);
	slot->tts_isnull[addr_meta.f_prefix - 1] = false;
	slot->tts_isnull[addr_meta.f_vrf - 1] = false;
	slot->tts_isnull[addr_meta.f_block - 1] = false;
	ExecStoreVirtualTuple(slot);
	table_tuple_insert(w->rel, slot, GetCurrentCommandId(true), 0, NULL);
	(void) ExecInsertIndexTuples(w->rri, slot, w->estate, false, false, NULL, NIL);
	ExecClearTuple(slot);
	ResetPerTupleExprContext(w->estate);
}

static void
free_writer_close(FreeWriter *w)
{
	ExecCloseIndices(w->rri);
	ExecDropSingleTupleTableSlot(w->slot);
	FreeExecutorState(w->estate);
}

/*
 * free_add()'s merge, on prefix_free itself (rel, open): the buddies
 * deleted, the block they make inserted.
 */
static void
addr_free_add_direct(Relation rel, Datum owner, int owner_len, Datum vkey, inet *b)
{
	Relation	pkey = index_open(addr_meta.free_pkey, RowExclusiveLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	IndexScanDesc scan = index_beginscan(rel, pkey, GetActiveSnapshot(), 2, 0);
	FreeWriter	w;

	while (ip_bits(b) > owner_len)
	{
		ScanKeyData keys[2];

		CHECK_FOR_INTERRUPTS();
		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_UUID_EQ, owner);
		ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_NETWORK_EQ,
					InetPGetDatum(addr_buddy(b, ip_bits(b) - 1)));
		index_rescan(scan, keys, 2, NULL, 0);
		if (!index_getnext_slot(scan, ForwardScanDirection, slot))
			break;
		simple_table_tuple_delete(rel, &slot->tts_tid, GetActiveSnapshot());
		b = addr_truncated(b, ip_bits(b) - 1);
	}
	index_endscan(scan);
	index_close(pkey, NoLock);
	ExecDropSingleTupleTableSlot(slot);

	free_writer_open(&w, rel);
	free_writer_insert(&w, owner, vkey, b);
	free_writer_close(&w);
}

/* free_add() of b (inside the owner's prefix, owner_len long), as the SQL function below */
static void
addr_free_add(Datum owner, int owner_len, Datum vkey, inet *b)
{
	bool		direct = false;

	/* refused as the PL/pgSQL's first statement was, on a standby too */
	PreventCommandIfReadOnly("DELETE");
	if (!addr_meta.valid)
		addr_learn();
	addr_push_statement_snapshot();
	if (addr_meta.usable)
	{
		Relation	rel = table_open(addr_meta.free_rel, RowExclusiveLock);

		/* opening it may have processed an invalidation of what we learnt */
		direct = addr_meta.valid && addr_free_writable(rel);
		if (direct)
			addr_free_add_direct(rel, owner, owner_len, vkey, b);
		table_close(rel, NoLock);
	}
	PopActiveSnapshot();
	if (!direct)
		addr_free_add_query(owner, owner_len, vkey, b);
}

/*
 * free_add(owner uuid, owner_prefix cidr, vkey uuid, b cidr) RETURNS void:
 * gives block b (inside owner_prefix, the prefix owner's block) back to
 * owner's free space: while b's buddy (the other half of its parent) is a
 * free block of owner, the buddy is deleted and b becomes the parent; then
 * b is inserted.  Each buddy is one probe of prefix_free_pkey (prefix_id,
 * block); the merged block goes into the heap and every index, as an
 * INSERT's row would (prefix_free has no trigger, rule or CHECK constraint:
 * with one, or for a caller who may not read, delete and insert it, or
 * under row-level security, the statements run through SPI instead).  As
 * PL/pgSQL (to 1.6) each probe and the insert were a statement: 25 µs a
 * call in 20,000 single-row DELETEs of addresses.
 *
 * It reads as the PL/pgSQL's statements did: after a
 * CommandCounterIncrement (what a call before it in the same statement
 * wrote is seen), under a new snapshot in READ COMMITTED (the
 * transaction's in REPEATABLE READ).  Its callers hold the VRF's lock, so
 * no other transaction changes these rows meanwhile; one that did anyway
 * makes the delete fail ("tuple concurrently deleted") rather than wait.
 */
Datum
mountaineer_free_add(PG_FUNCTION_ARGS)
{
	Datum		owner,
				vkey;
	inet	   *owner_prefix,
			   *b;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("free_add(): no argument may be NULL")));
	owner = PG_GETARG_DATUM(0);
	owner_prefix = PG_GETARG_INET_PP(1);
	vkey = PG_GETARG_DATUM(2);
	b = PG_GETARG_INET_PP(3);
	if (ip_family(b) != ip_family(owner_prefix) || ip_bits(b) < ip_bits(owner_prefix) ||
		bitncmp(ip_addr(b), ip_addr(owner_prefix), ip_bits(owner_prefix)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("free_add(): block %s is not inside the owner's prefix %s",
						DatumGetCString(DirectFunctionCall1(cidr_out, InetPGetDatum(b))),
						DatumGetCString(DirectFunctionCall1(cidr_out, InetPGetDatum(owner_prefix))))));
	addr_free_add(owner, ip_bits(owner_prefix), vkey, b);
	PG_RETURN_VOID();
}

/*
 * free_split()'s way on prefix_free itself (rel, open): the free block of
 * vkey holding b replaced by what is left of it, the blocks of b's path up
 * to it but not b (each the buddy of one of them), and b given to
 * new_owner when there is one; false when no free block holds b.
 */
static bool
addr_free_split_direct(Relation rel, Datum vkey, inet *b, const pg_uuid_t *new_owner)
{
	Relation	idx = index_open(addr_meta.free_vrf_idx, RowExclusiveLock);
	pg_uuid_t  *owner = palloc(sizeof(pg_uuid_t));
	inet	   *held = NULL;
	ItemPointerData tid;
	bool		found = addr_free_block(rel, idx, GetActiveSnapshot(), vkey, b, owner, &held, &tid);
	FreeWriter	w;

	index_close(idx, NoLock);
	if (!found)
		return false;
	/* refused as the statements' DELETE was, on a standby too */
	PreventCommandIfReadOnly("DELETE");
	simple_table_tuple_delete(rel, &tid, GetActiveSnapshot());
	free_writer_open(&w, rel);
	for (int len = ip_bits(b); len > ip_bits(held); len--)
	{
		CHECK_FOR_INTERRUPTS();
		free_writer_insert(&w, UUIDPGetDatum(owner), vkey, addr_buddy(addr_truncated(b, len), len - 1));
	}
	if (new_owner != NULL)
		free_writer_insert(&w, UUIDPGetDatum((pg_uuid_t *) new_owner), vkey, b);
	free_writer_close(&w);
	return true;
}

/* free_split()'s statements through SPI, for free_split() (as free_add_query()) */
static bool
addr_free_split_query(Datum vkey, inet *b, const pg_uuid_t *new_owner)
{
	Oid			argtypes[4] = {UUIDOID, CIDROID, UUIDOID, CIDROID};
	Datum		args[4] = {vkey, InetPGetDatum(b), (Datum) 0, (Datum) 0};
	bool		found;

	if (SPI_connect() != SPI_OK_CONNECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "SPI_connect failed");	/* LCOV_EXCL_LINE */
	if (SPI_execute_with_args("SELECT h.prefix_id, h.block FROM mountaineer.free_block_holding($1, $2) h"
							  " WHERE h.block IS NOT NULL",
							  2, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "free_split(): the query failed");	/* LCOV_EXCL_LINE */
	found = SPI_processed == 1;
	if (found)
	{
		bool		isnull;

		args[2] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		args[3] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
		if (SPI_execute_with_args("DELETE FROM mountaineer.prefix_free"
								  " WHERE prefix_id OPERATOR(pg_catalog.=) $3 AND block OPERATOR(pg_catalog.=) $4",
								  4, argtypes, args, NULL, false, 0) != SPI_OK_DELETE)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "free_split(): the DELETE failed");	/* LCOV_EXCL_LINE */
		if (SPI_execute_with_args("INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block)"
								  " SELECT $3, $1, r FROM mountaineer.cidr_free($4, ARRAY[$2]) r",
								  4, argtypes, args, NULL, false, 0) != SPI_OK_INSERT)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "free_split(): the INSERT failed");	/* LCOV_EXCL_LINE */
		if (new_owner != NULL)
		{
			args[2] = UUIDPGetDatum((pg_uuid_t *) new_owner);
			if (SPI_execute_with_args("INSERT INTO mountaineer.prefix_free (prefix_id, vrf_key, block) VALUES ($3, $1, $2)",
									  3, argtypes, args, NULL, false, 0) != SPI_OK_INSERT)	/* LCOV_EXCL_BR_LINE */
				elog(ERROR, "free_split(): the INSERT failed");	/* LCOV_EXCL_LINE */
		}
	}
	SPI_finish();
	return found;
}

/*
 * free_split(vkey uuid, b cidr, new_owner uuid DEFAULT NULL) RETURNS
 * boolean: when a free block of VRF key vkey holds all of b (b itself or a
 * block containing it), replaces it by what is left of it (its owner's
 * still) and, when new_owner is given, gives b to new_owner; true.  False,
 * and nothing changed, when no free block holds b.  What a new prefix or
 * address in free space takes: up to 1.6 three statements of PL/pgSQL in
 * prefix_free_insert() and free_take_addresses() (the probe, the DELETE,
 * the INSERT of cidr_free()'s pieces); here one probe of
 * prefix_free_vrf_idx, the block deleted where the probe found it, and the
 * pieces (the buddies of the blocks on b's path up to it) written as
 * free_add() writes.  It reads and falls back to the statements as
 * free_add() does.
 */
/* free_split() of b for new_owner (NULL: none), as the SQL function below */
static bool
addr_free_split(Datum vkey, inet *b, const pg_uuid_t *new_owner)
{
	bool		direct = false,
				done = false;

	if (!addr_meta.valid)
		addr_learn();
	addr_push_statement_snapshot();
	if (addr_meta.usable)
	{
		Relation	rel = table_open(addr_meta.free_rel, RowExclusiveLock);

		/* opening it may have processed an invalidation of what we learnt */
		direct = addr_meta.valid && addr_free_writable(rel);
		if (direct)
			done = addr_free_split_direct(rel, vkey, b, new_owner);
		table_close(rel, NoLock);
	}
	PopActiveSnapshot();
	if (!direct)
		done = addr_free_split_query(vkey, b, new_owner);
	return done;
}

Datum
mountaineer_free_split(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("free_split(): the VRF key and the block may not be NULL")));
	PG_RETURN_BOOL(addr_free_split(PG_GETARG_DATUM(0), PG_GETARG_INET_PP(1),
								   PG_ARGISNULL(2) ? NULL : PG_GETARG_UUID_P(2)));
}

/* Whether ip_range holds a row the trigger's owner can see (under snapshot). */
static bool
addr_any_range(Snapshot snapshot)
{
	Relation	rel = table_open(addr_meta.range_rel, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);
	bool		any = table_scan_getnextslot(scan, ForwardScanDirection, slot);

	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, NoLock);
	return any;
}

/*
 * prefix_free_insert() returns trigger: AFTER INSERT ON prefix REFERENCING
 * NEW TABLE AS new_rows FOR EACH STATEMENT, the new prefixes' free space.
 * (1.7) One new prefix (a single-row INSERT) while there is no reserved
 * range (none to check it against) that lies in a free block of its VRF
 * (the usual case: a child carved out of free space) takes that block by
 * free_split(), here; every other statement (more rows, a range, a prefix
 * over existing prefixes or addresses, row-level security on ip_range, a
 * table not as the module made it) runs prefix_free_insert_full(), the
 * PL/pgSQL, as this very trigger call.  The PL/pgSQL took 18 µs of a
 * single-row INSERT before free_split() (its call, the range and row-count
 * queries).
 */
Datum
mountaineer_prefix_free_insert(PG_FUNCTION_ARGS)
{
	Tuplestorestate *ts;
	TupleTableSlot *slot;
	Relation	rel;
	bool		isnull,
				any_range,
				taken;
	pg_uuid_t	vkey;

	if (CALLED_AS_TRIGGER(fcinfo) &&
		DatumGetBool(DirectFunctionCall1(mountaineer_restoring,
										 ObjectIdGetDatum(RelationGetRelid(((TriggerData *) fcinfo->context)->tg_relation)))))
		return PointerGetDatum(NULL);	/* restored rows come with their free space */
	if (!addr_one_row_statement(fcinfo, TRIGGER_EVENT_INSERT, &addr_meta.prefix_rel, &ts) ||
		check_enable_rls(addr_meta.range_rel, InvalidOid, true) == RLS_ENABLED)
		return mt_run_trigger_as(fcinfo, "prefix_free_insert_full");
	rel = ((TriggerData *) fcinfo->context)->tg_relation;

	/* as the PL/pgSQL's query would see ip_range */
	addr_push_statement_snapshot();
	any_range = addr_any_range(GetActiveSnapshot());
	PopActiveSnapshot();
	if (any_range || !addr_meta.valid)
		return mt_run_trigger_as(fcinfo, "prefix_free_insert_full");

	slot = addr_only_row(rel, ts, addr_meta.p_vrf, &vkey);
	taken = addr_free_split(UUIDPGetDatum(&vkey), DatumGetInetPP(slot_getattr(slot, addr_meta.p_prefix, &isnull)),
							DatumGetUUIDP(slot_getattr(slot, addr_meta.p_id, &isnull)));
	ExecDropSingleTupleTableSlot(slot);
	if (taken)
		return PointerGetDatum(NULL);
	/* not in a free block: over prefixes or addresses, or in none */
	return mt_run_trigger_as(fcinfo, "prefix_free_insert_full");
}

/*
 * ip_address_free_delete() returns trigger: AFTER DELETE ON ip_address
 * REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT, the deleted
 * addresses' space given back.  (1.7) One deleted address (a single-row
 * DELETE) while there is no reserved range (none that could still hold
 * it) is given back here: to the prefix that owns it (addr_owner_in()),
 * unless a free block already holds it, by free_add()'s merge; every other
 * statement (more rows, a range, row-level security on prefix or
 * ip_range, a table not as the module made it) runs
 * ip_address_free_delete_full(), the PL/pgSQL, as this very trigger call.
 * The PL/pgSQL and free_release_addresses() took 25 µs of a single-row
 * DELETE besides the probes and free_add().
 */
Datum
mountaineer_ip_address_free_delete(PG_FUNCTION_ARGS)
{
	Tuplestorestate *ts;
	TupleTableSlot *slot;
	Relation	prefix_rel,
				prefix_idx;
	bool		isnull,
				held;
	inet	   *b;
	pg_uuid_t	vkey,
				owner;
	int			owner_len = 0;
	HeapTuple	best = NULL;
	static const pg_uuid_t zero;

	if (!addr_one_row_statement(fcinfo, TRIGGER_EVENT_DELETE, &addr_meta.address_rel, &ts) ||
		!OidIsValid(addr_meta.prefix_vrf_idx) ||
		check_enable_rls(addr_meta.range_rel, InvalidOid, true) == RLS_ENABLED ||
		check_enable_rls(addr_meta.prefix_rel, InvalidOid, true) == RLS_ENABLED)
		return mt_run_trigger_as(fcinfo, "ip_address_free_delete_full");

	slot = addr_only_row(((TriggerData *) fcinfo->context)->tg_relation, ts, addr_meta.a_vrf, &vkey);
	b = (inet *) PG_DETOAST_DATUM_COPY(slot_getattr(slot, addr_meta.a_host_addr, &isnull));
	ExecDropSingleTupleTableSlot(slot);

	/* as free_release_addresses()'s statements would read */
	addr_push_statement_snapshot();
	if (addr_any_range(GetActiveSnapshot()))
	{
		PopActiveSnapshot();
		return mt_run_trigger_as(fcinfo, "ip_address_free_delete_full");
	}
	prefix_rel = table_open(addr_meta.prefix_rel, AccessShareLock);
	prefix_idx = index_open(addr_meta.prefix_vrf_idx, AccessShareLock);
	if (addr_meta.valid)
	{
		addr_owner_in(prefix_rel, prefix_idx, GetActiveSnapshot(), &vkey, b, NULL, &best);
		if (memcmp(&vkey, &zero, sizeof(zero)) == 0)
			addr_owner_in(prefix_rel, prefix_idx, GetActiveSnapshot(), NULL, b, NULL, &best);
	}
	held = best == NULL;		/* in no prefix: no free space to give it to */
	if (!held)
	{
		TupleDesc	desc = RelationGetDescr(prefix_rel);

		memcpy(&owner, DatumGetUUIDP(heap_getattr(best, addr_meta.p_id, desc, &isnull)), sizeof(owner));
		owner_len = ip_bits(DatumGetInetPP(heap_getattr(best, addr_meta.p_prefix, desc, &isnull)));
	}
	index_close(prefix_idx, NoLock);
	table_close(prefix_rel, NoLock);
	if (!held && addr_meta.valid)
	{
		Relation	free_rel = table_open(addr_meta.free_rel, AccessShareLock);
		Relation	free_idx = index_open(addr_meta.free_vrf_idx, AccessShareLock);
		pg_uuid_t	ignored;

		held = addr_free_block(free_rel, free_idx, GetActiveSnapshot(), UUIDPGetDatum(&vkey), b, &ignored, NULL, NULL);
		index_close(free_idx, NoLock);
		table_close(free_rel, NoLock);
	}
	PopActiveSnapshot();
	if (!addr_meta.valid)		/* an invalidation meanwhile: what we learnt may be stale */
		return mt_run_trigger_as(fcinfo, "ip_address_free_delete_full");
	if (!held)
		addr_free_add(UUIDPGetDatum(&owner), owner_len, UUIDPGetDatum(&vkey), b);
	return PointerGetDatum(NULL);
}

/*
 * The free blocks of prefix id (prefix_free_pkey read from (id)), deleted
 * from rel (open, a plain table: addr_free_writable()); a list of copies.
 */
static List *
addr_free_take_all(Relation rel, const pg_uuid_t *id)
{
	Relation	pkey = index_open(addr_meta.free_pkey, RowExclusiveLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	IndexScanDesc scan = index_beginscan(rel, pkey, GetActiveSnapshot(), 1, 0);
	ScanKeyData key;
	List	   *blocks = NIL;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum((pg_uuid_t *) id));
	index_rescan(scan, &key, 1, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;

		CHECK_FOR_INTERRUPTS();
		blocks = lappend(blocks, PG_DETOAST_DATUM_COPY(slot_getattr(slot, addr_meta.f_block, &isnull)));
		simple_table_tuple_delete(rel, &slot->tts_tid, GetActiveSnapshot());
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(pkey, NoLock);
	return blocks;
}

/*
 * Whether a prefix of VRF vrf (NULL: vrf_id IS NULL) is exactly b (an
 * equality probe); its id into *id when given.
 */
static bool
addr_prefix_is(Relation rel, Relation idx, Snapshot snapshot, const pg_uuid_t *vrf, const inet *b, pg_uuid_t *id)
{
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	IndexScanDesc scan = index_beginscan(rel, idx, snapshot, 2, 0);
	ScanKeyData keys[2];
	bool		found;

	if (vrf == NULL)
		ScanKeyEntryInitialize(&keys[0], SK_ISNULL | SK_SEARCHNULL, 1, InvalidStrategy,
							   InvalidOid, InvalidOid, InvalidOid, (Datum) 0);
	else
		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum((pg_uuid_t *) vrf));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_NETWORK_EQ, InetPGetDatum((inet *) b));
	index_rescan(scan, keys, 2, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	if (found && id != NULL)
	{
		bool		isnull;

		memcpy(id, DatumGetUUIDP(slot_getattr(slot, addr_meta.p_id, &isnull)), sizeof(pg_uuid_t));
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	return found;
}

/* addr_prefix_is() in every VRF that VRF key vkey stands for (the all-zero key: NULL too) */
static bool
addr_prefix_is_in(Relation rel, Relation idx, Snapshot snapshot, const pg_uuid_t *vkey, const inet *b, pg_uuid_t *id)
{
	static const pg_uuid_t zero;

	return addr_prefix_is(rel, idx, snapshot, vkey, b, id) ||
		(memcmp(vkey, &zero, sizeof(zero)) == 0 && addr_prefix_is(rel, idx, snapshot, NULL, b, id));
}

/*
 * The owner of b, a prefix of VRF key vkey just deleted, found through the
 * free space, which the statements before this one left exact, climbing
 * b's ancestors A (b first) a few levels: when no prefix is A or any block
 * between it and b, every prefix strictly containing b contains A's buddy;
 * so when that buddy is a free block whose owner is shorter than A, that
 * owner is b's (a prefix between them would contain the buddy, and own it),
 * and when A's parent is a prefix, it is b's owner.  No prefix may be b
 * itself (a twin in the other of the two VRFs one key stands for).  A few
 * equality probes, where addr_owner_in() walks back over the index entries
 * of the siblings a run of single-row DELETEs removed (36 µs a /28 after
 * 10,000 of them); false when this cannot tell.
 */
static bool
addr_owner_by_buddy(Relation prefix_rel, Relation prefix_idx, Snapshot snapshot, const pg_uuid_t *vkey,
					const inet *b, pg_uuid_t *owner, int *owner_len)
{
	Relation	free_rel,
				free_idx;
	bool		answered = false;

	free_rel = table_open(addr_meta.free_rel, AccessShareLock);
	free_idx = index_open(addr_meta.free_vrf_idx, AccessShareLock);
	for (int len = ip_bits(b); len > 0 && len > ip_bits(b) - 8 && !answered; len--)
	{
		inet	   *a = addr_truncated(b, len),
				   *held = NULL,
				   *prefix = NULL;
		bool		is_pool;

		CHECK_FOR_INTERRUPTS();
		if (addr_free_block(free_rel, free_idx, snapshot, UUIDPGetDatum((pg_uuid_t *) vkey),
							addr_buddy(a, len - 1), owner, &held, NULL) &&
			ip_bits(held) == len && addr_prefix(snapshot, owner, &prefix, &is_pool) &&
			ip_family(prefix) == ip_family(b) && ip_bits(prefix) < len &&
			bitncmp(ip_addr(prefix), ip_addr(b), ip_bits(prefix)) == 0)
		{
			*owner_len = ip_bits(prefix);
			answered = true;
		}
		else if (addr_prefix_is_in(prefix_rel, prefix_idx, snapshot, vkey, addr_truncated(b, len - 1), owner))
		{
			*owner_len = len - 1;
			answered = true;
		}
	}
	index_close(free_idx, NoLock);
	table_close(free_rel, NoLock);
	return answered;
}

/*
 * prefix_free_delete() returns trigger: AFTER DELETE ON prefix REFERENCING
 * OLD TABLE AS old_rows FOR EACH STATEMENT, the deleted prefixes' free
 * space given back.  (1.7) One deleted prefix (a single-row DELETE) gives
 * its free blocks back here, as prefix_detach() does for a prefix that
 * moves: each to the smallest prefix around it (addr_owner_by_buddy(), else
 * addr_owner_in()) by free_add()'s merge, or to none when there is none; every other
 * statement (more rows, row-level security on prefix or prefix_free, a
 * table not as the module made it) runs prefix_free_delete_full(), the
 * PL/pgSQL, as this very trigger call.  The PL/pgSQL, prefix_detach() and
 * prefix_owner() took 45 µs of a single-row DELETE besides free_add().
 */
Datum
mountaineer_prefix_free_delete(PG_FUNCTION_ARGS)
{
	Tuplestorestate *ts;
	TupleTableSlot *slot;
	Relation	free_rel;
	bool		isnull;
	inet	   *gone;
	pg_uuid_t	vkey,
				id,
				owner;
	int			owner_len = 0;
	HeapTuple	best = NULL;
	static const pg_uuid_t zero;

	if (!addr_one_row_statement(fcinfo, TRIGGER_EVENT_DELETE, &addr_meta.prefix_rel, &ts) ||
		!OidIsValid(addr_meta.prefix_vrf_idx) ||
		check_enable_rls(addr_meta.prefix_rel, InvalidOid, true) == RLS_ENABLED)
		return mt_run_trigger_as(fcinfo, "prefix_free_delete_full");

	slot = addr_only_row(((TriggerData *) fcinfo->context)->tg_relation, ts, addr_meta.p_vrf, &vkey);
	memcpy(&id, DatumGetUUIDP(slot_getattr(slot, addr_meta.p_id, &isnull)), sizeof(id));
	gone = (inet *) PG_DETOAST_DATUM_COPY(slot_getattr(slot, addr_meta.p_prefix, &isnull));
	ExecDropSingleTupleTableSlot(slot);

	/* as prefix_detach()'s statements would read */
	addr_push_statement_snapshot();
	free_rel = table_open(addr_meta.free_rel, RowExclusiveLock);
	if (addr_meta.valid && addr_free_writable(free_rel))
	{
		Relation	prefix_rel = table_open(addr_meta.prefix_rel, AccessShareLock);
		Relation	prefix_idx = index_open(addr_meta.prefix_vrf_idx, AccessShareLock);

		bool		twin,
					has_owner;

		/*
		 * a twin (the same block in the other VRF of the key: the global
		 * table and the all-zero VRF) keeps its own copy of the space:
		 * nothing goes back
		 */
		twin = addr_prefix_is_in(prefix_rel, prefix_idx, GetActiveSnapshot(), &vkey, gone, NULL);
		has_owner = !twin && addr_owner_by_buddy(prefix_rel, prefix_idx, GetActiveSnapshot(), &vkey, gone,
												 &owner, &owner_len);
		if (!has_owner && !twin)
		{
			addr_owner_in(prefix_rel, prefix_idx, GetActiveSnapshot(), &vkey, gone, &id, &best);
			if (memcmp(&vkey, &zero, sizeof(zero)) == 0)
				addr_owner_in(prefix_rel, prefix_idx, GetActiveSnapshot(), NULL, gone, &id, &best);
		}
		if (best != NULL)
		{
			TupleDesc	desc = RelationGetDescr(prefix_rel);

			memcpy(&owner, DatumGetUUIDP(heap_getattr(best, addr_meta.p_id, desc, &isnull)), sizeof(owner));
			owner_len = ip_bits(DatumGetInetPP(heap_getattr(best, addr_meta.p_prefix, desc, &isnull)));
			has_owner = true;
		}
		index_close(prefix_idx, NoLock);
		table_close(prefix_rel, NoLock);
		/* opening them may have processed an invalidation of what we learnt */
		if (addr_meta.valid)
		{
			List	   *blocks = addr_free_take_all(free_rel, &id);
			ListCell   *lc;

			foreach(lc, has_owner ? blocks : NIL)
			{
				CommandCounterIncrement();
				UpdateActiveSnapshotCommandId();
				addr_free_add_direct(free_rel, UUIDPGetDatum(&owner), owner_len, UUIDPGetDatum(&vkey),
									 (inet *) lfirst(lc));
			}
			table_close(free_rel, NoLock);
			PopActiveSnapshot();
			return PointerGetDatum(NULL);
		}
	}
	table_close(free_rel, NoLock);
	PopActiveSnapshot();
	return mt_run_trigger_as(fcinfo, "prefix_free_delete_full");
}
