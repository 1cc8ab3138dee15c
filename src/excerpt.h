/*
 * excerpt.h — how an error message quotes what a client typed.
 */
#ifndef MOUNTAINEER_EXCERPT_H
#define MOUNTAINEER_EXCERPT_H

/* Longest prefix of an input, in characters, that a message quotes. */
#define EXCERPT_CHARS 64

extern char *mt_excerpt(const char *s, int len);

#endif
