/*
 * cable.c — the cable-graph engine: cable trace, power trace and impact.
 *
 * The graph lives in mountaineer_hardware's tables (port, cable_end,
 * cable, device); this file only reads them, one hop at a time, by direct
 * btree probes under the calling query's snapshot (no SPI, no planner):
 *
 *   the cable on a port                 cable_end (port_id)
 *   whether that cable is connected     cable (id)
 *   the ends of that cable              cable_end (cable_id, side)
 *   each far port                       port (id); device (id) to order a breakout's ends
 *   the front port at a rear position   port (rear_port_id, rear_port_position)
 *   the front ports of a rear port      the same index, leading column
 *   the ports of a device               port (device_id)
 *   a circuit termination's circuit     circuit_termination (id)
 *   the other end of that circuit       circuit_termination (circuit_id)
 *
 * so a trace costs four or five probes per hop and never loads the graph.
 * The indexes are found by their columns (graph_index), not their names.
 * Only connected cables are followed, unless the call includes planned and
 * decommissioning ones (then the cable (id) probe is skipped).  Where ends
 * are ordered by name, names compare under their columns' collation, as
 * ORDER BY compares them.
 * The caller needs SELECT on the four tables (checked, as a query would);
 * row-level security on them is refused rather than bypassed.
 *
 * Pass-through: a path reaching a front port of a patch panel continues from
 * the rear port it maps to, pushing the front port's position on a stack; a
 * path reaching a rear port pops the position and continues from the front
 * port mapped to it.  A rear port reached with an empty stack continues from
 * its one front port, or splits into one branch per front port.  Stacks are
 * immutable lists shared between branches.
 *
 * Circuits (mountaineer_hardware 1.5): a circuit termination is a port of
 * kind circuit_termination on no device, keyed like its circuit_termination
 * row.  A path reaching one continues from the circuit's other termination,
 * carrying its stack unchanged, as a cable would; it ends open when the
 * circuit has no other end, and complete when that end is on a provider
 * network (the provider's cloud is where the path goes).  Against an older
 * mountaineer_hardware, without the kind or the table, there are no
 * terminations to cross.
 *
 * Loops: a branch that would leave a port it has already left with an equal
 * stack (a look at the branch's own hops, which are the DFS path: a scan
 * while the path is short, a hash of the ports it leaves once it is long) is
 * a loop, and so is entering a rear port the signal is already inside (which
 * would grow the stack forever).
 *
 * Resources: a trace holds its current path and the position stacks it has
 * pushed, and writes its rows to a tuplestore (which spills to disk past
 * work_mem), so its memory follows the hops it returns.  Impact keeps the
 * devices it reaches and works each step in a scratch context reset after
 * it, so its memory follows what it reaches, not how much it walks.
 * Fan-out is what can explode (every split rear port and breakout cable
 * multiplies the branches), so a trace refuses (54000) to cover more than
 * TRACE_MAX_HOPS hops over all its branches (the rows cable_trace returns),
 * checked at every hop, so that one endless branch is refused as soon as
 * many short ones.
 * Every loop checks for interrupts.
 *
 * The functions are declared by the hardware module (the core does not
 * know its tables): AS '$libdir/mountaineer', 'mountaineer_cable_trace' etc.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "storage/sinval.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"
#include "utils/varlena.h"

#include "fastpath.h"

/*
 * A trace walks at most this many hops over all its branches (each branch
 * repeats the hops it shares with the others): a real one has a handful.
 */
#define TRACE_MAX_HOPS		1000000

/* A branch's path is scanned for loops up to this length, hashed beyond. */
#define TRACE_SCAN_HOPS		32

PG_FUNCTION_INFO_V1(mountaineer_cable_trace);
PG_FUNCTION_INFO_V1(mountaineer_power_trace);
PG_FUNCTION_INFO_V1(mountaineer_impact);

/* ------------------------------------------------------------------------
 * Ports, and the index probes that read them
 * ------------------------------------------------------------------------ */

typedef enum PortKind
{
	PK_INTERFACE,
	PK_CONSOLE,
	PK_CONSOLE_SERVER,
	PK_POWER_PORT,
	PK_POWER_OUTLET,
	PK_FRONT_PORT,
	PK_REAR_PORT,
	PK_POWER_FEED,
	PK_CIRCUIT_TERMINATION,		/* hardware 1.5 on; optional */
	PK_COUNT
} PortKind;

static const char *const port_kind_names[PK_COUNT] = {
	"interface", "console", "console_server", "power_port", "power_outlet",
	"front_port", "rear_port", "power_feed", "circuit_termination"
};

typedef struct Port
{
	pg_uuid_t	id;
	pg_uuid_t	device;
	bool		has_device;		/* false for a circuit termination */
	PortKind	kind;
	bool		has_rear;		/* front ports: the rear port they map to */
	pg_uuid_t	rear;
	int32		rear_pos;
	char	   *name;			/* only where order by name is needed */
	char	   *device_name;	/* likewise */
} Port;

/*
 * The tables of the graph, opened once per call, and what the probes need
 * to know about them: index oids, column numbers, the collations names are
 * ordered by, and the enums' oids.  The tables belong to
 * mountaineer_hardware; they are found by name in schema mountaineer, so a
 * call without that module fails cleanly.  The indexes are found by their
 * columns, not their names (graph_index): any valid btree index leading
 * with the probed columns serves.
 */
typedef struct GraphMeta
{
	bool		valid;
	Oid			port_rel;
	Oid			cable_end_rel;
	Oid			device_rel;
	Oid			cable_rel;
	Oid			term_rel;			/* circuit_termination; InvalidOid before 1.5 */
	Oid			port_pkey;			/* port (id) */
	Oid			port_rear_idx;		/* port (rear_port_id, rear_port_position) */
	Oid			port_device_idx;	/* port (device_id) */
	Oid			end_port_idx;		/* cable_end (port_id) */
	Oid			end_cable_idx;		/* cable_end (cable_id, side) */
	Oid			device_pkey;		/* device (id) */
	Oid			cable_pkey;			/* cable (id) */
	Oid			term_pkey;			/* circuit_termination (id) */
	Oid			term_circuit_idx;	/* circuit_termination (circuit_id, term_side) */
	AttrNumber	p_id,
				p_device,
				p_name,
				p_kind,
				p_rear,
				p_pos;
	AttrNumber	e_id,
				e_cable,
				e_side,
				e_port;
	AttrNumber	d_id,
				d_name,
				d_site;			/* cable_end_check only; optional */
	AttrNumber	c_id,
				c_status;
	AttrNumber	t_id,
				t_circuit,
				t_network,
				t_site;			/* cable_end_check only; optional */
	Oid			p_name_coll;		/* port.name's collation, as ORDER BY p.name */
	Oid			d_name_coll;		/* device.name's, as ORDER BY d.name */
	Oid			kind_oid[PK_COUNT];
	Oid			side_oid[2];		/* cable_side a, b */
	Oid			connected_oid;		/* cable_status connected */
} GraphMeta;

/*
 * What the probes need to know is looked up once per backend and forgotten
 * on any relcache invalidation of the four tables (DROP/CREATE EXTENSION,
 * ALTER TABLE, CREATE or DROP INDEX ...), so it is never stale.
 */
static GraphMeta meta;
static bool meta_callback;

/*
 * One index of the graph, probed many times in a call: opened (and locked)
 * once, with a slot for its table's rows; each probe is a scan begun and
 * ended at once.  (Keeping several btree scans open would hold some 27 kB
 * each, which the allocator gives back to the kernel and takes again on
 * every call.)
 */
typedef struct Probe
{
	Relation	heap;
	Relation	index;			/* NULL until first used */
	IndexScanDesc scan;			/* the probe under way, or NULL */
	int			nkeys;
	RegProcedure eqproc[2];		/* equality of the key columns */
	TupleTableSlot *slot;		/* the current row */
} Probe;

typedef enum ProbeId
{
	PROBE_PORT,					/* port (id) */
	PROBE_PORT_REAR,			/* port (rear_port_id) */
	PROBE_PORT_REAR_POS,		/* port (rear_port_id, rear_port_position) */
	PROBE_PORT_DEVICE,			/* port (device_id) */
	PROBE_END_PORT,				/* cable_end (port_id) */
	PROBE_END_CABLE_SIDE,		/* cable_end (cable_id, side) */
	PROBE_DEVICE,				/* device (id) */
	PROBE_CABLE,				/* cable (id) */
	PROBE_TERM,					/* circuit_termination (id) */
	PROBE_TERM_CIRCUIT,			/* circuit_termination (circuit_id) */
	PROBE_COUNT
} ProbeId;

typedef struct Graph
{
	MemoryContext cxt;			/* the call's: probes opened mid-walk live here */
	GraphMeta  *m;
	bool		include_planned;	/* follow every cable, not only connected ones */
	Relation	port;
	Relation	cable_end;
	Relation	device;
	Relation	cable;
	Relation	term;			/* NULL before hardware 1.5 */
	Snapshot	snapshot;
	Probe		probe[PROBE_COUNT];
} Graph;

static void
graph_invalidate(Datum arg pg_attribute_unused(), Oid relid)
{
	if (!OidIsValid(relid) || relid == meta.port_rel || relid == meta.cable_end_rel ||
		relid == meta.device_rel || relid == meta.cable_rel ||
		(OidIsValid(meta.term_rel) && relid == meta.term_rel))
		meta.valid = false;
}

static Oid
graph_relation(Oid nsp, const char *name)
{
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"mountaineer.%s\" does not exist", name),
				 errhint("The cable graph needs the extension mountaineer_hardware.")));
	return relid;
}

static Relation
graph_open_table(Oid relid, const char *name, bool check_access)
{
	AclResult	acl = check_access ? pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) : ACLCHECK_OK;

	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, name);
	if (check_access && check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the cable graph cannot be read with row-level security enabled on \"mountaineer.%s\"", name)));
	return table_open(relid, AccessShareLock);
}

static AttrNumber
graph_column(Oid relid, const char *name)
{
	AttrNumber	att = get_attnum(relid, name);

	if (att == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of \"%s\" does not exist", name, get_rel_name(relid)),
				 errhint("The cable graph reads the tables as mountaineer_hardware made them.")));
	return att;
}

/* The column's number, or InvalidAttrNumber when there is none of that type. */
static AttrNumber
graph_column_optional(Oid relid, const char *name, Oid type)
{
	AttrNumber	att = get_attnum(relid, name);

	if (att != InvalidAttrNumber && get_atttype(relid, att) != type)
		att = InvalidAttrNumber;
	return att;
}

static Oid
graph_enum_optional(Oid type, const char *label)
{
	return GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
						   ObjectIdGetDatum(type), CStringGetDatum(label));
}

