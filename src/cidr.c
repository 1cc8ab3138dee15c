/*
 * cidr.c — CIDR algebra on PostgreSQL's own inet and cidr types.
 *
 * Free space inside a parent block (cidr_free), the lowest free block of a
 * given length (cidr_next_free), the lowest free host address
 * (inet_next_free), and DNS reverse names (reverse_zone, ptr_name), for IPv4
 * and IPv6 alike.
 *
 * Every address is handled as an unsigned 128-bit integer (IPv4 in the low
 * 32 bits), so one code path serves both families.  The allocation functions
 * share one algorithm, O(n log n) in the number of used elements:
 *
 *   1. each used element becomes an inclusive interval [lo, hi] of addresses,
 *      clipped to the range searched (elements wholly outside are dropped,
 *      NULL elements ignored);
 *   2. the intervals are sorted by lo;
 *   3. one pass over them yields the gaps between their union, in address
 *      order (gap_next);
 *   4. cidr_free cuts each gap into the fewest aligned blocks: at each step
 *      the largest block that starts at the current address, is aligned
 *      there and does not pass the gap's end.  The next-free functions stop
 *      at the first gap that holds what was asked for.
 *
 * Intervals are inclusive at both ends because the end of ::/0 is 2^128 - 1
 * and "end + 1" would overflow; the code adds 1 to an end only after
 * checking that it is not the end of the range searched.
 */
#include "postgres.h"

#include <sys/socket.h>		/* AF_INET, which utils/inet.h builds on */

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/tuplestore.h"

#ifndef HAVE_INT128
#error "cidr.c needs a 128-bit integer type (PG_INT128_TYPE) for IPv6 arithmetic"
#endif

PG_FUNCTION_INFO_V1(mountaineer_cidr_free);
PG_FUNCTION_INFO_V1(mountaineer_cidr_next_free);
PG_FUNCTION_INFO_V1(mountaineer_inet_next_free);
PG_FUNCTION_INFO_V1(mountaineer_reverse_zone);
PG_FUNCTION_INFO_V1(mountaineer_ptr_name);
PG_FUNCTION_INFO_V1(mountaineer_inet_range_cidrs);

#define U128_MAX (~(uint128) 0)

/* An inclusive interval of addresses. */
typedef struct
{
	uint128		lo;
	uint128		hi;
} Span;

/* State of the walk over the gaps between sorted spans (gap_next). */
typedef struct
{
	const Span *spans;			/* sorted by lo, all inside [.., end] */
	int			nspans;
	int			i;				/* next span to look at */
	uint128		next;			/* lowest address not yet passed */
	uint128		end;			/* last address of the range searched */
	bool		done;			/* everything up to end has been passed */
} GapWalk;

/* ------------------------------------------------------------------------
 * Address arithmetic
 * ------------------------------------------------------------------------
 */

/* Address width in bits of a PGSQL_AF_* family. */
static int
family_bits(int family)
{
	return family == PGSQL_AF_INET ? 32 : 128;
}

static const char *
family_name(int family)
{
	return family == PGSQL_AF_INET ? "IPv4" : "IPv6";
}

/* The low h bits set: the host part of a block with h host bits. */
static uint128
host_mask(int h)
{
	if (h <= 0)
		return 0;
	if (h >= 128)
		return U128_MAX;
	return ((uint128) 1 << h) - 1;
}

/* The address of an inet/cidr as an integer; the mask is not applied. */
static uint128
inet_addr_value(const inet *ip)
{
	const unsigned char *b = ip_addr(ip);
	int			n = ip_family(ip) == PGSQL_AF_INET ? 4 : 16;
	uint128		v = 0;
	int			i;

	for (i = 0; i < n; i++)
		v = (v << 8) | b[i];
	return v;
}

/* A new inet (or cidr: same layout) of that family, prefix length and address. */
static inet *
make_inet(int family, int bits, uint128 addr)
{
	inet	   *ip = (inet *) palloc0(sizeof(inet));
	int			n = family == PGSQL_AF_INET ? 4 : 16;
	int			i;

	ip_family(ip) = family;	/* LCOV_EXCL_BR_LINE: palloc0'd: never a short header */
	ip_bits(ip) = bits;	/* LCOV_EXCL_BR_LINE: likewise */
	for (i = n - 1; i >= 0; i--)
	{
		ip_addr(ip)[i] = (unsigned char) (addr & 0xFF);	/* LCOV_EXCL_BR_LINE: likewise */
		addr >>= 8;
	}
	SET_INET_VARSIZE(ip);
	return ip;
}

