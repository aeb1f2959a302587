/* cbc-padding-scope=first|all: which records cbc-padding shapes.  "first"
 * is the server's first protected record, its Finished in TLS <= 1.2: the
 * record the 2006 phones answered with bad_record_mac (see q_cbc_padding.c).
 * Default: all. */
#include "internal.h"

const quirk_def quirk_cbc_padding_scope = {
    .name = "cbc-padding-scope",
    .values = "first|all",
    .summary = "which records cbc-padding shapes: the first protected one (Finished) or all",
    .parse = quirk_parse_scope,
    .shape = quirk_shape_none, /* read by the quirk it scopes */
};
