/*
 * cable.c — the cable-graph engine: cable trace, power trace and impact.
 *
 * The graph lives in mountaineer_hardware's tables (port, cable_end); this
 * file only reads them, one hop at a time, through a handful of saved SPI
 * plans that each probe a unique or leading-column index:
 *
 *   the cable on a port and its far ends   cable_end (port_id), (cable_id, side); port and
 *                                          device pkeys (far ends in device, port name order)
 *   the front port at a rear position      port (rear_port_id, rear_port_position)
 *   the front ports of a rear port         the same index, leading column
 *   the ports of a device                  port (device_id)
 *
 * so a trace costs a few probes per hop and never loads the graph.
 *
 * Pass-through: a path reaching a front port of a patch panel continues from
 * the rear port it maps to, pushing the front port's position on a stack; a
 * path reaching a rear port pops the position and continues from the front
 * port mapped to it.  A rear port reached with an empty stack continues from
 * its one front port, or splits into one branch per front port.  Stacks are
 * immutable lists, interned so that equal stacks are the same pointer.
 *
 * Loops: each branch remembers the (port, stack) states it has left from; a
 * state left twice is a loop, and so is entering the same rear port twice
 * without leaving it (which would grow the stack forever).  Branches share
 * one DFS: on return, a walk forgets the states it added.
 *
 * The functions are declared by the hardware module (the core does not
 * know its tables): AS '$libdir/mountaineer', 'mountaineer_cable_trace' etc.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(mountaineer_cable_trace);
PG_FUNCTION_INFO_V1(mountaineer_power_trace);
PG_FUNCTION_INFO_V1(mountaineer_impact);

/* ------------------------------------------------------------------------
 * Ports and the plans that read them
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
	PK_POWER_FEED
} PortKind;

static const char *const port_kind_names[] = {
	"interface", "console", "console_server", "power_port", "power_outlet",
	"front_port", "rear_port", "power_feed"
};

typedef struct Port
{
	pg_uuid_t	id;
	pg_uuid_t	device;
	PortKind	kind;
	bool		has_rear;		/* front ports: the rear port they map to */
	pg_uuid_t	rear;
	int32		rear_pos;
} Port;

static SPIPlanPtr plan_port;		/* a port by id */
static SPIPlanPtr plan_far;			/* a port's cable and that cable's far ends */
static SPIPlanPtr plan_front_at;	/* the front port at a rear port's position */
static SPIPlanPtr plan_fronts;		/* every front port of a rear port */
static SPIPlanPtr plan_device_ports;	/* every port of a device */
static SPIPlanPtr plan_device;		/* whether a device exists */

#define PORT_COLUMNS "p.id, p.device_id, p.kind::text, p.rear_port_id, p.rear_port_position"

