/*
 * fastpath.h — what the C fast paths of PL/pgSQL trigger functions share
 * (fastpath.c).
 */
#ifndef MOUNTAINEER_FASTPATH_H
#define MOUNTAINEER_FASTPATH_H

#include "access/htup.h"
#include "fmgr.h"

extern Datum mt_run_trigger_as(FunctionCallInfo fcinfo, const char *name);
extern void mt_learn_stable(void (*learn_once) (void *out), void *meta, Size size);
extern void mt_before_write_row(FunctionCallInfo fcinfo, const char *name, HeapTuple *newtup, HeapTuple *oldtup);

#endif
