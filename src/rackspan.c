/*
 * rackspan.c — the rack units and face a device occupies.
 *
 * A rackspan is a run of whole rack units, numbered from 1 at the bottom,
 * plus the face it takes: front or rear (a half-depth device) or full (both).
 * Text form: U<first>-U<last>/<face>, or U<n>/<face> for one unit.
 *
 * Faces are stored as a two-bit mask (front = 1, rear = 2, full = 3), so
 * "the faces collide" is a non-zero AND, "face a covers face b" is
 * (a & b) == b, and the GiST union of several spans is their unit hull
 * with the OR of their faces.
 *
 * Contents: input/output, constructor and accessors, operators, btree and
 * hash support, GiST support, and the two planning functions rackspan_free
 * and rackspan_first_fit.
 */
#include "postgres.h"

#include <limits.h>

#include "access/gist.h"
#include "access/stratnum.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "excerpt.h"

#define RACKSPAN_MAX_UNIT	32767

#define FACE_FRONT	1
#define FACE_REAR	2
#define FACE_FULL	3

typedef struct RackSpan
{
	int16		lower;			/* first unit, 1..RACKSPAN_MAX_UNIT */
	int16		upper;			/* last unit, lower..RACKSPAN_MAX_UNIT */
	int16		face;			/* FACE_FRONT, FACE_REAR or FACE_FULL */
	int16		unused;			/* always 0, so equal values are equal bytes */
} RackSpan;

#define DatumGetRackSpanP(X)	((RackSpan *) DatumGetPointer(X))
#define RackSpanPGetDatum(X)	PointerGetDatum(X)
#define PG_GETARG_RACKSPAN_P(n) DatumGetRackSpanP(PG_GETARG_DATUM(n))
#define PG_RETURN_RACKSPAN_P(x) return RackSpanPGetDatum(x)

/* GiST strategy numbers, as the built-in range opclass numbers them */
#define RS_STRAT_OVERLAPS		RTOverlapStrategyNumber		/* 3: && */
#define RS_STRAT_CONTAINS		RTContainsStrategyNumber	/* 7: @> */
#define RS_STRAT_CONTAINED_BY	RTContainedByStrategyNumber /* 8: <@ */
#define RS_STRAT_CONTAINS_UNIT	16	/* @> int4 */
#define RS_STRAT_EQUAL			18	/* = */

PG_FUNCTION_INFO_V1(mountaineer_rackspan_in);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_out);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_recv);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_send);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_make);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_lower);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_upper);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_height);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_face);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_overlaps);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_contains);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_contained_by);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_contains_unit);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_unit_contained_by);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_eq);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_ne);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_lt);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_le);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_gt);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_ge);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_cmp);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_hash);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_gist_consistent);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_gist_union);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_gist_penalty);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_gist_picksplit);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_gist_same);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_free);
PG_FUNCTION_INFO_V1(mountaineer_rackspan_first_fit);

/*****************************************************************************
 * Validation, shared by input, recv and the constructor
 *****************************************************************************/

static const char *
face_name(int face)
{
	switch (face)
	{
		case FACE_FRONT:
			return "front";
		case FACE_REAR:
			return "rear";
		default:
			return "full";
	}
}

/* Face code of a name (case-insensitive), or 0 if it names no face. */
static int
face_code(const char *s, int len)
{
	if (len == 5 && pg_strncasecmp(s, "front", 5) == 0)
		return FACE_FRONT;
	if (len == 4 && pg_strncasecmp(s, "rear", 4) == 0)
		return FACE_REAR;
	if (len == 4 && pg_strncasecmp(s, "full", 4) == 0)
		return FACE_FULL;
	return 0;
}

/* Face code of a text argument; an unknown name is an error. */
static int
face_arg(text *t)
{
	int			face = face_code(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (face == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid rack face: %s", mt_excerpt(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t))),
				 errhint("The face is front, rear or full.")));
	return face;
}

static RackSpan *
rackspan_new(int lower, int upper, int face)
{
	RackSpan   *r = palloc0(sizeof(RackSpan));

	r->lower = (int16) lower;
	r->upper = (int16) upper;
	r->face = (int16) face;
	return r;
}