static Oid
graph_enum(Oid type, const char *label)
{
	Oid			oid = graph_enum_optional(type, label);

	if (!OidIsValid(oid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("enum %s has no value \"%s\"", format_type_be(type), label),
				 errhint("The cable graph reads the tables as mountaineer_hardware made them.")));
	return oid;
}

/*
 * The index the graph probes for rows of `rel` whose columns cols[0..ncols)
 * are equal to given keys, found by its columns: a valid btree index with no
 * predicate whose leading key columns are exactly those (plain columns, the
 * types' default operator classes, so that the probes' equality functions
 * are the index's).  The primary key is preferred, then a unique index,
 * then the one with the fewest key columns, then the oldest.  The install
 * script creates one of each (a comment there says which); an error names
 * the columns when someone has dropped it.
 */
static Oid
graph_index(Relation rel, int ncols, const AttrNumber *cols)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			best = InvalidOid;
	int			best_rank = 0;
	int			i;

	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);
		HeapTuple	itup,
					ctup;
		Form_pg_index ix;
		bool		fits;
		int			rank;

		itup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
		if (!HeapTupleIsValid(itup))	/* LCOV_EXCL_BR_LINE: an index of a table we hold locked */
			elog(ERROR, "cache lookup failed for index %u", indexoid);	/* LCOV_EXCL_LINE: as above */
		ix = (Form_pg_index) GETSTRUCT(itup);
		ctup = SearchSysCache1(RELOID, ObjectIdGetDatum(indexoid));
		if (!HeapTupleIsValid(ctup))	/* LCOV_EXCL_BR_LINE: likewise */
			elog(ERROR, "cache lookup failed for relation %u", indexoid);	/* LCOV_EXCL_LINE: likewise */
		fits = ix->indisvalid && ix->indnkeyatts >= ncols &&
			((Form_pg_class) GETSTRUCT(ctup))->relam == BTREE_AM_OID &&
			heap_attisnull(itup, Anum_pg_index_indpred, NULL);
		ReleaseSysCache(ctup);
		if (fits)
		{
			bool		isnull;
			Datum		d = SysCacheGetAttr(INDEXRELID, itup, Anum_pg_index_indclass, &isnull);
			oidvector  *indclass = (oidvector *) DatumGetPointer(d);

			Assert(!isnull);
			for (i = 0; i < ncols && fits; i++)
				fits = ix->indkey.values[i] == cols[i] &&
					indclass->values[i] == GetDefaultOpClass(TupleDescAttr(RelationGetDescr(rel), cols[i] - 1)->atttypid,
															 BTREE_AM_OID);
		}
		rank = (ix->indisprimary ? 0 : ix->indisunique ? 1 : 2) * (INDEX_MAX_KEYS + 1) + ix->indnkeyatts;
		ReleaseSysCache(itup);
		if (fits && (!OidIsValid(best) || rank < best_rank || (rank == best_rank && indexoid < best)))	/* LCOV_EXCL_BR_LINE: the list is in OID order, so a tie is never older (indexoid < best is false) */
		{
			best = indexoid;
			best_rank = rank;
		}
	}
	list_free(indexes);
	if (!OidIsValid(best))
	{
		StringInfoData names;

		initStringInfo(&names);
		for (i = 0; i < ncols; i++)
			appendStringInfo(&names, "%s%s", i ? ", " : "",
							 NameStr(TupleDescAttr(RelationGetDescr(rel), cols[i] - 1)->attname));
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the cable graph needs a btree index on \"mountaineer.%s\" (%s)",
						RelationGetRelationName(rel), names.data),
				 errhint("The extension mountaineer_hardware creates it; recreate the index, or the extension.")));
	}
	return best;
}

/* Looks everything up once; catalog lookups here may process invalidations. */
static void
graph_learn_once(GraphMeta *m)
{
	Oid			nsp = get_namespace_oid("mountaineer", false);
	Relation	port,
				end,
				device,
				cable;
	int			i;

	memset(m, 0, sizeof(GraphMeta));
	/* circuits came with hardware 1.5: the table is optional */
	m->term_rel = get_relname_relid("circuit_termination", nsp);
	m->port_rel = graph_relation(nsp, "port");
	m->cable_end_rel = graph_relation(nsp, "cable_end");
	m->device_rel = graph_relation(nsp, "device");
	m->cable_rel = graph_relation(nsp, "cable");
	m->p_id = graph_column(m->port_rel, "id");
	m->p_device = graph_column(m->port_rel, "device_id");
	m->p_name = graph_column(m->port_rel, "name");
	m->p_kind = graph_column(m->port_rel, "kind");
	m->p_rear = graph_column(m->port_rel, "rear_port_id");
	m->p_pos = graph_column(m->port_rel, "rear_port_position");
	m->e_id = graph_column(m->cable_end_rel, "id");
	m->e_cable = graph_column(m->cable_end_rel, "cable_id");
	m->e_side = graph_column(m->cable_end_rel, "side");
	m->e_port = graph_column(m->cable_end_rel, "port_id");
	m->d_id = graph_column(m->device_rel, "id");
	m->d_name = graph_column(m->device_rel, "name");
	/* InvalidAttrNumber when gone: only cable_end_check reads it, and then
	 * leaves the check to its PL/pgSQL */
	m->d_site = graph_column_optional(m->device_rel, "site_id", UUIDOID);
	m->c_id = graph_column(m->cable_rel, "id");
	m->c_status = graph_column(m->cable_rel, "status");
	for (i = 0; i < PK_CIRCUIT_TERMINATION; i++)
		m->kind_oid[i] = graph_enum(get_atttype(m->port_rel, m->p_kind), port_kind_names[i]);
	/* InvalidOid before 1.5: no port has it */
	m->kind_oid[PK_CIRCUIT_TERMINATION] =
		graph_enum_optional(get_atttype(m->port_rel, m->p_kind), port_kind_names[PK_CIRCUIT_TERMINATION]);
	m->side_oid[0] = graph_enum(get_atttype(m->cable_end_rel, m->e_side), "a");
	m->side_oid[1] = graph_enum(get_atttype(m->cable_end_rel, m->e_side), "b");
	m->connected_oid = graph_enum(get_atttype(m->cable_rel, m->c_status), "connected");

	/* the index lists are the tables' (locked as the call will lock them) */
	port = table_open(m->port_rel, AccessShareLock);
	end = table_open(m->cable_end_rel, AccessShareLock);
	device = table_open(m->device_rel, AccessShareLock);
	cable = table_open(m->cable_rel, AccessShareLock);
	m->p_name_coll = TupleDescAttr(RelationGetDescr(port), m->p_name - 1)->attcollation;
	m->d_name_coll = TupleDescAttr(RelationGetDescr(device), m->d_name - 1)->attcollation;
	m->port_pkey = graph_index(port, 1, &m->p_id);
	{
		AttrNumber	rear[] = {m->p_rear, m->p_pos};
		AttrNumber	side[] = {m->e_cable, m->e_side};

		/* (rear, position) also for the rear alone: fronts come by position */
		m->port_rear_idx = graph_index(port, 2, rear);
		m->end_cable_idx = graph_index(end, 2, side);
	}
	m->port_device_idx = graph_index(port, 1, &m->p_device);
	m->end_port_idx = graph_index(end, 1, &m->e_port);
	m->device_pkey = graph_index(device, 1, &m->d_id);
	m->cable_pkey = graph_index(cable, 1, &m->c_id);
	if (OidIsValid(m->term_rel))
	{
		Relation	term;

		m->t_id = graph_column(m->term_rel, "id");
		m->t_circuit = graph_column(m->term_rel, "circuit_id");
		m->t_network = graph_column(m->term_rel, "provider_network_id");
		m->t_site = graph_column_optional(m->term_rel, "site_id", UUIDOID);	/* as d_site */
		term = table_open(m->term_rel, AccessShareLock);
		m->term_pkey = graph_index(term, 1, &m->t_id);
		m->term_circuit_idx = graph_index(term, 1, &m->t_circuit);
		table_close(term, NoLock);
	}
	table_close(port, NoLock);
	table_close(end, NoLock);
	table_close(device, NoLock);
	table_close(cable, NoLock);
}

static void
graph_learn_into(void *out)
{
	graph_learn_once((GraphMeta *) out);
}

/* Learns the metadata into *m and marks it valid (fastpath.c says how). */
static void
graph_learn(GraphMeta *m)
{
	if (!meta_callback)
	{
		CacheRegisterRelcacheCallback(graph_invalidate, (Datum) 0);
		meta_callback = true;
	}
	m->valid = false;
	mt_learn_stable(graph_learn_into, m, sizeof(GraphMeta));
	m->valid = true;
}

static void
graph_close(Graph *g)
{
	int			i;

	for (i = 0; i < PROBE_COUNT; i++)
	{
		Probe	   *p = &g->probe[i];

		if (p->index == NULL)
			continue;
		if (p->scan)	/* LCOV_EXCL_BR_LINE: every probe ends its scan before its caller returns */
			index_endscan(p->scan);	/* LCOV_EXCL_LINE: as above */
		ExecDropSingleTupleTableSlot(p->slot);
		/* keep the locks to the end of the transaction, as queries do */
		index_close(p->index, NoLock);
		p->index = NULL;
	}
	table_close(g->port, NoLock);
	table_close(g->cable_end, NoLock);
	table_close(g->device, NoLock);
	table_close(g->cable, NoLock);
	if (g->term)
		table_close(g->term, NoLock);
	g->term = NULL;
}

/*
 * Opens the graph's tables; with check_access, as the caller may read them
 * (a trigger has checked what it reads itself: end_check_readable).
 */
static void
graph_open(Graph *g, bool include_planned, bool check_access)
{
	memset(g, 0, sizeof(Graph));
	g->cxt = CurrentMemoryContext;
	g->include_planned = include_planned;
	g->m = &meta;
	for (;;)
	{
		if (!meta.valid)
			graph_learn(&meta);
		g->port = graph_open_table(meta.port_rel, "port", check_access);
		g->cable_end = graph_open_table(meta.cable_end_rel, "cable_end", check_access);
		g->device = graph_open_table(meta.device_rel, "device", check_access);
		g->cable = graph_open_table(meta.cable_rel, "cable", check_access);
		if (OidIsValid(meta.term_rel))
			g->term = graph_open_table(meta.term_rel, "circuit_termination", check_access);
		/* the permission checks may have processed an invalidation: learn again */
		if (meta.valid)
			break;
		graph_close(g);
	}
	g->snapshot = GetActiveSnapshot();
}

/*
 * Opens probe `p` on `indexoid`, whose leading columns must be `keys`
 * (heap column numbers), compared by `eqprocs`.
 */
