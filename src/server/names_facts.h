/* The server's side of ALPN and SNI into a connection's facts: the
 * configured lists and modes up front, the certificate its ClientHello
 * chose at the end (the verdict relates them to what the client offered). */
#ifndef TP_SERVER_NAMES_FACTS_H
#define TP_SERVER_NAMES_FACTS_H

#include "../analysis/relations.h"
#include "../engine/engine.h"

void srv_names_facts_init(tp_facts *f, const tp_engine *e);
void srv_names_facts_end(tp_facts *f, const tp_engine_conn *ec);

#endif