/*****************************************************************************
 * Input / output
 *****************************************************************************/

static void
rackspan_syntax_error(const char *input)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type rackspan: %s", mt_excerpt(input, strlen(input))),
			 errdetail("Expected U<first>-U<last>/<face> or U<unit>/<face>, "
					   "e.g. U10-U13/front; the face is front, rear or full "
					   "and may be omitted for full.")));
}

static const char *
skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/*
 * Parse "U<digits>" at *pp.  Returns the unit number, or -1 when the digits
 * exceed the unit range (the caller reports that as out of range once the
 * whole input is known to be well formed).
 */
static int
parse_unit(const char **pp, const char *input)
{
	const char *p = skip_spaces(*pp);
	long		n = 0;

	if (*p != 'U' && *p != 'u')
		rackspan_syntax_error(input);
	p = skip_spaces(p + 1);
	if (*p < '0' || *p > '9')
		rackspan_syntax_error(input);
	while (*p >= '0' && *p <= '9')
	{
		if (n <= RACKSPAN_MAX_UNIT)
			n = n * 10 + (*p - '0');
		p++;
	}
	*pp = p;
	return n > RACKSPAN_MAX_UNIT ? -1 : (int) n;
}

Datum
mountaineer_rackspan_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	const char *p = input;
	int			first;
	int			last;
	int			face = FACE_FULL;

	first = parse_unit(&p, input);
	last = first;
	p = skip_spaces(p);
	if (*p == '-')
	{
		p++;
		last = parse_unit(&p, input);
		p = skip_spaces(p);
	}
	if (*p == '/')
	{
		const char *start = skip_spaces(p + 1);

		p = start;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			p++;
		face = face_code(start, (int) (p - start));
		if (face == 0)
			rackspan_syntax_error(input);
		p = skip_spaces(p);
	}
	if (*p != '\0')
		rackspan_syntax_error(input);

	if (first < 1 || last < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rack unit out of range in rackspan: %s", mt_excerpt(input, strlen(input))),
				 errdetail("Rack units run from 1 to %d.", RACKSPAN_MAX_UNIT)));
	if (first > last)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rack units out of order in rackspan: %s", mt_excerpt(input, strlen(input))),
				 errdetail("The first unit, %d, is above the last, %d.",
						   first, last)));

	PG_RETURN_RACKSPAN_P(rackspan_new(first, last, face));
}

Datum
mountaineer_rackspan_out(PG_FUNCTION_ARGS)
{
	RackSpan   *r = PG_GETARG_RACKSPAN_P(0);

	if (r->lower == r->upper)
		PG_RETURN_CSTRING(psprintf("U%d/%s", r->lower, face_name(r->face)));
	PG_RETURN_CSTRING(psprintf("U%d-U%d/%s", r->lower, r->upper,
							   face_name(r->face)));
}

/* Binary form: int16 first, int16 last, int8 face code (1, 2, 3). */
Datum
mountaineer_rackspan_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			first = (int16) pq_getmsgint(buf, 2);
	int			last = (int16) pq_getmsgint(buf, 2);
	int			face = pq_getmsgbyte(buf);

	if (first < 1 || last < first)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid rack units in external rackspan value: %d to %d",
						first, last)));
	if (face != FACE_FRONT && face != FACE_REAR && face != FACE_FULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid face code in external rackspan value: %d",
						face)));
	PG_RETURN_RACKSPAN_P(rackspan_new(first, last, face));
}

Datum
mountaineer_rackspan_send(PG_FUNCTION_ARGS)
{
	RackSpan   *r = PG_GETARG_RACKSPAN_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, r->lower);
	pq_sendint16(&buf, r->upper);
	pq_sendbyte(&buf, r->face);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*****************************************************************************
 * Constructor and accessors
 *****************************************************************************/