static Probe *
probe_start(Graph *g, Probe *p, Relation heap, Oid indexoid, int nkeys, const AttrNumber *keys,
			const RegProcedure *eqprocs)
{
	MemoryContext old;
	int			i;

	p->heap = heap;
	p->index = index_open(indexoid, AccessShareLock);
	p->nkeys = nkeys;
	for (i = 0; i < nkeys; i++)
	{
		if (i >= p->index->rd_index->indnkeyatts || p->index->rd_index->indkey.values[i] != keys[i])	/* LCOV_EXCL_BR_LINE: graph_index chose it for these leading columns */
			elog(ERROR, "index \"%s\" does not lead with the columns the cable graph probes",	/* LCOV_EXCL_LINE: as above */
				 RelationGetRelationName(p->index));
		p->eqproc[i] = eqprocs[i];
	}
	/* a probe is first used at any depth of a walk, maybe in a scratch context */
	old = MemoryContextSwitchTo(g->cxt);
	p->slot = table_slot_create(heap, NULL);
	MemoryContextSwitchTo(old);
	return p;
}

static Probe *
graph_probe(Graph *g, ProbeId id)
{
	Probe	   *p = &g->probe[id];
	GraphMeta  *m = g->m;
	const RegProcedure uuid_eqproc[] = {F_UUID_EQ};	/* uuid_eq names the function */

	if (p->index != NULL)
		return p;
	switch (id)	/* LCOV_EXCL_BR_LINE: callers pass a ProbeId constant */
	{
		case PROBE_PORT:
			return probe_start(g, p, g->port, m->port_pkey, 1, &m->p_id, uuid_eqproc);
		case PROBE_PORT_REAR:
		case PROBE_PORT_REAR_POS:
			{
				AttrNumber	keys[] = {m->p_rear, m->p_pos};
				RegProcedure eq[] = {F_UUID_EQ, F_INT4EQ};

				return probe_start(g, p, g->port, m->port_rear_idx, id == PROBE_PORT_REAR ? 1 : 2, keys, eq);
			}
		case PROBE_PORT_DEVICE:
			return probe_start(g, p, g->port, m->port_device_idx, 1, &m->p_device, uuid_eqproc);
		case PROBE_END_PORT:
			return probe_start(g, p, g->cable_end, m->end_port_idx, 1, &m->e_port, uuid_eqproc);
		case PROBE_END_CABLE_SIDE:
			{
				AttrNumber	keys[] = {m->e_cable, m->e_side};
				RegProcedure eq[] = {F_UUID_EQ, F_ENUM_EQ};

				return probe_start(g, p, g->cable_end, m->end_cable_idx, 2, keys, eq);
			}
		case PROBE_DEVICE:
			return probe_start(g, p, g->device, m->device_pkey, 1, &m->d_id, uuid_eqproc);
		case PROBE_CABLE:
			return probe_start(g, p, g->cable, m->cable_pkey, 1, &m->c_id, uuid_eqproc);
		case PROBE_TERM:
			return probe_start(g, p, g->term, m->term_pkey, 1, &m->t_id, uuid_eqproc);
		case PROBE_TERM_CIRCUIT:
			return probe_start(g, p, g->term, m->term_circuit_idx, 1, &m->t_circuit, uuid_eqproc);
		default:	/* LCOV_EXCL_LINE: as above */
			elog(ERROR, "unknown cable graph probe %d", (int) id);	/* LCOV_EXCL_LINE: as above */
	}
	return NULL;				/* keep the compiler quiet */
}

/*
 * Starts probing `id` for rows whose key columns equal key1 (and key2); the
 * caller reads the rows with probe_next and ends with probe_end.
 */
static Probe *
probe_begin(Graph *g, ProbeId id, Datum key1, Datum key2)
{
	Probe	   *p = graph_probe(g, id);
	ScanKeyData keys[2];

	Assert(p->scan == NULL);
	p->scan = index_beginscan(p->heap, p->index, g->snapshot, p->nkeys, 0);
	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, p->eqproc[0], key1);
	if (p->nkeys > 1)
		ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, p->eqproc[1], key2);
	index_rescan(p->scan, keys, p->nkeys, NULL, 0);
	return p;
}

/* The next row visible to the snapshot, in p->slot; false when there is none. */
static bool
probe_next(Probe *p)
{
	return index_getnext_slot(p->scan, ForwardScanDirection, p->slot);
}

static void
probe_end(Probe *p)
{
	index_endscan(p->scan);
	p->scan = NULL;
}

static void
probe_uuid(Probe *p, AttrNumber att, pg_uuid_t *dst, bool *isnull)
{
	Datum		d = slot_getattr(p->slot, att, isnull);

	if (!*isnull)
		memcpy(dst, DatumGetUUIDP(d), sizeof(pg_uuid_t));
}

static void
read_port(Graph *g, Probe *p, Port *out, bool names)
{
	GraphMeta  *m = g->m;
	bool		isnull;
	Oid			kind;
	int			i;
	Datum		d;

	memset(out, 0, sizeof(Port));
	probe_uuid(p, m->p_id, &out->id, &isnull);
	probe_uuid(p, m->p_device, &out->device, &isnull);
	out->has_device = !isnull;
	kind = DatumGetObjectId(slot_getattr(p->slot, m->p_kind, &isnull));
	for (i = 0; i < PK_COUNT; i++)
		if (m->kind_oid[i] == kind)
			break;
	if (i == PK_COUNT)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("unknown port_kind oid %u", kind),
				 errhint("The cable graph knows the port kinds mountaineer_hardware made; a kind added since is not one it can follow.")));
	out->kind = (PortKind) i;
	probe_uuid(p, m->p_rear, &out->rear, &isnull);
	out->has_rear = !isnull;
	d = slot_getattr(p->slot, m->p_pos, &isnull);
	out->rear_pos = isnull ? 0 : DatumGetInt32(d);
	if (names)
		out->name = TextDatumGetCString(slot_getattr(p->slot, m->p_name, &isnull));
}

/* The port with that id; false when there is none. */
static bool
lookup_port(Graph *g, const pg_uuid_t *id, Port *out, bool names)
{
	Probe	   *p = probe_begin(g, PROBE_PORT, UUIDPGetDatum((pg_uuid_t *) id), (Datum) 0);
	bool		found = probe_next(p);

	if (found)
		read_port(g, p, out, names);
	probe_end(p);
	return found;
}

/* The device's name, or NULL when there is no such device. */
static char *
device_name(Graph *g, const pg_uuid_t *id)
{
	Probe	   *p = probe_begin(g, PROBE_DEVICE, UUIDPGetDatum((pg_uuid_t *) id), (Datum) 0);
	bool		isnull;
	char	   *name = NULL;

	if (probe_next(p))
		name = TextDatumGetCString(slot_getattr(p->slot, g->m->d_name, &isnull));
	probe_end(p);
	return name;
}

/*
 * Names compare as ORDER BY compares them: under the column's collation
 * (the database's, unless the column says otherwise), which is not byte
 * order outside the C collation ('a' < 'B' in en-US, 'B' < 'a' in C).
 */
static int
name_cmp(const char *a, const char *b, Oid collation)
{
	/* a text value is less than 1 GB: its length fits an int */
	return varstr_cmp(a, (int) strlen(a), b, (int) strlen(b), collation);
}

/* Ports by device name (when known), port name, id: qsort_arg's comparator, arg the GraphMeta. */
static int
port_cmp_name(const void *a, const void *b, void *arg)
{
	const GraphMeta *m = arg;
	const Port *x = a;
	const Port *y = b;
	int			c;

	if (x->device_name && y->device_name && (c = name_cmp(x->device_name, y->device_name, m->d_name_coll)) != 0)	/* LCOV_EXCL_BR_LINE: a sort has names for all its devices or for none */
		return c;
	if ((c = name_cmp(x->name, y->name, m->p_name_coll)) != 0)
		return c;
	return memcmp(&x->id, &y->id, sizeof(pg_uuid_t));
}

typedef struct PortList
{
	Port	   *ports;
	int			n;
	int			max;
} PortList;

static Port *
portlist_add(PortList *l)
{
	if (l->n == l->max)
	{
		l->max = l->max ? l->max * 2 : 4;
		l->ports = l->ports ? repalloc(l->ports, sizeof(Port) * l->max) : palloc(sizeof(Port) * l->max);
	}
	return &l->ports[l->n++];
}

/*
 * Whether the graph follows this cable: a connected one always; a planned
 * or decommissioning one only when the call includes them (one more probe
 * per hop, skipped when it does).
 */
static bool
cable_followed(Graph *g, const pg_uuid_t *cable)
{
	Probe	   *p;
	bool		isnull;
	bool		connected = false;

	if (g->include_planned)
		return true;
	p = probe_begin(g, PROBE_CABLE, UUIDPGetDatum((pg_uuid_t *) cable), (Datum) 0);
	if (probe_next(p))	/* LCOV_EXCL_BR_LINE: cable_end.cable_id references cable */
		connected = DatumGetObjectId(slot_getattr(p->slot, g->m->c_status, &isnull)) == g->m->connected_oid;
	probe_end(p);
	return connected;
}

/*
 * The cable on `port` and the ports at its other side, ordered by device
 * name, port name, id.  Returns how many far ends; *has_cable says whether
 * the port is on a cable the graph follows (see cable_followed): a port on
 * a planned cable is, by default, a port with no cable.
 */
static int
fetch_far(Graph *g, const pg_uuid_t *port, Port **out, pg_uuid_t *cable, bool *has_cable)
{
	GraphMeta  *m = g->m;
	Probe	   *p;
	Oid			side = InvalidOid;
	bool		isnull;
	PortList	far = {NULL, 0, 0};
	pg_uuid_t  *ids = NULL;
	int			nids = 0,
				maxids = 0,
				i;

	*out = NULL;
	p = probe_begin(g, PROBE_END_PORT, UUIDPGetDatum((pg_uuid_t *) port), (Datum) 0);
	*has_cable = probe_next(p);
	if (*has_cable)
	{
		probe_uuid(p, m->e_cable, cable, &isnull);
		side = DatumGetObjectId(slot_getattr(p->slot, m->e_side, &isnull));
	}
	probe_end(p);
	if (*has_cable && !cable_followed(g, cable))
		*has_cable = false;
	if (!*has_cable)
		return 0;

	/* only the other side's ends: (cable_id, side) is the index */
	p = probe_begin(g, PROBE_END_CABLE_SIDE, UUIDPGetDatum(cable),
					ObjectIdGetDatum(side == m->side_oid[0] ? m->side_oid[1] : m->side_oid[0]));
	while (probe_next(p))
	{
		if (nids == maxids)
		{
			maxids = maxids ? maxids * 2 : 4;
			ids = ids ? repalloc(ids, sizeof(pg_uuid_t) * maxids) : palloc(sizeof(pg_uuid_t) * maxids);
		}
		probe_uuid(p, m->e_port, &ids[nids++], &isnull);
	}
	probe_end(p);

	for (i = 0; i < nids; i++)
	{
		Port	   *fp = portlist_add(&far);

		if (!lookup_port(g, &ids[i], fp, nids > 1))	/* LCOV_EXCL_BR_LINE: cable_end.port_id references port */
			far.n--;			/* LCOV_EXCL_LINE: cannot happen: the foreign key */
		else if (nids > 1)	/* a circuit termination, on no device, comes first */
			fp->device_name = fp->has_device ? device_name(g, &fp->device) : pstrdup("");
	}
	if (far.n > 1)
		qsort_arg(far.ports, far.n, sizeof(Port), port_cmp_name, m);
	if (ids)
		pfree(ids);
	*out = far.ports;
	return far.n;
}

