/* Printable addresses for traces: "127.0.0.1:50412", "[::1]:50412".  One
 * function, so a connection reads the same traced live (server/) and
 * decoded from a capture (analysis/decode.c). */
#ifndef TP_ANALYSIS_ADDR_H
#define TP_ANALYSIS_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Writes "?" for families other than AF_INET and AF_INET6. */
void tp_addr_format(const struct sockaddr *sa, char *out, size_t out_len);

#endif