/* rackspan(first int, height int, face text) */
Datum
mountaineer_rackspan_make(PG_FUNCTION_ARGS)
{
	int32		first = PG_GETARG_INT32(0);
	int32		height = PG_GETARG_INT32(1);
	int			face = face_arg(PG_GETARG_TEXT_PP(2));

	if (height < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rackspan height must be at least 1, not %d", height),
				 errhint("A zero-U device has no rackspan; leave its position NULL.")));
	if (first < 1 || first > RACKSPAN_MAX_UNIT ||
		height > RACKSPAN_MAX_UNIT - first + 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rackspan from U%d of height %d is out of range",
						first, height),
				 errdetail("Rack units run from 1 to %d.", RACKSPAN_MAX_UNIT)));
	PG_RETURN_RACKSPAN_P(rackspan_new(first, first + height - 1, face));
}

Datum
mountaineer_rackspan_lower(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_RACKSPAN_P(0)->lower);
}

Datum
mountaineer_rackspan_upper(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_RACKSPAN_P(0)->upper);
}

Datum
mountaineer_rackspan_height(PG_FUNCTION_ARGS)
{
	RackSpan   *r = PG_GETARG_RACKSPAN_P(0);

	PG_RETURN_INT32(r->upper - r->lower + 1);
}

Datum
mountaineer_rackspan_face(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(face_name(PG_GETARG_RACKSPAN_P(0)->face)));
}

/*****************************************************************************
 * Operators
 *****************************************************************************/

static inline bool
units_overlap(const RackSpan *a, const RackSpan *b)
{
	return a->lower <= b->upper && b->lower <= a->upper;
}

/* a and b share a unit and a face: two devices there would collide */
static inline bool
rs_overlaps(const RackSpan *a, const RackSpan *b)
{
	return units_overlap(a, b) && (a->face & b->face) != 0;
}

/* every unit and face of b is also in a */
static inline bool
rs_contains(const RackSpan *a, const RackSpan *b)
{
	return a->lower <= b->lower && b->upper <= a->upper &&
		(a->face & b->face) == b->face;
}

static int
rs_cmp(const RackSpan *a, const RackSpan *b)
{
	if (a->lower != b->lower)
		return a->lower < b->lower ? -1 : 1;
	if (a->upper != b->upper)
		return a->upper < b->upper ? -1 : 1;
	if (a->face != b->face)
		return a->face < b->face ? -1 : 1;
	return 0;
}

Datum
mountaineer_rackspan_overlaps(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(rs_overlaps(PG_GETARG_RACKSPAN_P(0), PG_GETARG_RACKSPAN_P(1)));
}

Datum
mountaineer_rackspan_contains(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(rs_contains(PG_GETARG_RACKSPAN_P(0), PG_GETARG_RACKSPAN_P(1)));
}

Datum
mountaineer_rackspan_contained_by(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(rs_contains(PG_GETARG_RACKSPAN_P(1), PG_GETARG_RACKSPAN_P(0)));
}

/* rackspan @> int: the span takes that unit (on whatever face) */
Datum
mountaineer_rackspan_contains_unit(PG_FUNCTION_ARGS)
{
	RackSpan   *r = PG_GETARG_RACKSPAN_P(0);
	int32		unit = PG_GETARG_INT32(1);

	PG_RETURN_BOOL(r->lower <= unit && unit <= r->upper);
}

Datum
mountaineer_rackspan_unit_contained_by(PG_FUNCTION_ARGS)
{
	int32		unit = PG_GETARG_INT32(0);
	RackSpan   *r = PG_GETARG_RACKSPAN_P(1);

	PG_RETURN_BOOL(r->lower <= unit && unit <= r->upper);
}

#define RS_CMP_FN(name, test) \
Datum \
mountaineer_rackspan_##name(PG_FUNCTION_ARGS) \
{ \
	int			c = rs_cmp(PG_GETARG_RACKSPAN_P(0), PG_GETARG_RACKSPAN_P(1)); \
	PG_RETURN_BOOL(test); \
}

RS_CMP_FN(eq, c == 0)
RS_CMP_FN(ne, c != 0)
RS_CMP_FN(lt, c < 0)
RS_CMP_FN(le, c <= 0)
RS_CMP_FN(gt, c > 0)
RS_CMP_FN(ge, c >= 0)

Datum
mountaineer_rackspan_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(rs_cmp(PG_GETARG_RACKSPAN_P(0), PG_GETARG_RACKSPAN_P(1)));
}

