/* The fleet summary written out (fleet_out.h). */
#include "fleet_out.h"

#include <string.h>
#include <unistd.h>

#include "capture/outfile.h"
#include "sweep/fleet_rule.h"
#include "report/fleet_render.h"
#include "report/json_util.h"
#include "serve_opts.h"

static int write_html(const report_fleet *f, const fleet_out_params *p)
{
    wire_buf b;
    wire_buf_init(&b, 0);
    report_fleet_html_page(&b, f);
    capture_outfile of = {.fd = -1};
    char label[96];
    snprintf(label, sizeof label, "%s: --html", p->cmd);
    int rc = 1;
    if (!wire_buf_ok(&b))
        fprintf(stderr, "%s: out of memory\n", p->cmd);
    else if (serve_opts_open_output(&of, label, p->html_path, false) &&
             capture_outfile_write(&of, wire_buf_data(&b), wire_buf_len(&b)) == 0)
        rc = 0;
    if (capture_outfile_close(&of) != 0)
        rc = 1;
    wire_buf_cleanup(&b);
    return rc;
}

int fleet_out_write(fleet_table *t, const fleet_out_params *p, FILE *out)
{
    report_fleet f = {.table = t, .sources = p->sources, .num_sources = p->num_sources,
                      .keys = p->keys};
    fleet_group *groups = fleet_sorted(t, &f.num_groups);
    f.groups = groups;
    sweep_fleet_rule rule;
    sweep_fleet_rule_find(groups, f.num_groups, &rule);
    f.rule = rule.rule[0] ? rule.rule : NULL;
    f.rule_exact = rule.exact;
    f.rule_why = rule.why;
    int rc = 0;
    if (p->json) {
        json_object *o = report_fleet_json(&f);
        if (!o) {
            fprintf(stderr, "%s: out of memory\n", p->cmd);
            return 1;
        }
        fprintf(out, "%s\n", report_json_line(o));
        json_object_put(o);
    } else {
        wire_buf b;
        wire_buf_init(&b, 0);
        report_fleet_text(&b, &f);
        if (wire_buf_ok(&b))
            fwrite(wire_buf_data(&b), 1, wire_buf_len(&b), out);
        else
            rc = 1;
        wire_buf_cleanup(&b);
    }
    if (p->html_path && write_html(&f, p) != 0)
        rc = 1;
    return rc;
}