/* Number of trailing zero bits of v, which must not be 0. */
static int
u128_ctz(uint128 v)
{
	uint64		low = (uint64) v;

	if (low != 0)
		return pg_rightmost_one_pos64(low);
	return 64 + pg_rightmost_one_pos64((uint64) (v >> 64));
}

/* floor(log2(v)) for v > 0: the position of the highest set bit. */
static int
u128_floor_log2(uint128 v)
{
	uint64		high = (uint64) (v >> 64);

	if (high != 0)
		return 64 + pg_leftmost_one_pos64(high);
	return pg_leftmost_one_pos64((uint64) v);
}

static char *
cidr_text(const inet *ip)
{
	return DatumGetCString(DirectFunctionCall1(cidr_out, PointerGetDatum(ip)));
}

static char *
inet_text(const inet *ip)
{
	return DatumGetCString(DirectFunctionCall1(inet_out, PointerGetDatum(ip)));
}

/* ------------------------------------------------------------------------
 * Used elements to sorted spans, and the gaps between them
 * ------------------------------------------------------------------------
 */

static int
span_cmp(const void *a, const void *b, void *arg pg_attribute_unused())
{
	const Span *x = (const Span *) a;
	const Span *y = (const Span *) b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return 0;
}

/*
 * The non-NULL elements of used (an inet[] or cidr[]) as spans clipped to
 * [lo, hi], sorted.  With as_hosts each element is its single address (the
 * mask is ignored); otherwise it is the whole block its mask names.  Every
 * element must be of the parent's family.
 */
static Span *
used_spans(ArrayType *used, const inet *parent, uint128 lo, uint128 hi,
		   bool as_hosts, int *nspans)
{
	Oid			elemtype = ARR_ELEMTYPE(used);
	int			family = ip_family(parent);
	int			width = family_bits(family);
	int			nelems = ArrayGetNItems(ARR_NDIM(used), ARR_DIMS(used));
	ArrayIterator it;
	Datum		elem;
	bool		isnull;
	Span	   *spans;
	int			n = 0;

	if (elemtype != INETOID && elemtype != CIDROID)
		elog(ERROR, "expected an inet[] or cidr[], got an array of type %u", elemtype);

	/* huge: a big enough array has more elements than 1 GB holds Spans */
	spans = (Span *) palloc_extended(sizeof(Span) * Max(nelems, 1), MCXT_ALLOC_HUGE);

	/* one element at a time (no copy of the whole array), interruptibly */
	it = array_create_iterator(used, 0, NULL);
	while (array_iterate(it, &elem, &isnull))
	{
		inet	   *ip;
		uint128		s;
		uint128		e;

		CHECK_FOR_INTERRUPTS();
		if (isnull)
			continue;
		ip = DatumGetInetPP(elem);
		if (ip_family(ip) != family)	/* LCOV_EXCL_BR_LINE: array elements never have short headers */
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("address family mismatch: %s inside %s parent %s",
							elemtype == CIDROID ? cidr_text(ip) : inet_text(ip),
							family_name(family), cidr_text(parent)),
					 errdetail("Every used %s must be %s, like the parent.",
							   as_hosts ? "address" : "block",
							   family_name(family))));

		s = inet_addr_value(ip);
		if (as_hosts)
			e = s;
		else
		{
			uint128		m = host_mask(width - ip_bits(ip));	/* LCOV_EXCL_BR_LINE: likewise */

			s &= ~m;
			e = s | m;
		}
		if (e < lo || s > hi)
			continue;
		spans[n].lo = Max(s, lo);
		spans[n].hi = Min(e, hi);
		n++;
	}
	array_free_iterator(it);

	if (n > 1)
		qsort_interruptible(spans, n, sizeof(Span), span_cmp, NULL);
	*nspans = n;
	return spans;
}

static void
gap_walk_init(GapWalk *w, const Span *spans, int nspans, uint128 lo, uint128 hi)
{
	w->spans = spans;
	w->nspans = nspans;
	w->i = 0;
	w->next = lo;
	w->end = hi;
	w->done = false;
}

/* Move the walk past span s, the next span in sorted order. */
static void
gap_walk_pass(GapWalk *w, const Span *s)
{
	if (s->hi < w->next)
		return;					/* nested in what was passed already */
	if (s->hi == w->end)
		w->done = true;			/* and s->hi + 1 might overflow */
	else
		w->next = s->hi + 1;
}

/*
 * The next gap [*lo, *hi] not covered by any span, in address order; false
 * when there are no more.
 */