static SPIPlanPtr
keep_plan(const char *sql, int nargs)
{
	Oid			types[2] = {UUIDOID, INT4OID};
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

static void
prepare_plans(void)
{
	if (plan_port != NULL)
		return;
	plan_port = keep_plan("SELECT " PORT_COLUMNS " FROM mountaineer.port p WHERE p.id = $1", 1);
	/* one row per far end; one row with NULL far end when the cable has none */
	plan_far = keep_plan("SELECT e.cable_id, " PORT_COLUMNS
						 " FROM mountaineer.cable_end e"
						 " LEFT JOIN mountaineer.cable_end f ON f.cable_id = e.cable_id AND f.side <> e.side"
						 " LEFT JOIN mountaineer.port p ON p.id = f.port_id"
						 " LEFT JOIN mountaineer.device d ON d.id = p.device_id"
						 " WHERE e.port_id = $1"
						 " ORDER BY d.name COLLATE \"C\", p.name COLLATE \"C\", p.id", 1);
	plan_front_at = keep_plan("SELECT " PORT_COLUMNS " FROM mountaineer.port p"
							  " WHERE p.rear_port_id = $1 AND p.rear_port_position = $2", 2);
	plan_fronts = keep_plan("SELECT " PORT_COLUMNS " FROM mountaineer.port p"
							" WHERE p.rear_port_id = $1 ORDER BY p.rear_port_position", 1);
	plan_device_ports = keep_plan("SELECT " PORT_COLUMNS " FROM mountaineer.port p"
								  " WHERE p.device_id = $1 ORDER BY p.name COLLATE \"C\", p.id", 1);
	plan_device = keep_plan("SELECT 1 FROM mountaineer.device WHERE id = $1", 1);
}

static PortKind
port_kind_of(Datum d)
{
	text	   *t = DatumGetTextPP(d);
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	int			i;

	for (i = 0; i < (int) lengthof(port_kind_names); i++)
		if ((int) strlen(port_kind_names[i]) == len && memcmp(port_kind_names[i], s, len) == 0)
			return (PortKind) i;
	elog(ERROR, "unknown port kind \"%.*s\"", len, s);
	return PK_INTERFACE;		/* keep the compiler quiet */
}

/* Reads the five PORT_COLUMNS starting at column `first` (1-based). */
static bool
read_port(HeapTuple tup, TupleDesc desc, int first, Port *out)
{
	bool		isnull;
	Datum		d;

	d = SPI_getbinval(tup, desc, first, &isnull);
	if (isnull)
		return false;
	memcpy(&out->id, DatumGetUUIDP(d), sizeof(pg_uuid_t));
	d = SPI_getbinval(tup, desc, first + 1, &isnull);
	memcpy(&out->device, DatumGetUUIDP(d), sizeof(pg_uuid_t));
	out->kind = port_kind_of(SPI_getbinval(tup, desc, first + 2, &isnull));
	d = SPI_getbinval(tup, desc, first + 3, &isnull);
	out->has_rear = !isnull;
	if (!isnull)
		memcpy(&out->rear, DatumGetUUIDP(d), sizeof(pg_uuid_t));
	d = SPI_getbinval(tup, desc, first + 4, &isnull);
	out->rear_pos = isnull ? 0 : DatumGetInt32(d);
	return true;
}

/*
 * Runs a saved plan and copies the ports it returns (columns from `first`)
 * into a palloc'd array in `cxt`.  With `cable` set, column 1 is a cable id
 * copied there (NULL-free by construction) and *has_cable says whether any
 * row came back.
 */
static int
fetch_ports(MemoryContext cxt, SPIPlanPtr plan, const pg_uuid_t *id, int32 pos,
			int first, Port **out, pg_uuid_t *cable, bool *has_cable)
{
	Datum		args[2] = {UUIDPGetDatum((pg_uuid_t *) id), Int32GetDatum(pos)};
	int			rc = SPI_execute_plan(plan, args, NULL, true, 0);
	uint64		n,
				i;
	int			k = 0;
	Port	   *ports;

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(rc));
	n = SPI_processed;
	if (has_cable)
		*has_cable = n > 0;
	ports = MemoryContextAlloc(cxt, sizeof(Port) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		if (cable && i == 0)
		{
			bool		isnull;

			memcpy(cable, DatumGetUUIDP(SPI_getbinval(tup, desc, 1, &isnull)), sizeof(pg_uuid_t));
		}
		if (read_port(tup, desc, first, &ports[k]))
			k++;
	}
	SPI_freetuptable(SPI_tuptable);
	*out = ports;
	return k;
}

static bool
lookup_port(MemoryContext cxt, const pg_uuid_t *id, Port *out)
{
	Port	   *p;

	if (fetch_ports(cxt, plan_port, id, 0, 1, &p, NULL, NULL) == 0)
		return false;
	*out = *p;
	pfree(p);
	return true;
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

typedef struct PosKey
{
	Pos		   *next;
	int32		pos;
	pg_uuid_t	rear;
} PosKey;

typedef struct PosEntry
{
	PosKey		key;
	Pos		   *node;
} PosEntry;

/* A state a branch has left from: the port and the stack it carried. */
typedef struct StateKey
{
	pg_uuid_t	port;
	Pos		   *stack;
} StateKey;

typedef struct StateEntry
{
	StateKey	key;
} StateEntry;

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
	pg_uuid_t	cable;
	bool		has_far;
	Port		far;
	bool		split;			/* the far port is a rear port the branch split at */
} Hop;

/* Where a branch continues from: a port to leave by its cable. */
typedef struct Step
{
	pg_uuid_t	port;
	pg_uuid_t	device;
	Pos		   *stack;
} Step;

struct Trace;
typedef void (*EmitFn) (struct Trace *t, Outcome outcome);