/*
 * The other termination of the circuit that termination `term` (a port's id)
 * ends: false when there is none (the circuit has one end recorded); else
 * its id in *other, and whether it is on a provider network.
 */
static bool
circuit_other_end(Graph *g, const pg_uuid_t *term, pg_uuid_t *other, bool *on_network)
{
	GraphMeta  *m = g->m;
	Probe	   *p;
	pg_uuid_t	circuit;
	bool		isnull;
	bool		found = false;

	p = probe_begin(g, PROBE_TERM, UUIDPGetDatum((pg_uuid_t *) term), (Datum) 0);
	if (probe_next(p))	/* LCOV_EXCL_BR_LINE: a termination's port has its row (port_check_termination) */
		probe_uuid(p, m->t_circuit, &circuit, &isnull);
	else
		isnull = true;	/* LCOV_EXCL_LINE: as above */
	probe_end(p);
	if (isnull)	/* LCOV_EXCL_BR_LINE: as above */
		return false;	/* LCOV_EXCL_LINE: as above */

	/* at most two rows: (circuit_id, term_side) is unique */
	p = probe_begin(g, PROBE_TERM_CIRCUIT, UUIDPGetDatum(&circuit), (Datum) 0);
	while (!found && probe_next(p))
	{
		CHECK_FOR_INTERRUPTS();
		probe_uuid(p, m->t_id, other, &isnull);
		if (memcmp(other, term, sizeof(pg_uuid_t)) == 0)
			continue;
		found = true;
		(void) slot_getattr(p->slot, m->t_network, &isnull);
		*on_network = !isnull;
	}
	probe_end(p);
	return found;
}

/* The front ports of a rear port, by position; only the one at `pos` when pos > 0. */
static int
fetch_fronts(Graph *g, const pg_uuid_t *rear, int32 pos, Port **out)
{
	Probe	   *p = probe_begin(g, pos > 0 ? PROBE_PORT_REAR_POS : PROBE_PORT_REAR,
								UUIDPGetDatum((pg_uuid_t *) rear), Int32GetDatum(pos));
	PortList	l = {NULL, 0, 0};

	while (probe_next(p))
		read_port(g, p, portlist_add(&l), false);
	probe_end(p);
	*out = l.ports;
	return l.n;
}

/* The ports of a device, by name. */
static int
fetch_device_ports(Graph *g, const pg_uuid_t *device, Port **out)
{
	Probe	   *p = probe_begin(g, PROBE_PORT_DEVICE, UUIDPGetDatum((pg_uuid_t *) device), (Datum) 0);
	PortList	l = {NULL, 0, 0};

	while (probe_next(p))
		read_port(g, p, portlist_add(&l), true);
	probe_end(p);
	if (l.n > 1)
		qsort_arg(l.ports, l.n, sizeof(Port), port_cmp_name, g->m);
	*out = l.ports;
	return l.n;
}

static void
pfree_if(void *p)
{
	if (p)
		pfree(p);
}

static char *
uuid_text(const pg_uuid_t *id)
{
	return DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum((pg_uuid_t *) id)));
}

/* ------------------------------------------------------------------------
 * The trace engine
 * ------------------------------------------------------------------------ */

/* A position stack entry: which position, pushed on entering which rear port. */
typedef struct Pos
{
	struct Pos *next;
	int32		pos;
	pg_uuid_t	rear;
} Pos;

typedef enum Outcome
{
	OUTCOME_COMPLETE,
	OUTCOME_OPEN,
	OUTCOME_LOOP
} Outcome;

static const char *const outcome_names[] = {"complete", "open", "loop"};

typedef struct Hop
{
	pg_uuid_t	near;
	pg_uuid_t	near_device;
	bool		near_has_device;	/* false when leaving a circuit termination */
	pg_uuid_t	cable;
	Pos		   *stack;			/* the positions carried when leaving near */
	bool		has_far;
	Port		far;
	bool		split;			/* the far port is a rear port the branch split at */
} Hop;

/* Where a branch continues from: a port to leave by its cable. */
typedef struct Step
{
	pg_uuid_t	port;
	pg_uuid_t	device;
	bool		has_device;		/* false for a circuit termination */
	Pos		   *stack;
} Step;

struct Trace;
typedef void (*EmitFn) (struct Trace *t, Outcome outcome);

/* How many hops of the current path leave a port (Trace.left). */
typedef struct LeftPort
{
	pg_uuid_t	port;			/* hash key */
	int32		count;
} LeftPort;

typedef struct Trace
{
	MemoryContext cxt;			/* lives as long as the trace state */
	Graph	   *g;
	bool		power;			/* power trace: an outlet continues at its device's power ports */
	Hop		   *path;			/* the hops of the branch being walked */
	int			npath;
	int			maxpath;
	HTAB	   *left;			/* once the path is long: its ports, counted */
	int			nbranches;
	int64		nhops;			/* over the branches finished so far */
	pg_uuid_t	start;			/* for messages */
	EmitFn		emit;
	void	   *arg;
} Trace;

static void
trace_init(Trace *t, MemoryContext cxt, Graph *g, bool power, EmitFn emit, void *arg)
{
	memset(t, 0, sizeof(Trace));
	t->cxt = cxt;
	t->g = g;
	t->power = power;
	t->emit = emit;
	t->arg = arg;

	t->maxpath = 16;
	t->path = MemoryContextAlloc(cxt, sizeof(Hop) * t->maxpath);
}

/*
 * Starts a new trace from `start` with the same state: an empty path and
 * no branches yet.  (Everything a walk allocates but its path goes to the
 * current memory context, which the caller may reset between traces.)
 */
static void
trace_restart(Trace *t, const pg_uuid_t *start)
{
	t->npath = 0;
	t->nbranches = 0;
	t->nhops = 0;
	t->start = *start;
	if (t->left)
	{
		hash_destroy(t->left);
		t->left = NULL;
	}
}

/* Counts the hop at path[i] in (or out of, delta -1) the index of left ports. */
static void
count_left(Trace *t, int i, int delta)
{
	bool		found;
	LeftPort   *lp = hash_search(t->left, &t->path[i].near, HASH_ENTER, &found);

	lp->count = (found ? lp->count : 0) + delta;
	if (lp->count == 0)
		hash_search(t->left, &t->path[i].near, HASH_REMOVE, NULL);
}

/* Cuts the path back to its first len hops (leaving a branch). */
static void
truncate_path(Trace *t, int len)
{
	if (t->left)
		while (t->npath > len)
			count_left(t, --t->npath, -1);
	t->npath = len;
}

/* The stack `next` with `pos` (pushed at `rear`) on top. */
static Pos *
push_pos(Pos *next, int32 pos, const pg_uuid_t *rear)
{
	Pos		   *node = palloc(sizeof(Pos));

	node->next = next;
	node->pos = pos;
	node->rear = *rear;
	return node;
}

static bool
stack_equal(const Pos *a, const Pos *b)
{
	for (; a != NULL && b != NULL && a != b; a = a->next, b = b->next)
		if (a->pos != b->pos || memcmp(&a->rear, &b->rear, sizeof(pg_uuid_t)) != 0)
			return false;
	return a == b;
}

/*
 * Whether the branch being walked has already left `step->port` with an
 * equal stack.  The branch's hops are exactly the DFS path, so this is the
 * per-branch visited set: scanned while the path is short; once it is long,
 * the hash of the ports it leaves says whether the port is on it at all,
 * and only then is the path scanned for that port's stacks.
 */
static bool
already_left(Trace *t, const Step *step)
{
	int			i;

	if (t->left)
	{
		LeftPort   *lp = hash_search(t->left, &step->port, HASH_FIND, NULL);

		if (lp == NULL)
			return false;
	}
	for (i = 0; i < t->npath; i++)
		if (memcmp(&t->path[i].near, &step->port, sizeof(pg_uuid_t)) == 0 &&
			stack_equal(t->path[i].stack, step->stack))
			return true;
	return false;
}

static bool
stack_holds_rear(const Pos *s, const pg_uuid_t *rear)
{
	for (; s != NULL; s = s->next)
		if (memcmp(&s->rear, rear, sizeof(pg_uuid_t)) == 0)
			return true;
	return false;
}

static void
push_hop(Trace *t, const Step *from, const pg_uuid_t *cable, const Port *far)
{
	Hop		   *h;

	if (t->nhops + t->npath >= TRACE_MAX_HOPS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the trace from port %s has more than %d hops over its branches",
						uuid_text(&t->start), TRACE_MAX_HOPS),
				 errdetail("It has %d branches so far; every rear port reached with no position to follow, and every breakout cable, multiplies them.",
						   t->nbranches + 1),
				 errhint("Trace from a port further along the path.")));
	if (t->npath == t->maxpath)
	{
		t->maxpath *= 2;
		t->path = repalloc(t->path, sizeof(Hop) * t->maxpath);
	}
	h = &t->path[t->npath++];
	memset(h, 0, sizeof(Hop));
	h->near = from->port;
	h->near_device = from->device;
	h->near_has_device = from->has_device;
	h->stack = from->stack;
	h->cable = *cable;
	h->has_far = far != NULL;
	if (far)
		h->far = *far;

	if (t->left)
		count_left(t, t->npath - 1, 1);
	else if (t->npath == TRACE_SCAN_HOPS)
	{
		HASHCTL		ctl;
		int			i;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(pg_uuid_t);
		ctl.entrysize = sizeof(LeftPort);
		ctl.hcxt = t->cxt;
		t->left = hash_create("cable trace path", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		for (i = 0; i < t->npath; i++)
			count_left(t, i, 1);
	}
}

static void
finish_branch(Trace *t, Outcome outcome)
{
	if (t->npath == 0)
		return;					/* an unconnected start: no branch at all */
	t->nhops += t->npath;
	t->nbranches++;
	t->emit(t, outcome);
}

/*
 * Where a branch goes after reaching `far` carrying `stack`: fills next[]
 * (palloc'd) and returns how many continuations there are; with none,
 * *outcome says how the branch ends.
 */