Datum
mountaineer_rackspan_hash(PG_FUNCTION_ARGS)
{
	RackSpan   *r = PG_GETARG_RACKSPAN_P(0);
	uint32		key = ((uint32) r->lower << 17) ^ ((uint32) r->upper << 2) ^
		(uint32) r->face;

	PG_RETURN_UINT32(hash_uint32(key));
}

/*****************************************************************************
 * GiST support
 *
 * Keys are rackspans too: an internal key is the hull of its children's
 * units with the OR of their faces.  Every strategy is exact on leaves, so
 * there is never a recheck.
 *****************************************************************************/

static bool
rs_consistent_internal(const RackSpan *key, Datum query, StrategyNumber strategy)
{
	const RackSpan *q;

	if (strategy == RS_STRAT_CONTAINS_UNIT)
	{
		int32		unit = DatumGetInt32(query);

		return key->lower <= unit && unit <= key->upper;
	}
	q = DatumGetRackSpanP(query);
	switch (strategy)
	{
		case RS_STRAT_OVERLAPS:
			/* a child that collides with q shares a unit and a face bit */
			return rs_overlaps(key, q);
		case RS_STRAT_CONTAINS:
		case RS_STRAT_EQUAL:
			/* a child containing (or equal to) q lies inside the hull */
			return rs_contains(key, q);
		case RS_STRAT_CONTAINED_BY:
			/* a child inside q shares units with q and a face bit with it */
			return rs_overlaps(key, q);
		default:
			elog(ERROR, "unrecognized rackspan GiST strategy: %d", strategy);
	}
	return false;				/* keep the compiler quiet */
}

static bool
rs_consistent_leaf(const RackSpan *key, Datum query, StrategyNumber strategy)
{
	const RackSpan *q;

	if (strategy == RS_STRAT_CONTAINS_UNIT)
	{
		int32		unit = DatumGetInt32(query);

		return key->lower <= unit && unit <= key->upper;
	}
	q = DatumGetRackSpanP(query);
	switch (strategy)
	{
		case RS_STRAT_OVERLAPS:
			return rs_overlaps(key, q);
		case RS_STRAT_CONTAINS:
			return rs_contains(key, q);
		case RS_STRAT_CONTAINED_BY:
			return rs_contains(q, key);
		case RS_STRAT_EQUAL:
			return rs_cmp(key, q) == 0;
		default:
			elog(ERROR, "unrecognized rackspan GiST strategy: %d", strategy);
	}
	return false;
}

Datum
mountaineer_rackspan_gist_consistent(PG_FUNCTION_ARGS)
{
	GISTENTRY  *entry = (GISTENTRY *) PG_GETARG_POINTER(0);
	Datum		query = PG_GETARG_DATUM(1);
	StrategyNumber strategy = (StrategyNumber) PG_GETARG_UINT16(2);
	bool	   *recheck = (bool *) PG_GETARG_POINTER(4);
	RackSpan   *key = DatumGetRackSpanP(entry->key);

	*recheck = false;
	if (GIST_LEAF(entry))
		PG_RETURN_BOOL(rs_consistent_leaf(key, query, strategy));
	PG_RETURN_BOOL(rs_consistent_internal(key, query, strategy));
}

static void
rs_extend(RackSpan *hull, const RackSpan *r)
{
	if (r->lower < hull->lower)
		hull->lower = r->lower;
	if (r->upper > hull->upper)
		hull->upper = r->upper;
	hull->face = (int16) (hull->face | r->face);
}

Datum
mountaineer_rackspan_gist_union(PG_FUNCTION_ARGS)
{
	GistEntryVector *entryvec = (GistEntryVector *) PG_GETARG_POINTER(0);
	int		   *sizep = (int *) PG_GETARG_POINTER(1);
	RackSpan   *hull = palloc0(sizeof(RackSpan));
	int			i;

	*hull = *DatumGetRackSpanP(entryvec->vector[0].key);
	for (i = 1; i < entryvec->n; i++)
		rs_extend(hull, DatumGetRackSpanP(entryvec->vector[i].key));
	*sizep = sizeof(RackSpan);
	PG_RETURN_RACKSPAN_P(hull);
}

