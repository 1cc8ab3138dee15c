/*
 * outbox.h — the outbox's writer lock (outbox.c), which a statement takes
 * before it gives changes their ids.
 */
#ifndef MOUNTAINEER_OUTBOX_H
#define MOUNTAINEER_OUTBOX_H

#include "utils/relcache.h"

extern void outbox_take_writer_lock(Relation change);

#endif