typedef struct Trace
{
	MemoryContext cxt;
	bool		power;			/* power trace: an outlet continues at its device's power ports */
	HTAB	   *stacks;
	HTAB	   *states;
	Hop		   *path;			/* the hops of the branch being walked */
	int			npath;
	int			maxpath;
	int			nbranches;
	EmitFn		emit;
	void	   *arg;
} Trace;

static void
trace_init(Trace *t, MemoryContext cxt, bool power, EmitFn emit, void *arg)
{
	HASHCTL		ctl;

	memset(t, 0, sizeof(Trace));
	t->cxt = cxt;
	t->power = power;
	t->emit = emit;
	t->arg = arg;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(PosKey);
	ctl.entrysize = sizeof(PosEntry);
	ctl.hcxt = cxt;
	t->stacks = hash_create("cable trace stacks", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(StateKey);
	ctl.entrysize = sizeof(StateEntry);
	ctl.hcxt = cxt;
	t->states = hash_create("cable trace states", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	t->maxpath = 16;
	t->path = MemoryContextAlloc(cxt, sizeof(Hop) * t->maxpath);
}

/* The one stack that is `next` with `pos` (pushed at `rear`) on top. */
static Pos *
push_pos(Trace *t, Pos *next, int32 pos, const pg_uuid_t *rear)
{
	PosKey		key;
	PosEntry   *e;
	bool		found;

	memset(&key, 0, sizeof(key));
	key.next = next;
	key.pos = pos;
	key.rear = *rear;
	e = hash_search(t->stacks, &key, HASH_ENTER, &found);
	if (!found)
	{
		Pos		   *node = MemoryContextAlloc(t->cxt, sizeof(Pos));

		node->next = next;
		node->pos = pos;
		node->rear = *rear;
		e->node = node;
	}
	return e->node;
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

	if (t->npath == t->maxpath)
	{
		t->maxpath *= 2;
		t->path = repalloc(t->path, sizeof(Hop) * t->maxpath);
	}
	h = &t->path[t->npath++];
	memset(h, 0, sizeof(Hop));
	h->near = from->port;
	h->near_device = from->device;
	h->cable = *cable;
	h->has_far = far != NULL;
	if (far)
		h->far = *far;
}

static void
finish_branch(Trace *t, Outcome outcome)
{
	if (t->npath == 0)
		return;					/* an unconnected start: no branch at all */
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
			if (!far->has_rear)
			{
				*outcome = OUTCOME_OPEN;
				return 0;
			}
			if (stack_holds_rear(stack, &far->rear))
			{
				/* back into a rear port the signal is already inside */
				*outcome = OUTCOME_LOOP;
				return 0;
			}
			*next = MemoryContextAlloc(t->cxt, sizeof(Step));
			(*next)[0].port = far->rear;
			(*next)[0].device = far->device;
			(*next)[0].stack = push_pos(t, stack, far->rear_pos, &far->rear);
			return 1;

		case PK_REAR_PORT:
			if (stack != NULL)
				n = fetch_ports(t->cxt, plan_front_at, &far->id, stack->pos, 1, &fronts, NULL, NULL);
			else
				n = fetch_ports(t->cxt, plan_fronts, &far->id, 0, 1, &fronts, NULL, NULL);
			if (n == 0)
			{
				*outcome = OUTCOME_OPEN;
				return 0;
			}
			if (n > 1)
				t->path[t->npath - 1].split = true;
			*next = MemoryContextAlloc(t->cxt, sizeof(Step) * n);
			for (i = 0; i < n; i++)
			{
				(*next)[i].port = fronts[i].id;
				(*next)[i].device = fronts[i].device;
				(*next)[i].stack = stack ? stack->next : NULL;
			}
			pfree(fronts);
			return n;

		case PK_POWER_OUTLET:
			if (t->power)
			{
				Port	   *ports;
				int			k = 0;

				n = fetch_ports(t->cxt, plan_device_ports, &far->device, 0, 1, &ports, NULL, NULL);
				*next = MemoryContextAlloc(t->cxt, sizeof(Step) * Max(n, 1));
				for (i = 0; i < n; i++)
				{
					if (ports[i].kind != PK_POWER_PORT)
						continue;
					(*next)[k].port = ports[i].id;
					(*next)[k].device = ports[i].device;
					(*next)[k].stack = NULL;
					k++;
				}
				pfree(ports);
				if (k == 0)
					*outcome = OUTCOME_OPEN;
				return k;
			}
			*outcome = OUTCOME_COMPLETE;
			return 0;

		default:
			*outcome = OUTCOME_COMPLETE;
			return 0;
	}
}

static void walk(Trace *t, Step step);

static void
follow(Trace *t, Step *next, int n, Outcome outcome)
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
		t->npath = len;
	}
}