static int
continue_from(Trace *t, const Port *far, Pos *stack, Step **next, Outcome *outcome)
{
	Port	   *fronts;
	int			n,
				i;

	*next = NULL;
	switch (far->kind)
	{
		case PK_FRONT_PORT:
			if (!far->has_rear)	/* LCOV_EXCL_BR_LINE: CHECK port_front_maps_rear */
			{
				*outcome = OUTCOME_OPEN;	/* LCOV_EXCL_LINE: as above */
				return 0;	/* LCOV_EXCL_LINE: as above */
			}
			if (stack_holds_rear(stack, &far->rear))
			{
				/* back into a rear port the signal is already inside */
				*outcome = OUTCOME_LOOP;
				return 0;
			}
			*next = palloc(sizeof(Step));
			(*next)[0].port = far->rear;
			(*next)[0].device = far->device;
			(*next)[0].has_device = true;
			(*next)[0].stack = push_pos(stack, far->rear_pos, &far->rear);
			return 1;

		case PK_REAR_PORT:
			if (stack != NULL)
				n = fetch_fronts(t->g, &far->id, stack->pos, &fronts);
			else
				n = fetch_fronts(t->g, &far->id, 0, &fronts);
			if (n == 0)
			{
				*outcome = OUTCOME_OPEN;
				return 0;
			}
			if (n > 1)
				t->path[t->npath - 1].split = true;
			*next = palloc(sizeof(Step) * n);
			for (i = 0; i < n; i++)
			{
				(*next)[i].port = fronts[i].id;
				(*next)[i].device = fronts[i].device;
				(*next)[i].has_device = true;
				(*next)[i].stack = stack ? stack->next : NULL;
			}
			pfree_if(fronts);
			return n;

		case PK_POWER_OUTLET:
			if (t->power)
			{
				Port	   *ports;
				int			k = 0;

				n = fetch_device_ports(t->g, &far->device, &ports);
				*next = palloc(sizeof(Step) * Max(n, 1));
				for (i = 0; i < n; i++)
				{
					if (ports[i].kind != PK_POWER_PORT)
						continue;
					(*next)[k].port = ports[i].id;
					(*next)[k].device = ports[i].device;
					(*next)[k].has_device = true;
					(*next)[k].stack = NULL;
					k++;
				}
				pfree_if(ports);
				if (k == 0)
					*outcome = OUTCOME_OPEN;
				return k;
			}
			*outcome = OUTCOME_COMPLETE;
			return 0;

		case PK_CIRCUIT_TERMINATION:
			{
				pg_uuid_t	other;
				bool		on_network;

				if (!circuit_other_end(t->g, &far->id, &other, &on_network))
				{
					*outcome = OUTCOME_OPEN;
					return 0;
				}
				if (on_network)
				{
					/* the provider's network is where the path goes */
					*outcome = OUTCOME_COMPLETE;
					return 0;
				}
				*next = palloc0(sizeof(Step));
				(*next)[0].port = other;
				(*next)[0].has_device = false;
				(*next)[0].stack = stack;
				return 1;
			}

		default:
			*outcome = OUTCOME_COMPLETE;
			return 0;
	}
}

static void walk(Trace *t, Step step);

static void
follow(Trace *t, Step *next, int n, Outcome outcome)	/* NOLINT(misc-no-recursion): see walk */
{
	int			i;

	if (n == 0)
	{
		finish_branch(t, outcome);
		return;
	}
	for (i = 0; i < n; i++)
	{
		int			len = t->npath;

		walk(t, next[i]);
		truncate_path(t, len);
	}
}

/*
 * Walks a branch from `step`: iteratively while the path is a single line,
 * recursively into each branch where it forks (a split rear port, a
 * breakout cable, a PDU with several inlets).  The recursion is as deep as
 * the forks on one path, and check_stack_depth() bounds it.
 */
static void
walk(Trace *t, Step step)		/* NOLINT(misc-no-recursion): bounded, as said above */
{
	int			i;

	check_stack_depth();
	for (;;)
	{
		Port	   *far;
		pg_uuid_t	cable;
		bool		has_cable;
		int			nfar;
		Step	   *next;
		int			nnext;
		Outcome		outcome = OUTCOME_COMPLETE;

		CHECK_FOR_INTERRUPTS();

		if (already_left(t, &step))
		{
			finish_branch(t, OUTCOME_LOOP);
			return;
		}
		nfar = fetch_far(t->g, &step.port, &far, &cable, &has_cable);
		if (!has_cable)
		{
			/* a pass-through port with no cable: the path ends here */
			finish_branch(t, OUTCOME_OPEN);
			return;
		}
		if (nfar == 0)
		{
			/* a cable with no end on its other side */
			push_hop(t, &step, &cable, NULL);
			finish_branch(t, OUTCOME_OPEN);
			return;
		}
		if (nfar == 1)
		{
			push_hop(t, &step, &cable, &far[0]);
			nnext = continue_from(t, &far[0], step.stack, &next, &outcome);
			pfree(far);
			if (nnext == 1)
			{
				step = next[0];
				pfree(next);
				continue;
			}
			follow(t, next, nnext, outcome);
			pfree_if(next);
			return;
		}
		/* a breakout cable: one branch per far end */
		for (i = 0; i < nfar; i++)
		{
			int			len = t->npath;

			push_hop(t, &step, &cable, &far[i]);
			nnext = continue_from(t, &far[i], step.stack, &next, &outcome);
			follow(t, next, nnext, outcome);
			pfree_if(next);
			truncate_path(t, len);
		}
		pfree(far);
		return;
	}
}

/* ------------------------------------------------------------------------
 * cable_trace / power_trace
 * ------------------------------------------------------------------------ */

#define TRACE_COLUMNS 8

static void
emit_rows(Trace *t, Outcome outcome)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) t->arg;
	int			i;

	for (i = 0; i < t->npath; i++)
	{
		Hop		   *h = &t->path[i];
		Datum		values[TRACE_COLUMNS];
		bool		nulls[TRACE_COLUMNS];
		const char *note = NULL;

		CHECK_FOR_INTERRUPTS();
		memset(nulls, 0, sizeof(nulls));
		values[0] = Int32GetDatum(t->nbranches);
		values[1] = Int32GetDatum(i + 1);
		values[2] = UUIDPGetDatum(&h->near);
		values[3] = UUIDPGetDatum(&h->cable);
		values[4] = UUIDPGetDatum(&h->far.id);
		values[5] = UUIDPGetDatum(&h->near_device);
		values[6] = UUIDPGetDatum(&h->far.device);
		nulls[4] = !h->has_far;
		/* a circuit termination is on no device */
		nulls[5] = !h->near_has_device;
		nulls[6] = !h->has_far || !h->far.has_device;
		if (i == t->npath - 1)
			note = outcome_names[outcome];
		else if (h->split)
			note = "split";
		if (note)
			values[7] = CStringGetTextDatum(note);
		else
			nulls[7] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * The graph functions' optional second argument, include_planned: whether
 * to follow planned and decommissioning cables too.  The 1.0 and 1.1
 * declarations have no second argument: called through them, the functions
 * follow connected cables only, as the 1.2 default does.  (The functions are
 * STRICT: a NULL argument never reaches us.)
 */
static bool
arg_include_planned(FunctionCallInfo fcinfo)
{
	return PG_NARGS() > 1 ? PG_GETARG_BOOL(1) : false;
}

static Datum
trace_srf(FunctionCallInfo fcinfo, bool power)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	pg_uuid_t  *start = PG_GETARG_UUID_P(0);
	MemoryContext cxt,
				old;
	Graph		g;
	Trace		t;
	Port		port;
	Step		step;

	InitMaterializedSRF(fcinfo, 0);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "cable trace", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	graph_open(&g, arg_include_planned(fcinfo), true);

	if (!lookup_port(&g, start, &port, false))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("no port with id %s", uuid_text(start))));
	if (power && port.kind != PK_POWER_PORT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("port %s is of kind %s, not power_port", uuid_text(start), port_kind_names[port.kind]),
				 errhint("A power trace starts at a device's power inlet.")));

	trace_init(&t, cxt, &g, power, emit_rows, rsinfo);
	trace_restart(&t, &port.id);
	step.port = port.id;
	step.device = port.device;
	step.has_device = port.has_device;
	step.stack = NULL;
	walk(&t, step);

	graph_close(&g);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

/*
 * cable_trace(port_id uuid, include_planned boolean DEFAULT false) returns
 * table (branch, hop, near_port, cable_id, far_port, near_device,
 * far_device, outcome)
 */
Datum
mountaineer_cable_trace(PG_FUNCTION_ARGS)
{
	return trace_srf(fcinfo, false);
}

/* power_trace(port_id uuid, include_planned boolean DEFAULT false): the same table, from a power port upstream */
Datum
mountaineer_power_trace(PG_FUNCTION_ARGS)
{
	return trace_srf(fcinfo, true);
}

/* ------------------------------------------------------------------------
 * impact
 *
 * A device depends on the failed set F when every one of its connected
 * power ports is cabled to an outlet or feed of a device in F, or every one
 * of its traced interfaces (those whose trace reaches an endpoint) leads
 * through or to a device in F.  F starts as the given device and grows
 * breadth first; a device joins at the depth of the member that cut its last
 * live port, plus one.  Only devices next to F are ever looked at.
 * ------------------------------------------------------------------------ */

typedef struct ImpactDevice
{
	pg_uuid_t	id;				/* hash key */
	bool		failed;
	bool		counted;		/* totals below are known */
	int32		depth;
	pg_uuid_t	via;
	int32		power_total;
	int32		power_cut;
	int32		data_total;
	int32		data_cut;
} ImpactDevice;

typedef enum PortClass
{
	CLASS_POWER,
	CLASS_DATA
} PortClass;

typedef struct ImpactPort
{
	pg_uuid_t	id;				/* hash key: a port of a candidate */
	bool		cut;
} ImpactPort;

typedef struct Impact
{
	MemoryContext cxt;			/* what is kept: devices, ports, queue */
	MemoryContext spread_cxt;	/* one failed device's ports, reset per device */
	MemoryContext step_cxt;		/* one port's traces, reset per port */
	MemoryContext count_cxt;	/* counting one candidate, reset per candidate */
	HTAB	   *devices;
	HTAB	   *ports;
	ImpactDevice **queue;		/* failed devices in the order they failed */
	int			nqueue;
	int			maxqueue;
	/* endpoints collected by the current trace */
	Port	   *ends;
	int			nends;
	int			maxends;
	Trace		trace;			/* one trace state, reused by every walk */
} Impact;

static void
collect_end(Trace *t, Outcome outcome)
{
	Impact	   *im = (Impact *) t->arg;
	Hop		   *last = &t->path[t->npath - 1];

	if (outcome != OUTCOME_COMPLETE || !last->has_far)	/* LCOV_EXCL_BR_LINE: only an open branch ends without a far port */
		return;
	if (im->nends == im->maxends)
	{
		/* in the scratch context of whoever is tracing */
		im->maxends = im->maxends ? im->maxends * 2 : 16;
		im->ends = im->ends ? repalloc(im->ends, sizeof(Port) * im->maxends)
			: palloc(sizeof(Port) * im->maxends);
	}
	im->ends[im->nends++] = last->far;
}