/* Units the hull grows by, plus a little for widening a half face to full. */
Datum
mountaineer_rackspan_gist_penalty(PG_FUNCTION_ARGS)
{
	GISTENTRY  *origentry = (GISTENTRY *) PG_GETARG_POINTER(0);
	GISTENTRY  *newentry = (GISTENTRY *) PG_GETARG_POINTER(1);
	/* cppcheck-suppress invalidPointerCast ; fmgr passes every pointer as char * */
	float	   *penalty = (float *) PG_GETARG_POINTER(2);
	RackSpan   *orig = DatumGetRackSpanP(origentry->key);
	RackSpan	grown = *orig;

	rs_extend(&grown, DatumGetRackSpanP(newentry->key));
	*penalty = (float) ((grown.upper - grown.lower) - (orig->upper - orig->lower));
	if (grown.face != orig->face)
		*penalty += 0.5f;
	PG_RETURN_POINTER(penalty);
}

typedef struct
{
	OffsetNumber offset;
	RackSpan   *span;
} RsSortItem;

static int
rs_sort_item_cmp(const void *a, const void *b)
{
	const RackSpan *x = ((const RsSortItem *) a)->span;
	const RackSpan *y = ((const RsSortItem *) b)->span;
	int			cx = x->lower + x->upper;
	int			cy = y->lower + y->upper;

	/* by centre, then as the btree orders them */
	if (cx != cy)
		return cx < cy ? -1 : 1;
	return rs_cmp(x, y);
}

/*
 * Units are one-dimensional, so the best split is simply the sorted order cut
 * in half: sort by centre and give the lower half to the left page.
 */
Datum
mountaineer_rackspan_gist_picksplit(PG_FUNCTION_ARGS)
{
	GistEntryVector *entryvec = (GistEntryVector *) PG_GETARG_POINTER(0);
	GIST_SPLITVEC *v = (GIST_SPLITVEC *) PG_GETARG_POINTER(1);
	OffsetNumber maxoff = entryvec->n - 1;
	int			n = maxoff - FirstOffsetNumber + 1;
	RsSortItem *items = palloc(sizeof(RsSortItem) * n);
	RackSpan   *left = palloc0(sizeof(RackSpan));
	RackSpan   *right = palloc0(sizeof(RackSpan));
	OffsetNumber i;
	int			k;

	for (i = FirstOffsetNumber; i <= maxoff; i = OffsetNumberNext(i))
	{
		items[i - FirstOffsetNumber].offset = i;
		items[i - FirstOffsetNumber].span = DatumGetRackSpanP(entryvec->vector[i].key);
	}
	qsort(items, n, sizeof(RsSortItem), rs_sort_item_cmp);

	v->spl_left = palloc(sizeof(OffsetNumber) * n);
	v->spl_right = palloc(sizeof(OffsetNumber) * n);
	v->spl_nleft = 0;
	v->spl_nright = 0;
	*left = *items[0].span;
	*right = *items[n - 1].span;
	for (k = 0; k < n; k++)
	{
		if (k < n / 2)
		{
			v->spl_left[v->spl_nleft++] = items[k].offset;
			rs_extend(left, items[k].span);
		}
		else
		{
			v->spl_right[v->spl_nright++] = items[k].offset;
			rs_extend(right, items[k].span);
		}
	}
	v->spl_ldatum = RackSpanPGetDatum(left);
	v->spl_rdatum = RackSpanPGetDatum(right);
	pfree(items);
	PG_RETURN_POINTER(v);
}

Datum
mountaineer_rackspan_gist_same(PG_FUNCTION_ARGS)
{
	RackSpan   *a = PG_GETARG_RACKSPAN_P(0);
	RackSpan   *b = PG_GETARG_RACKSPAN_P(1);
	bool	   *result = (bool *) PG_GETARG_POINTER(2);

	*result = rs_cmp(a, b) == 0;
	PG_RETURN_POINTER(result);
}

/*****************************************************************************
 * Planning: free runs and first fit
 *****************************************************************************/

