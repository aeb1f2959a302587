/* See names_facts.h. */
#include "names_facts.h"

#include <stdio.h>

void srv_names_facts_init(tp_facts *f, const tp_engine *e)
{
    tp_engine_names_info in;
    tp_engine_names_info_get(e, &in);
    tp_relations *r = &f->rel;
    snprintf(r->alpn_server, sizeof r->alpn_server, "%s", in.alpn ? in.alpn : "");
    r->alpn_mode = in.alpn_mode;
    r->sni_mode = in.sni_mode;
    snprintf(r->sni_names, sizeof r->sni_names, "%s", in.sni_names ? in.sni_names : "");
}

void srv_names_facts_end(tp_facts *f, const tp_engine_conn *ec)
{
    snprintf(f->rel.sni_cert, sizeof f->rel.sni_cert, "%s", tp_engine_conn_sni_cert(ec));
}