/* Adds to im->ends the endpoints reached from `port` leaving with `stack`. */
static void
trace_ends(Impact *im, const pg_uuid_t *port, const pg_uuid_t *device, Pos *stack)
{
	Trace	   *t = &im->trace;
	Step		step;

	step.port = *port;
	step.device = *device;
	step.has_device = true;
	step.stack = stack;
	trace_restart(t, port);
	walk(t, step);
}

/*
 * Learns how many live power ports and traced interfaces a device has.
 * Everything but the counts and the hashed ports goes when it is done.
 */
static void
count_device(Impact *im, ImpactDevice *dev)
{
	MemoryContext old = MemoryContextSwitchTo(im->count_cxt);
	Port	   *ports;
	int			n,
				i;

	n = fetch_device_ports(im->trace.g, &dev->id, &ports);
	for (i = 0; i < n; i++)
	{
		PortClass	cls;
		bool		live = false;

		CHECK_FOR_INTERRUPTS();

		if (ports[i].kind == PK_POWER_PORT)
		{
			Port	   *far;
			pg_uuid_t	cable;
			bool		has_cable;

			cls = CLASS_POWER;
			live = fetch_far(im->trace.g, &ports[i].id, &far, &cable, &has_cable) > 0;
			pfree_if(far);
		}
		else if (ports[i].kind == PK_INTERFACE)
		{
			cls = CLASS_DATA;
			im->nends = 0;
			trace_ends(im, &ports[i].id, &dev->id, NULL);
			live = im->nends > 0;
		}
		else
			continue;
		if (live)
		{
			ImpactPort *p = hash_search(im->ports, &ports[i].id, HASH_ENTER, NULL);

			p->cut = false;
			if (cls == CLASS_POWER)
				dev->power_total++;
			else
				dev->data_total++;
		}
	}
	dev->counted = true;
	MemoryContextSwitchTo(old);
	MemoryContextReset(im->count_cxt);
	im->ends = NULL;			/* they were in count_cxt */
	im->nends = im->maxends = 0;
}

static void
fail_device(Impact *im, ImpactDevice *dev, int32 depth, const pg_uuid_t *via)
{
	dev->failed = true;
	dev->depth = depth;
	if (via)
		dev->via = *via;
	if (im->nqueue == im->maxqueue)
	{
		im->maxqueue = im->maxqueue ? im->maxqueue * 2 : 64;
		im->queue = im->queue ? repalloc(im->queue, sizeof(ImpactDevice *) * im->maxqueue)
			: MemoryContextAlloc(im->cxt, sizeof(ImpactDevice *) * im->maxqueue);
	}
	im->queue[im->nqueue++] = dev;
}

/* Port `p` (of another device) lost what it leads to, a member at `depth`. */
static void
cut_port(Impact *im, const Port *p, PortClass cls, int32 depth)
{
	ImpactDevice *dev;
	ImpactPort *ip;
	bool		found;

	dev = hash_search(im->devices, &p->device, HASH_ENTER, &found);
	if (!found)
	{
		memset(((char *) dev) + sizeof(pg_uuid_t), 0, sizeof(ImpactDevice) - sizeof(pg_uuid_t));
	}
	if (dev->failed)
		return;
	if (!dev->counted)
		count_device(im, dev);
	ip = hash_search(im->ports, &p->id, HASH_FIND, NULL);
	if (ip == NULL || ip->cut)
		return;					/* not a live port of its class, or already cut */
	ip->cut = true;
	if (cls == CLASS_POWER)
		dev->power_cut++;
	else
		dev->data_cut++;
	if ((cls == CLASS_POWER && dev->power_cut >= dev->power_total) ||
		(cls == CLASS_DATA && dev->data_cut >= dev->data_total))
		fail_device(im, dev, depth + 1, &p->id);
}

/*
 * Everything next to a failed device: what its outlets feed, what its data
 * paths reach.  Each port's traces are forgotten before the next port's.
 */
static void
spread(Impact *im, ImpactDevice *dev)
{
	MemoryContext old;
	Port	   *ports;
	int			n,
				i,
				j;

	MemoryContextReset(im->spread_cxt);
	old = MemoryContextSwitchTo(im->spread_cxt);
	n = fetch_device_ports(im->trace.g, &dev->id, &ports);
	for (i = 0; i < n; i++)
	{
		Port	   *q = &ports[i];

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(im->step_cxt);
		MemoryContextSwitchTo(im->step_cxt);
		if (q->kind == PK_POWER_OUTLET || q->kind == PK_POWER_FEED)
		{
			Port	   *far;
			pg_uuid_t	cable;
			bool		has_cable;
			int			nfar = fetch_far(im->trace.g, &q->id, &far, &cable, &has_cable);

			for (j = 0; j < nfar; j++)
				if (far[j].kind == PK_POWER_PORT)	/* LCOV_EXCL_BR_LINE: outlets and feeds are cabled to power ports only */
					cut_port(im, &far[j], CLASS_POWER, dev->depth);
			pfree_if(far);
		}
		else if (q->kind == PK_INTERFACE || q->kind == PK_FRONT_PORT)
		{
			int			nends;
			Port	   *ends;

			im->nends = 0;
			trace_ends(im, &q->id, &dev->id, NULL);
			/* a front port's paths also run out through its rear port */
			if (q->kind == PK_FRONT_PORT && q->has_rear)	/* LCOV_EXCL_BR_LINE: CHECK port_front_maps_rear */
				trace_ends(im, &q->rear, &dev->id,
						   push_pos(NULL, q->rear_pos, &q->rear));
			/* cut_port may trace again (to count a device): keep our ends */
			nends = im->nends;
			ends = im->ends;
			im->ends = NULL;
			im->nends = im->maxends = 0;
			for (j = 0; j < nends; j++)
				if (ends[j].kind == PK_INTERFACE)	/* LCOV_EXCL_BR_LINE: a data trace completes at an interface only */
					cut_port(im, &ends[j], CLASS_DATA, dev->depth);
		}
		MemoryContextSwitchTo(im->spread_cxt);
	}
	MemoryContextSwitchTo(old);
}

#define IMPACT_COLUMNS 3

/*
 * impact(device_id uuid, include_planned boolean DEFAULT false) returns
 * table (device_id uuid, depth int, via_port uuid)
 */