static int
rs_lower_cmp(const void *a, const void *b, void *arg pg_attribute_unused())
{
	return rs_cmp((const RackSpan *) a, (const RackSpan *) b);
}

static void
check_rack_units(int32 rack_units)
{
	if (rack_units < 1 || rack_units > RACKSPAN_MAX_UNIT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rack height %d is out of range", rack_units),
				 errdetail("A rack has 1 to %d units.", RACKSPAN_MAX_UNIT)));
}

/*
 * The occupied spans that block a device of the given face, clipped to the
 * rack and sorted by first unit.  NULL elements are skipped.
 */
static RackSpan *
blocking_spans(ArrayType *arr, int32 rack_units, int face, int *nout)
{
	int			n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	int			m = 0;
	RackSpan   *spans;
	ArrayIterator it;
	Datum		elem;
	bool		isnull;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("occupied rackspans must be a one-dimensional array")));
	spans = palloc_extended(sizeof(RackSpan) * (n > 0 ? n : 1), MCXT_ALLOC_HUGE);
	/* one element at a time (no copy of the whole array), interruptibly */
	it = array_create_iterator(arr, 0, NULL);
	while (array_iterate(it, &elem, &isnull))
	{
		RackSpan   *r;

		CHECK_FOR_INTERRUPTS();
		if (isnull)
			continue;
		r = DatumGetRackSpanP(elem);
		if ((r->face & face) == 0 || r->lower > rack_units)
			continue;
		spans[m] = *r;
		if (spans[m].upper > rack_units)
			spans[m].upper = (int16) rack_units;
		m++;
	}
	array_free_iterator(it);
	qsort_interruptible(spans, m, sizeof(RackSpan), rs_lower_cmp, NULL);
	*nout = m;
	return spans;
}

/*
 * Walks the free runs of a rack, lowest first.  *next is the lowest unit not
 * yet known to be occupied; returns false when no run is left.
 */
static bool
next_free_run(const RackSpan *spans, int n, int *idx, int *next,
			  int32 rack_units, int *run_lower, int *run_upper)
{
	while (*next <= rack_units)
	{
		if (*idx < n && spans[*idx].lower <= *next)
		{
			/* occupied from here: skip past it */
			if (spans[*idx].upper + 1 > *next)
				*next = spans[*idx].upper + 1;
			(*idx)++;
			continue;
		}
		*run_lower = *next;
		*run_upper = (*idx < n) ? spans[*idx].lower - 1 : rack_units;
		*next = *run_upper + 1;
		return true;
	}
	return false;
}

/* rackspan_free(occupied rackspan[], rack_units int, face text) */
Datum
mountaineer_rackspan_free(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int32		rack_units = PG_GETARG_INT32(1);
	int			face = face_arg(PG_GETARG_TEXT_PP(2));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RackSpan   *spans;
	int			n;
	int			idx = 0;
	int			next = 1;
	int			lo;
	int			hi;

	check_rack_units(rack_units);
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	spans = blocking_spans(arr, rack_units, face, &n);
	while (next_free_run(spans, n, &idx, &next, rack_units, &lo, &hi))
	{
		Datum		value = RackSpanPGetDatum(rackspan_new(lo, hi, face));
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
	}
	return (Datum) 0;
}

/* rackspan_first_fit(occupied rackspan[], rack_units int, height int, face text) */
Datum
mountaineer_rackspan_first_fit(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int32		rack_units = PG_GETARG_INT32(1);
	int32		height = PG_GETARG_INT32(2);
	int			face = face_arg(PG_GETARG_TEXT_PP(3));
	RackSpan   *spans;
	int			n;
	int			idx = 0;
	int			next = 1;
	int			lo;
	int			hi;

	check_rack_units(rack_units);
	if (height < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("device height must be at least 1 unit, not %d", height)));
	if (height > rack_units)
		PG_RETURN_NULL();
	spans = blocking_spans(arr, rack_units, face, &n);
	while (next_free_run(spans, n, &idx, &next, rack_units, &lo, &hi))
	{
		if (hi - lo + 1 >= height)
			PG_RETURN_RACKSPAN_P(rackspan_new(lo, lo + height - 1, face));
	}
	PG_RETURN_NULL();
}