/*
 * Walks a branch from `step`: iteratively while the path is a single line,
 * recursively into each branch where it forks (a split rear port, a
 * breakout cable, a PDU with several inlets).
 */
static void
walk(Trace *t, Step step)
{
	StateKey   *added = NULL;
	int			nadded = 0,
				maxadded = 0,
				i;

	check_stack_depth();
	for (;;)
	{
		StateKey	key;
		bool		found;
		Port	   *far;
		pg_uuid_t	cable;
		bool		has_cable;
		int			nfar;
		Step	   *next;
		int			nnext;
		Outcome		outcome = OUTCOME_COMPLETE;

		CHECK_FOR_INTERRUPTS();

		memset(&key, 0, sizeof(key));
		key.port = step.port;
		key.stack = step.stack;
		hash_search(t->states, &key, HASH_ENTER, &found);
		if (found)
		{
			finish_branch(t, OUTCOME_LOOP);
			break;
		}
		if (nadded == maxadded)
		{
			maxadded = maxadded ? maxadded * 2 : 8;
			added = added ? repalloc(added, sizeof(StateKey) * maxadded)
				: MemoryContextAlloc(t->cxt, sizeof(StateKey) * maxadded);
		}
		added[nadded++] = key;

		nfar = fetch_ports(t->cxt, plan_far, &step.port, 0, 2, &far, &cable, &has_cable);
		if (!has_cable)
		{
			/* a pass-through port with no cable: the path ends here */
			pfree(far);
			finish_branch(t, OUTCOME_OPEN);
			break;
		}
		if (nfar == 0)
		{
			/* a cable with no end on its other side */
			push_hop(t, &step, &cable, NULL);
			pfree(far);
			finish_branch(t, OUTCOME_OPEN);
			break;
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
			if (next)
				pfree(next);
			break;
		}
		/* a breakout cable: one branch per far end */
		for (i = 0; i < nfar; i++)
		{
			int			len = t->npath;

			push_hop(t, &step, &cable, &far[i]);
			nnext = continue_from(t, &far[i], step.stack, &next, &outcome);
			follow(t, next, nnext, outcome);
			if (next)
				pfree(next);
			t->npath = len;
		}
		pfree(far);
		break;
	}
	for (i = 0; i < nadded; i++)
		hash_search(t->states, &added[i], HASH_REMOVE, NULL);
	if (added)
		pfree(added);
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

		memset(nulls, 0, sizeof(nulls));
		values[0] = Int32GetDatum(t->nbranches);
		values[1] = Int32GetDatum(i + 1);
		values[2] = UUIDPGetDatum(&h->near);
		values[3] = UUIDPGetDatum(&h->cable);
		values[4] = UUIDPGetDatum(&h->far.id);
		values[5] = UUIDPGetDatum(&h->near_device);
		values[6] = UUIDPGetDatum(&h->far.device);
		nulls[4] = nulls[6] = !h->has_far;
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

static Datum
trace_srf(FunctionCallInfo fcinfo, bool power)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	pg_uuid_t  *start = PG_GETARG_UUID_P(0);
	MemoryContext cxt,
				old;
	Trace		t;
	Port		port;
	Step		step;

	InitMaterializedSRF(fcinfo, 0);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "cable trace", ALLOCSET_DEFAULT_SIZES);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	prepare_plans();
	old = MemoryContextSwitchTo(cxt);

	if (!lookup_port(cxt, start, &port))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("no port with id %s", uuid_text(start))));
	if (power && port.kind != PK_POWER_PORT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("port %s is of kind %s, not power_port", uuid_text(start), port_kind_names[port.kind]),
				 errhint("A power trace starts at a device's power inlet.")));

	trace_init(&t, cxt, power, emit_rows, rsinfo);
	step.port = port.id;
	step.device = port.device;
	step.stack = NULL;
	walk(&t, step);

	MemoryContextSwitchTo(old);
	SPI_finish();
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

/*
 * cable_trace(port_id uuid) returns table (branch, hop, near_port, cable_id,
 * far_port, near_device, far_device, outcome)
 */