Datum
mountaineer_impact(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	pg_uuid_t  *start = PG_GETARG_UUID_P(0);
	MemoryContext cxt,
				old;
	Graph		g;
	Impact		im;
	HASHCTL		ctl;
	ImpactDevice *root;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "cable impact", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	graph_open(&g, arg_include_planned(fcinfo), true);

	if (device_name(&g, start) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("no device with id %s", uuid_text(start))));

	memset(&im, 0, sizeof(im));
	im.cxt = cxt;
	im.spread_cxt = AllocSetContextCreate(cxt, "impact: a failed device", ALLOCSET_DEFAULT_SIZES);
	im.step_cxt = AllocSetContextCreate(cxt, "impact: a port", ALLOCSET_DEFAULT_SIZES);
	im.count_cxt = AllocSetContextCreate(cxt, "impact: a candidate", ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(pg_uuid_t);
	ctl.entrysize = sizeof(ImpactDevice);
	ctl.hcxt = cxt;
	im.devices = hash_create("impact devices", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(pg_uuid_t);
	ctl.entrysize = sizeof(ImpactPort);
	ctl.hcxt = cxt;
	im.ports = hash_create("impact ports", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	root = hash_search(im.devices, start, HASH_ENTER, NULL);
	memset(((char *) root) + sizeof(pg_uuid_t), 0, sizeof(ImpactDevice) - sizeof(pg_uuid_t));
	root->counted = true;
	fail_device(&im, root, 0, NULL);

	trace_init(&im.trace, cxt, &g, false, collect_end, &im);
	/* im.queue grows (and moves) while we walk it: index it afresh each time */
	for (i = 0; i < im.nqueue; i++)
		spread(&im, im.queue[i]);

	for (i = 1; i < im.nqueue; i++)
	{
		ImpactDevice *d = im.queue[i];
		Datum		values[IMPACT_COLUMNS];
		bool		nulls[IMPACT_COLUMNS] = {false, false, false};

		values[0] = UUIDPGetDatum(&d->id);
		values[1] = Int32GetDatum(d->depth);
		values[2] = UUIDPGetDatum(&d->via);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}

	graph_close(&g);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

/* ------------------------------------------------------------------------
 * cable_end_check(): the check of a cable end written (hardware 1.7)
 * ------------------------------------------------------------------------ */

/*
 * Up to 1.7 the check was PL/pgSQL: its probes of cable_end, the table being
 * written, were planned by plan caches that keep the first plan good enough
 * for a near-empty table, so a bulk load into an empty (or emptied and
 * vacuumed) cable_end read the whole table for every end: 3 to 5 ms an end
 * at 60,000 ends.  Here the reads are the graph's btree probes, which no
 * planner chooses; the two row locks are taken as the executor takes a
 * row's lock (lock_by_id(), 1.7: they were queries, 7 µs an end), or by
 * query for a caller who may not take them (no UPDATE privilege), and the
 * function runs with sequential scans off so that those queries' saved
 * plans probe the primary keys whatever size the tables had when planned.  The rules and the locks are cable_end_check_report()'s
 * (the PL/pgSQL, whose comment in the install script says what each lock is
 * for), taken in the same order; when anything is wrong, or the fast path
 * cannot read as the caller would (no SELECT privilege, row-level security,
 * a column gone), that function runs as this very trigger call and refuses
 * with its own message, or lets the row pass as it always did.
 */
PG_FUNCTION_INFO_V1(mountaineer_cable_end_check);

/* Where a port is, as the check compares it. */
typedef struct EndPlace
{
	Port		port;
	bool		is_term;		/* a circuit termination */
	bool		on_network;		/* ... on a provider network */
	bool		has_site;
	pg_uuid_t	site;			/* the device's site, else the termination's */
} EndPlace;

static SPIPlanPtr lock_cable_plan;
static SPIPlanPtr lock_port_plan;

/* the cable's lock, which both checks take; it reads whether it is connected */
#define LOCK_CABLE_QUERY "SELECT status = 'connected' FROM mountaineer.cable WHERE id = $1 FOR NO KEY UPDATE"
#define LOCK_PORT_QUERY "SELECT FROM mountaineer.port WHERE id = $1 FOR SHARE"

/*
 * Takes the row lock of `query` on the row with id `id`: whether it found
 * one; *first, when asked for, is the row's first column (a boolean).
 */
static bool
end_check_lock(SPIPlanPtr *plan, const char *query, Datum id, bool *first)
{
	if (*plan == NULL)
	{
		Oid			argtypes[1] = {UUIDOID};
		SPIPlanPtr	p = SPI_prepare(query, 1, argtypes);

		if (p == NULL)			/* LCOV_EXCL_BR_LINE: a fixed query on the module's tables */
			elog(ERROR, "cable_end_check: cannot prepare %s: %s", query, SPI_result_code_string(SPI_result));	/* LCOV_EXCL_LINE */
		SPI_keepplan(p);
		*plan = p;
	}
	if (SPI_execute_plan(*plan, &id, NULL, false, 1) != SPI_OK_SELECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "cable_end_check: %s failed", query);	/* LCOV_EXCL_LINE */
	if (SPI_processed == 0)
		return false;
	if (first != NULL)
	{
		bool		isnull;

		*first = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) && !isnull;
	}
	return true;
}

/*
 * (1.7) The same lock as end_check_lock()'s query takes, without a query:
 * the row of the table relid whose id (by the btree index idx) is id,
 * locked in `mode` as the executor locks a row for SELECT ... FOR <mode>.
 * As the query would: the command counter is incremented first and the
 * row found under a new snapshot (the transaction's, in REPEATABLE READ,
 * seeing the statement's rows so far); a row that a running transaction
 * updates or locks in a conflicting mode is waited for; in READ COMMITTED
 * the row's latest version is locked (its id rechecked: a row whose id is
 * no longer id is no row, as the query's recheck says), while in
 * REPEATABLE READ a row updated or deleted since the snapshot fails with
 * 40001, with the executor's messages; a row updated or deleted by this
 * transaction's current command counts as none.  *connected, when asked
 * for, is whether the locked row's status is connected (a cable).  The
 * caller has made sure it may lock the row (UPDATE on the table, as FOR
 * UPDATE and FOR SHARE need; no row-level security).
 */
static bool
lock_by_id(Oid relid, Oid idx, AttrNumber id_att, Datum id, LockTupleMode mode, bool *connected)
{
	Relation	rel = table_open(relid, RowShareLock);
	Relation	index = index_open(idx, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	ScanKeyData key;
	IndexScanDesc scan;
	Snapshot	snap;
	ItemPointerData tid;
	bool		found;
	bool		isnull;

	CommandCounterIncrement();
	PushCopiedSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	snap = GetActiveSnapshot();
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, id);
	scan = index_beginscan(rel, index, snap, 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	if (found)
		tid = slot->tts_tid;
	index_endscan(scan);
	if (found)
	{
		TM_FailureData tmfd;
		TM_Result	res = table_tuple_lock(rel, &tid, snap, slot, GetCurrentCommandId(true), mode, LockWaitBlock,
										   TUPLE_LOCK_FLAG_LOCK_UPDATE_IN_PROGRESS |
										   (IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION),
										   &tmfd);
		switch (res)
		{
			case TM_Ok:
				/* a later version (READ COMMITTED): still the row asked for? */
				if (tmfd.traversed)
				{
					Datum		now_id = slot_getattr(slot, id_att, &isnull);

					found = !isnull && memcmp(DatumGetUUIDP(now_id), DatumGetUUIDP(id), UUID_LEN) == 0;
				}
				break;
			case TM_SelfModified:
				found = false;	/* as the executor: treated as deleted */
				break;
			case TM_Updated:
				if (IsolationUsesXactSnapshot())
					ereport(ERROR,
							(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
							 errmsg("could not serialize access due to concurrent update")));
				elog(ERROR, "unexpected table_tuple_lock status: %u", res);	/* LCOV_EXCL_LINE: FIND_LAST_VERSION */
				break;			/* LCOV_EXCL_LINE */
			case TM_Deleted:
				if (IsolationUsesXactSnapshot())
					ereport(ERROR,
							(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
							 errmsg("could not serialize access due to concurrent delete")));
				found = false;	/* gone meanwhile: no row */
				break;
			default:			/* LCOV_EXCL_LINE: TM_Invisible, TM_WouldBlock (we wait) */
				elog(ERROR, "unexpected table_tuple_lock status: %u", res);	/* LCOV_EXCL_LINE */
		}
	}
	if (found && connected != NULL)
	{
		Datum		status = slot_getattr(slot, meta.c_status, &isnull);

		*connected = !isnull && DatumGetObjectId(status) == meta.connected_oid;
	}
	PopActiveSnapshot();
	ExecDropSingleTupleTableSlot(slot);
	/* their locks are held to the transaction's end, as a query's */
	index_close(index, NoLock);
	table_close(rel, NoLock);
	return found;
}

/*
 * The cable's lock (and whether it is connected): by lock_by_id() when the
 * caller may take it as the query would, else by the query, which refuses
 * as it does.
 */
static bool
lock_cable(Datum cable, bool *connected)
{
	if (pg_class_aclcheck(meta.cable_rel, GetUserId(), ACL_UPDATE) == ACLCHECK_OK &&
		check_enable_rls(meta.cable_rel, InvalidOid, true) != RLS_ENABLED)
		return lock_by_id(meta.cable_rel, meta.cable_pkey, meta.c_id, cable, LockTupleNoKeyExclusive, connected);
	return end_check_lock(&lock_cable_plan, LOCK_CABLE_QUERY, cable, connected);
}

/* The port's lock (FOR SHARE), likewise. */
static void
lock_port(Datum port)
{
	if (pg_class_aclcheck(meta.port_rel, GetUserId(), ACL_UPDATE) == ACLCHECK_OK &&
		check_enable_rls(meta.port_rel, InvalidOid, true) != RLS_ENABLED)
		(void) lock_by_id(meta.port_rel, meta.port_pkey, meta.p_id, port, LockTupleShare, NULL);
	else
		(void) end_check_lock(&lock_port_plan, LOCK_PORT_QUERY, port, NULL);
}

/*
 * Whether the caller reads the tables as a query would through the probes:
 * those of an end's check, or only cable_end (the sides' check).
 */
static bool
end_check_readable(bool ends_only)
{
	Oid			rels[5] = {meta.cable_end_rel, meta.port_rel, meta.device_rel, meta.cable_rel, meta.term_rel};
	int			n = ends_only ? 1 : (int) lengthof(rels);

	if (!ends_only &&
		(meta.d_site == InvalidAttrNumber || !OidIsValid(meta.term_rel) || meta.t_site == InvalidAttrNumber))
		return false;
	for (int i = 0; i < n; i++)
		if (pg_class_aclcheck(rels[i], GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
			check_enable_rls(rels[i], InvalidOid, true) == RLS_ENABLED)
			return false;
	return true;
}

/* The port with that id and where it is; false when there is none. */
static bool
end_place(Graph *g, const pg_uuid_t *id, EndPlace *out)
{
	GraphMeta  *m = g->m;
	Probe	   *p;
	bool		isnull;

	memset(out, 0, sizeof(EndPlace));
	if (!lookup_port(g, id, &out->port, false))
		return false;
	if (out->port.has_device)
	{
		p = probe_begin(g, PROBE_DEVICE, UUIDPGetDatum(&out->port.device), (Datum) 0);
		if (probe_next(p))		/* LCOV_EXCL_BR_LINE: port.device_id references device */
		{
			probe_uuid(p, m->d_site, &out->site, &isnull);
			out->has_site = !isnull;
		}
		probe_end(p);
	}
	p = probe_begin(g, PROBE_TERM, UUIDPGetDatum((pg_uuid_t *) id), (Datum) 0);
	if (probe_next(p))
	{
		out->is_term = true;
		(void) slot_getattr(p->slot, m->t_network, &isnull);
		out->on_network = !isnull;
		/* coalesce(d.site_id, t.site_id) */
		if (!out->has_site)
		{
			probe_uuid(p, m->t_site, &out->site, &isnull);
			out->has_site = !isnull;
		}
	}
	probe_end(p);
	return true;
}

/* port_kinds_compatible(a, b) of the install script, which the tests hold this to. */
static bool
end_kinds_compatible(PortKind a, PortKind b)
{
	switch (a)
	{
		case PK_INTERFACE:
		case PK_FRONT_PORT:
		case PK_REAR_PORT:
		case PK_CIRCUIT_TERMINATION:
			return b == PK_INTERFACE || b == PK_FRONT_PORT || b == PK_REAR_PORT || b == PK_CIRCUIT_TERMINATION;
		case PK_CONSOLE:
			return b == PK_CONSOLE_SERVER;
		case PK_CONSOLE_SERVER:
			return b == PK_CONSOLE;
		case PK_POWER_PORT:
			return b == PK_POWER_OUTLET || b == PK_POWER_FEED;
		case PK_POWER_OUTLET:
		case PK_POWER_FEED:
			return b == PK_POWER_PORT;
		default:				/* LCOV_EXCL_LINE: read_port knows no other kind */
			return false;		/* LCOV_EXCL_LINE */
	}
}

/*
 * An end other than the one being written: not its new id, nor its old one
 * (e.id <> NEW.id AND e.id <> OLD.id, so with a NULL new id no end is).
 */
static bool
end_is_other(Probe *p, const pg_uuid_t *new_id, const pg_uuid_t *old_id)
{
	pg_uuid_t	id;
	bool		isnull;

	probe_uuid(p, meta.e_id, &id, &isnull);
	return !isnull && new_id != NULL && memcmp(&id, new_id, sizeof(id)) != 0 &&
		(old_id == NULL || memcmp(&id, old_id, sizeof(id)) != 0);
}

/*
 * Whether the end (after its locks were taken) passes every rule, read under
 * the active snapshot: its port is on no other cable, is no termination on a
 * provider network, and every end on the cable's other side is of a kind it
 * connects to and, where either is a termination, at its site.
 */
static bool
end_passes(Graph *g, const pg_uuid_t *new_id /* NULL: a NULL id */, const pg_uuid_t *old_id,
		   const pg_uuid_t *cable, const pg_uuid_t *port, Oid side)
{
	GraphMeta  *m = g->m;
	EndPlace	me,
				other;
	Probe	   *p;
	pg_uuid_t  *far;
	int			nfar = 0,
				maxfar = 4;
	bool		ok = true;

	if (!end_place(g, port, &me))
		return true;			/* the foreign key reports it */
	p = probe_begin(g, PROBE_END_PORT, UUIDPGetDatum((pg_uuid_t *) port), (Datum) 0);
	while (ok && probe_next(p))
		ok = !end_is_other(p, new_id, old_id);
	probe_end(p);
	if (!ok || me.on_network)
		return false;
	if (side != m->side_oid[0] && side != m->side_oid[1])
		return side == InvalidOid;	/* a NULL side has no other side */
	/* the far ports first, then each one read: one probe open at a time */
	far = palloc(sizeof(pg_uuid_t) * maxfar);
	p = probe_begin(g, PROBE_END_CABLE_SIDE, UUIDPGetDatum((pg_uuid_t *) cable),
					ObjectIdGetDatum(side == m->side_oid[0] ? m->side_oid[1] : m->side_oid[0]));
	while (probe_next(p))
	{
		bool		isnull;

		CHECK_FOR_INTERRUPTS();
		if (!end_is_other(p, new_id, old_id))
			continue;
		if (nfar == maxfar)
		{
			maxfar *= 2;
			far = repalloc(far, sizeof(pg_uuid_t) * maxfar);
		}
		probe_uuid(p, m->e_port, &far[nfar], &isnull);
		nfar++;
	}
	probe_end(p);
	for (int i = 0; i < nfar && ok; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!end_place(g, &far[i], &other))
			continue;			/* the join found no port */
		ok = end_kinds_compatible(me.port.kind, other.port.kind) &&
			!((me.is_term || other.is_term) && me.has_site && other.has_site &&
			  memcmp(&me.site, &other.site, sizeof(pg_uuid_t)) != 0);
	}
	pfree(far);
	return ok;
}

static Datum
end_check_report(FunctionCallInfo fcinfo)
{
	return mt_run_trigger_as(fcinfo, "cable_end_check_report");
}

/* cable_end_check() returns trigger: BEFORE INSERT OR UPDATE FOR EACH ROW */
Datum
mountaineer_cable_end_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	newtup,
				oldtup;
	TupleDesc	desc;
	Datum		cable,
				port,
				d;
	bool		cable_null,
				port_null,
				new_id_null,
				isnull;
	pg_uuid_t	new_id,
				old_id;
	Oid			side;
	bool		passes;
	Graph		g;

	mt_before_write_row(fcinfo, "cable_end_check", &newtup, &oldtup);
	if (!meta.valid)
		graph_learn(&meta);
	if (RelationGetRelid(td->tg_relation) != meta.cable_end_rel || !end_check_readable(false))
		return end_check_report(fcinfo);

	desc = RelationGetDescr(td->tg_relation);
	cable = heap_getattr(newtup, meta.e_cable, desc, &cable_null);
	port = heap_getattr(newtup, meta.e_port, desc, &port_null);
	if (cable_null)
		return PointerGetDatum(newtup); /* no cable to check: NOT NULL reports it */
	d = heap_getattr(newtup, meta.e_id, desc, &new_id_null);
	if (!new_id_null)
		memcpy(&new_id, DatumGetUUIDP(d), sizeof(pg_uuid_t));
	if (oldtup != NULL)
	{
		d = heap_getattr(oldtup, meta.e_id, desc, &isnull);
		if (isnull)				/* LCOV_EXCL_BR_LINE: the primary key; but as SQL: no end is other */
			new_id_null = true; /* LCOV_EXCL_LINE */
		else
			memcpy(&old_id, DatumGetUUIDP(d), sizeof(pg_uuid_t));
	}
	d = heap_getattr(newtup, meta.e_side, desc, &isnull);
	side = isnull ? InvalidOid : DatumGetObjectId(d);

	if (SPI_connect() != SPI_OK_CONNECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "SPI_connect failed");	/* LCOV_EXCL_LINE */
	if (!lock_cable(cable, NULL))
	{
		SPI_finish();
		return PointerGetDatum(newtup); /* the foreign key reports it */
	}
	if (!port_null)
		lock_port(port);
	SPI_finish();
	if (port_null)
		return PointerGetDatum(newtup); /* NOT NULL reports it */

	/*
	 * Read as the PL/pgSQL's next statement would: a new snapshot in READ
	 * COMMITTED (the transaction's in REPEATABLE READ), which sees the
	 * statement's own rows so far (the locks' CommandCounterIncrement made
	 * them visible to it).
	 */
	PushCopiedSnapshot(GetTransactionSnapshot());
	graph_open(&g, true, false);
	/* the wait for the locks may have let DDL or a REVOKE commit: ask again */
	if (!end_check_readable(false))
	{
		graph_close(&g);
		PopActiveSnapshot();
		return end_check_report(fcinfo);
	}
	passes = end_passes(&g, new_id_null ? NULL : &new_id, oldtup ? &old_id : NULL,
						DatumGetUUIDP(cable), DatumGetUUIDP(port), side);

	/*
	 * (1.7) In REPEATABLE READ the snapshot may predate an end committed by
	 * the transaction whose cable lock we waited for, or took after it: the
	 * lock changes no row, so taking it raised no serialization failure.  So
	 * read the latest committed ends too, as a foreign key check does at
	 * that level, and fail where they refuse what the snapshot lets through.
	 */
	if (passes && IsolationUsesXactSnapshot())
	{
		bool		latest_passes;

		PushCopiedSnapshot(GetLatestSnapshot());
		g.snapshot = GetActiveSnapshot();
		latest_passes = end_passes(&g, new_id_null ? NULL : &new_id, oldtup ? &old_id : NULL,
								   DatumGetUUIDP(cable), DatumGetUUIDP(port), side);
		PopActiveSnapshot();
		if (!latest_passes)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update"),
					 errdetail("An end of cable %s committed after this transaction's snapshot refuses the new end.",
							   uuid_text(DatumGetUUIDP(cable))),
					 errhint("Retry the transaction.")));
	}
	graph_close(&g);
	PopActiveSnapshot();
	if (!passes)
		return end_check_report(fcinfo);
	return PointerGetDatum(newtup);
}