static bool
gap_next(GapWalk *w, uint128 *lo, uint128 *hi)
{
	while (!w->done)
	{
		const Span *s;

		CHECK_FOR_INTERRUPTS();
		if (w->i >= w->nspans)
		{
			*lo = w->next;
			*hi = w->end;
			w->done = true;
			return true;
		}
		s = &w->spans[w->i++];
		if (s->lo > w->next)
		{
			*lo = w->next;
			*hi = s->lo - 1;
			gap_walk_pass(w, s);
			return true;
		}
		gap_walk_pass(w, s);
	}
	return false;
}

/* The first and last address of a cidr. */
static void
block_bounds(const inet *block, uint128 *lo, uint128 *hi)
{
	uint128		m = host_mask(family_bits(ip_family(block)) - ip_bits(block));

	*lo = inet_addr_value(block) & ~m;
	*hi = *lo | m;
}

/* ------------------------------------------------------------------------
 * SQL-callable functions
 * ------------------------------------------------------------------------
 */

/*
 * Puts the fewest aligned blocks covering [lo, hi] into the result, left to
 * right: at each step the largest block that starts at lo, is aligned there
 * and does not pass hi.
 */
static void
put_range_blocks(ReturnSetInfo *rsinfo, int family, uint128 lo, uint128 hi)
{
	int			width = family_bits(family);

	for (;;)
	{
		int			align = lo == 0 ? width : Min(u128_ctz(lo), width);	/* LCOV_EXCL_BR_LINE: a nonzero lo < 2^width has ctz < width */
		uint128		count_less_1 = hi - lo;
		int			fit = count_less_1 == U128_MAX ? 128 :
			u128_floor_log2(count_less_1 + 1);
		int			h = Min(align, fit);
		uint128		last = lo | host_mask(h);
		inet	   *block = make_inet(family, width - h, lo);
		Datum		value = InetPGetDatum(block);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
		pfree(block);
		CHECK_FOR_INTERRUPTS();

		if (last == hi)
			break;
		lo = last + 1;
	}
}

/* cidr_free(parent cidr, used cidr[]) returns setof cidr */
Datum
mountaineer_cidr_free(PG_FUNCTION_ARGS)
{
	inet	   *parent = PG_GETARG_INET_PP(0);
	ArrayType  *used = PG_GETARG_ARRAYTYPE_P(1);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			family = ip_family(parent);
	uint128		plo;
	uint128		phi;
	Span	   *spans;
	int			nspans;
	GapWalk		walk;
	uint128		lo;
	uint128		hi;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	block_bounds(parent, &plo, &phi);
	spans = used_spans(used, parent, plo, phi, false, &nspans);
	gap_walk_init(&walk, spans, nspans, plo, phi);

	while (gap_next(&walk, &lo, &hi))
		put_range_blocks(rsinfo, family, lo, hi);

	return (Datum) 0;
}

/*
 * inet_range_cidrs(first inet, last inet) returns setof cidr: the fewest
 * CIDR blocks that cover exactly the addresses first..last (masks ignored).
 */
Datum
mountaineer_inet_range_cidrs(PG_FUNCTION_ARGS)
{
	inet	   *first = PG_GETARG_INET_PP(0);
	inet	   *last = PG_GETARG_INET_PP(1);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	uint128		lo;
	uint128		hi;

	if (ip_family(first) != ip_family(last))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("address family mismatch: range %s - %s",
						inet_text(first), inet_text(last))));
	lo = inet_addr_value(first);
	hi = inet_addr_value(last);
	if (lo > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("range %s - %s ends before it starts",
						inet_text(first), inet_text(last))));

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	put_range_blocks(rsinfo, ip_family(first), lo, hi);
	return (Datum) 0;
}