Datum
mountaineer_cable_trace(PG_FUNCTION_ARGS)
{
	return trace_srf(fcinfo, false);
}

/* power_trace(port_id uuid): the same table, from a power port upstream */
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
	MemoryContext cxt;
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

	if (outcome != OUTCOME_COMPLETE || !last->has_far)
		return;
	if (im->nends == im->maxends)
	{
		im->maxends = im->maxends ? im->maxends * 2 : 16;
		im->ends = im->ends ? repalloc(im->ends, sizeof(Port) * im->maxends)
			: MemoryContextAlloc(im->cxt, sizeof(Port) * im->maxends);
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
	step.stack = stack;
	t->npath = 0;
	walk(t, step);
}

/* Learns how many live power ports and traced interfaces a device has. */
static void
count_device(Impact *im, ImpactDevice *dev)
{
	Port	   *ports;
	int			n,
				i;

	n = fetch_ports(im->cxt, plan_device_ports, &dev->id, 0, 1, &ports, NULL, NULL);
	for (i = 0; i < n; i++)
	{
		PortClass	cls;
		bool		live = false;

		if (ports[i].kind == PK_POWER_PORT)
		{
			Port	   *far;
			pg_uuid_t	cable;
			bool		has_cable;

			cls = CLASS_POWER;
			live = fetch_ports(im->cxt, plan_far, &ports[i].id, 0, 2, &far, &cable, &has_cable) > 0;
			pfree(far);
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
	pfree(ports);
	dev->counted = true;
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

/* Everything next to a failed device: what its outlets feed, what its data paths reach. */
static void
spread(Impact *im, ImpactDevice *dev)
{
	Port	   *ports;
	int			n,
				i,
				j;

	n = fetch_ports(im->cxt, plan_device_ports, &dev->id, 0, 1, &ports, NULL, NULL);
	for (i = 0; i < n; i++)
	{
		Port	   *q = &ports[i];

		CHECK_FOR_INTERRUPTS();
		if (q->kind == PK_POWER_OUTLET || q->kind == PK_POWER_FEED)
		{
			Port	   *far;
			pg_uuid_t	cable;
			bool		has_cable;
			int			nfar = fetch_ports(im->cxt, plan_far, &q->id, 0, 2, &far, &cable, &has_cable);

			for (j = 0; j < nfar; j++)
				if (far[j].kind == PK_POWER_PORT)
					cut_port(im, &far[j], CLASS_POWER, dev->depth);
			pfree(far);
		}
		else if (q->kind == PK_INTERFACE || q->kind == PK_FRONT_PORT)
		{
			int			nends;
			Port	   *ends;

			im->nends = 0;
			trace_ends(im, &q->id, &dev->id, NULL);
			/* a front port's paths also run out through its rear port */
			if (q->kind == PK_FRONT_PORT && q->has_rear)
				trace_ends(im, &q->rear, &dev->id,
						   push_pos(&im->trace, NULL, q->rear_pos, &q->rear));
			/* cut_port may trace again (to count a device): keep our ends */
			nends = im->nends;
			ends = im->ends;
			im->ends = NULL;
			im->nends = im->maxends = 0;
			for (j = 0; j < nends; j++)
				if (ends[j].kind == PK_INTERFACE)
					cut_port(im, &ends[j], CLASS_DATA, dev->depth);
			if (ends)
				pfree(ends);
		}
	}
	pfree(ports);
}

#define IMPACT_COLUMNS 3

/* impact(device_id uuid) returns table (device_id uuid, depth int, via_port uuid) */
Datum
mountaineer_impact(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	pg_uuid_t  *start = PG_GETARG_UUID_P(0);
	MemoryContext cxt,
				old;
	Impact		im;
	HASHCTL		ctl;
	ImpactDevice *root;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "cable impact", ALLOCSET_DEFAULT_SIZES);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	prepare_plans();
	old = MemoryContextSwitchTo(cxt);

	{
		Datum		arg = UUIDPGetDatum(start);
		int			rc = SPI_execute_plan(plan_device, &arg, NULL, true, 1);

		if (rc != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(rc));
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("no device with id %s", uuid_text(start))));
		SPI_freetuptable(SPI_tuptable);
	}

	memset(&im, 0, sizeof(im));
	im.cxt = cxt;
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

	trace_init(&im.trace, cxt, false, collect_end, &im);
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

	MemoryContextSwitchTo(old);
	SPI_finish();
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