/* ------------------------------------------------------------------------
 * cable_check_sides(), cable_status_check_sides(): a connected cable has
 * an end on each side (hardware 1.7)
 * ------------------------------------------------------------------------ */

/*
 * The deferred constraint triggers on cable_end (every end written, moved or
 * removed: its cable, and the cable it left) and on cable (inserted, or its
 * status changed), which PL/pgSQL ran at 17 µs a row.  Here, per cable:
 * the lock (FOR NO KEY UPDATE, the query reading whether it is connected),
 * then, if it is, one btree probe per side.  A missing side, or a table
 * the probes cannot read as the caller would, is left to the PL/pgSQL
 * (cable_check_sides_report(), cable_status_check_sides_report()), which
 * raises the message.  In REPEATABLE READ the latest committed ends are
 * read too, as in cable_end_check(): of two transactions that each take
 * away one of the last ends of a side, the second fails (40001).
 */
PG_FUNCTION_INFO_V1(mountaineer_cable_check_sides);
PG_FUNCTION_INFO_V1(mountaineer_cable_status_check_sides);

/* Whether the cable has an end on both sides, read under `snapshot`. */
static bool
sides_present(Graph *g, Snapshot snapshot, Datum cable)
{
	bool		both = true;

	g->snapshot = snapshot;
	for (int side = 0; side < 2 && both; side++)
	{
		Probe	   *p = probe_begin(g, PROBE_END_CABLE_SIDE, cable, ObjectIdGetDatum(g->m->side_oid[side]));

		both = probe_next(p);
		probe_end(p);
	}
	return both;
}

/*
 * Checks the cables[0..n) (NULLs skipped); false when one is connected and
 * misses a side, for the PL/pgSQL to name.
 */
static bool
sides_check(const Datum *cables, const bool *nulls, int n)
{
	bool		connected[2] = {false, false};
	bool		ok = true;
	Graph		g;

	if (SPI_connect() != SPI_OK_CONNECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "SPI_connect failed");	/* LCOV_EXCL_LINE */
	for (int i = 0; i < n; i++)
		if (!nulls[i] && !lock_cable(cables[i], &connected[i]))
			connected[i] = false;	/* no such cable: nothing to check */
	SPI_finish();
	if (!connected[0] && !connected[1])
		return true;

	PushCopiedSnapshot(GetTransactionSnapshot());
	graph_open(&g, true, false);
	/* the wait for the locks may have let DDL or a REVOKE commit: ask again */
	if (!end_check_readable(true))
		ok = false;				/* the PL/pgSQL decides */
	for (int i = 0; i < n && ok; i++)
	{
		if (!connected[i])
			continue;
		ok = sides_present(&g, GetActiveSnapshot(), cables[i]);
		if (ok && IsolationUsesXactSnapshot())
		{
			bool		latest;

			PushCopiedSnapshot(GetLatestSnapshot());
			latest = sides_present(&g, GetActiveSnapshot(), cables[i]);
			PopActiveSnapshot();
			if (!latest)
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update"),
						 errdetail("Cable %s has lost the last end of a side to a transaction committed after this transaction's snapshot.",
								   uuid_text(DatumGetUUIDP(cables[i]))),
						 errhint("Retry the transaction.")));
		}
	}
	graph_close(&g);
	PopActiveSnapshot();
	return ok;
}

static void
sides_check_protocol(FunctionCallInfo fcinfo, const char *name, bool deletes)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event) ||
		  (deletes && TRIGGER_FIRED_BY_DELETE(td->tg_event))))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be called as an AFTER INSERT OR UPDATE%s row trigger", name, deletes ? " OR DELETE" : "")));
	if (!meta.valid)
		graph_learn(&meta);
}

/* cable_check_sides() returns trigger: on cable_end, AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW */
Datum
mountaineer_cable_check_sides(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Datum		cables[2];
	bool		nulls[2] = {true, true};
	TupleDesc	desc;

	sides_check_protocol(fcinfo, "cable_check_sides", true);
	if (RelationGetRelid(td->tg_relation) != meta.cable_end_rel || !end_check_readable(true))
		return mt_run_trigger_as(fcinfo, "cable_check_sides_report");
	desc = RelationGetDescr(td->tg_relation);
	/* the cable the row was on (UPDATE, DELETE), and the one it is on */
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		cables[0] = heap_getattr(td->tg_trigtuple, meta.e_cable, desc, &nulls[0]);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		cables[1] = heap_getattr(td->tg_trigtuple, meta.e_cable, desc, &nulls[1]);
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		cables[1] = heap_getattr(td->tg_newtuple, meta.e_cable, desc, &nulls[1]);
	if (!nulls[0] && !nulls[1] && memcmp(DatumGetUUIDP(cables[0]), DatumGetUUIDP(cables[1]), sizeof(pg_uuid_t)) == 0)
		nulls[1] = true;		/* the same cable: once */
	if (!sides_check(cables, nulls, 2))
		return mt_run_trigger_as(fcinfo, "cable_check_sides_report");
	return PointerGetDatum(NULL);
}

/* cable_status_check_sides() returns trigger: on cable, AFTER INSERT OR UPDATE OF status FOR EACH ROW */
Datum
mountaineer_cable_status_check_sides(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	newtup;
	Datum		cables[1];
	bool		nulls[1];

	sides_check_protocol(fcinfo, "cable_status_check_sides", false);
	if (RelationGetRelid(td->tg_relation) != meta.cable_rel || !end_check_readable(true))
		return mt_run_trigger_as(fcinfo, "cable_status_check_sides_report");
	newtup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	cables[0] = heap_getattr(newtup, meta.c_id, RelationGetDescr(td->tg_relation), &nulls[0]);
	if (!sides_check(cables, nulls, 1))
		return mt_run_trigger_as(fcinfo, "cable_status_check_sides_report");
	return PointerGetDatum(NULL);
}