/* cidr_next_free(parent cidr, masklen int, used cidr[]) returns cidr */
Datum
mountaineer_cidr_next_free(PG_FUNCTION_ARGS)
{
	inet	   *parent = PG_GETARG_INET_PP(0);
	int32		masklen = PG_GETARG_INT32(1);
	ArrayType  *used = PG_GETARG_ARRAYTYPE_P(2);
	int			family = ip_family(parent);
	int			width = family_bits(family);
	uint128		plo;
	uint128		phi;
	uint128		m;
	Span	   *spans;
	int			nspans;
	GapWalk		walk;
	uint128		lo;
	uint128		hi;

	if (masklen < 0 || masklen > width)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("prefix length %d is out of range for %s",
						masklen, family_name(family)),
				 errdetail("An %s prefix length is between 0 and %d.",
						   family_name(family), width)));
	if (masklen < ip_bits(parent))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("prefix length %d is shorter than the parent %s",
						masklen, cidr_text(parent)),
				 errdetail("A block inside %s has a prefix length from %d to %d.",
						   cidr_text(parent), ip_bits(parent), width)));

	m = host_mask(width - masklen);
	block_bounds(parent, &plo, &phi);
	spans = used_spans(used, parent, plo, phi, false, &nspans);
	gap_walk_init(&walk, spans, nspans, plo, phi);

	/*
	 * Gaps come in address order, so the first gap holding an aligned block
	 * of the size asked for holds the answer, at its first aligned address.
	 */
	while (gap_next(&walk, &lo, &hi))
	{
		uint128		start;

		if ((lo & m) == 0)
			start = lo;
		else
		{
			/* round up; lo | m < hi also keeps lo | m + 1 from overflowing */
			if ((lo | m) >= hi)
				continue;
			start = (lo | m) + 1;
		}
		if ((start | m) <= hi)
			PG_RETURN_INET_P(make_inet(family, masklen, start));
	}

	PG_RETURN_NULL();
}

/* inet_next_free(parent cidr, used inet[]) returns inet */
Datum
mountaineer_inet_next_free(PG_FUNCTION_ARGS)
{
	inet	   *parent = PG_GETARG_INET_PP(0);
	ArrayType  *used = PG_GETARG_ARRAYTYPE_P(1);
	int			family = ip_family(parent);
	int			bits = ip_bits(parent);
	uint128		lo;
	uint128		hi;
	Span	   *spans;
	int			nspans;
	GapWalk		walk;
	uint128		glo;
	uint128		ghi;

	block_bounds(parent, &lo, &hi);

	/*
	 * Addresses that are not hosts: the network and broadcast address of an
	 * IPv4 subnet except in /31 (RFC 3021) and /32; the subnet-router anycast
	 * address (RFC 4291 §2.6.1) of an IPv6 subnet except in /127 (RFC 6164)
	 * and /128.  Those subnets hold at least 4 addresses, so lo < hi stays.
	 */
	if (family == PGSQL_AF_INET && bits <= 30)
	{
		lo++;
		hi--;
	}
	else if (family == PGSQL_AF_INET6 && bits <= 126)
		lo++;

	spans = used_spans(used, parent, lo, hi, true, &nspans);
	gap_walk_init(&walk, spans, nspans, lo, hi);

	if (gap_next(&walk, &glo, &ghi))
		PG_RETURN_INET_P(make_inet(family, bits, glo));
	PG_RETURN_NULL();
}

/* Appends the first "nibbles" hex digits of addr, last first, each with a dot. */
static void
append_nibbles_reversed(StringInfo buf, const unsigned char *addr, int nibbles)
{
	int			i;

	for (i = nibbles - 1; i >= 0; i--)
	{
		unsigned char b = addr[i / 2];
		int			nibble = (i % 2 == 0) ? (b >> 4) : (b & 0x0F);

		appendStringInfo(buf, "%x.", nibble);
	}
}

/* Appends the first "octets" bytes of addr in decimal, last first, each with a dot. */
static void
append_octets_reversed(StringInfo buf, const unsigned char *addr, int octets)
{
	int			i;

	for (i = octets - 1; i >= 0; i--)
		appendStringInfo(buf, "%d.", addr[i]);
}

/* reverse_zone(cidr) returns text */
Datum
mountaineer_reverse_zone(PG_FUNCTION_ARGS)
{
	inet	   *block = PG_GETARG_INET_PP(0);
	StringInfoData buf;

	initStringInfo(&buf);
	if (ip_family(block) == PGSQL_AF_INET)
	{
		append_octets_reversed(&buf, ip_addr(block), ip_bits(block) / 8);
		appendStringInfoString(&buf, "in-addr.arpa");
	}
	else
	{
		append_nibbles_reversed(&buf, ip_addr(block), ip_bits(block) / 4);
		appendStringInfoString(&buf, "ip6.arpa");
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/* ptr_name(inet) returns text */
Datum
mountaineer_ptr_name(PG_FUNCTION_ARGS)
{
	inet	   *ip = PG_GETARG_INET_PP(0);
	StringInfoData buf;

	initStringInfo(&buf);
	if (ip_family(ip) == PGSQL_AF_INET)
	{
		append_octets_reversed(&buf, ip_addr(ip), 4);
		appendStringInfoString(&buf, "in-addr.arpa");
	}
	else
	{
		append_nibbles_reversed(&buf, ip_addr(ip), 32);
		appendStringInfoString(&buf, "ip6.arpa");
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
