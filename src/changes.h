/*
 * changes.h — what an update changed (changes.c), for jsonb_changes() and
 * log_update().
 */
#ifndef MOUNTAINEER_CHANGES_H
#define MOUNTAINEER_CHANGES_H

#include "utils/jsonb.h"

extern bool jsonb_changes_of(Jsonb *old, Jsonb *new, Jsonb **before, Jsonb **after);

#endif
