#include "status.h"

static const struct {
    const char *name;
    const char *message;
    int alert;
} status_rows[] = {
#define TP_X(code, name, msg, alert) {name, msg, alert},
    TP_STATUS_TABLE(TP_X)
#undef TP_X
};

const char *tp_status_name(tp_status s)
{
    return (unsigned)s < TP_STATUS_COUNT ? status_rows[s].name : "unknown";
}

const char *tp_status_message(tp_status s)
{
    return (unsigned)s < TP_STATUS_COUNT ? status_rows[s].message : "unknown error";
}

int tp_status_alert(tp_status s)
{
    return (unsigned)s < TP_STATUS_COUNT ? status_rows[s].alert : -1;
}
