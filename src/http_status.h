/* http_status.h — see http_status.c */
#ifndef MOUNTAINEER_HTTP_STATUS_H
#define MOUNTAINEER_HTTP_STATUS_H

extern void http_status_init(void);

#endif
