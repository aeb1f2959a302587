/* The --dashboard server; see dashboard.h. */
#include "dashboard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "report/dashboard.h"
#include "report/verdict_render.h"

#define DASH_LINES 8
#define DASH_VERDICTS 50

struct cli_dashboard {
    int fd, stop[2];
    pthread_t thread;
    pthread_mutex_t lock;
    json_object *sweep;          /* our reference */
    char *lines[DASH_LINES];     /* the last lines said, a ring */
    unsigned nlines, first;
    char *next;                  /* the last device prompt */
    char *page, *state;          /* rendered, served as they are */
    char url[96];
    /* serve: the sink and the last verdicts, a ring */
    tp_sink sink;
    bool serve;
    json_object *verdicts[DASH_VERDICTS];
    unsigned nverdicts, vfirst, counts[3];
};

/* Lock held: the page and /state.json again. */
static void render(cli_dashboard *d)
{
    const char *lines[DASH_LINES];
    for (unsigned i = 0; i < d->nlines; i++)
        lines[i] = d->lines[(d->first + i) % DASH_LINES];
    wire_buf b;
    wire_buf_init(&b, 0);
    if (d->serve) {
        json_object *v[DASH_VERDICTS];
        for (unsigned i = 0; i < d->nverdicts; i++)
            v[i] = d->verdicts[(d->vfirst + i) % DASH_VERDICTS];
        report_dashboard_serve_html(&b, v, d->nverdicts, d->counts);
    } else
        report_dashboard_html(&b, d->sweep, lines, d->nlines, d->next);
    if (wire_buf_ok(&b)) {
        free(d->page);
        d->page = strdup(wire_buf_str(&b));
    }
    wire_buf_cleanup(&b);
    free(d->state);
    d->state = strdup(d->sweep ? json_object_to_json_string_ext(d->sweep, JSON_C_TO_STRING_PLAIN)
                               : "{}");
}

void cli_dashboard_line(void *arg, const char *line)
{
    cli_dashboard *d = arg;
    pthread_mutex_lock(&d->lock);
    if (!strncmp(line, "connect the client now", 22)) {
        free(d->next);
        d->next = strdup(line);
    }
    unsigned at = (d->first + d->nlines) % DASH_LINES;
    if (d->nlines == DASH_LINES) {
        free(d->lines[d->first]);
        d->first = (d->first + 1) % DASH_LINES;
        at = (d->first + DASH_LINES - 1) % DASH_LINES;
    } else
        d->nlines++;
    d->lines[at] = strdup(line);
    if (!d->lines[at])
        d->lines[at] = strdup("");
    render(d);
    pthread_mutex_unlock(&d->lock);
}

void cli_dashboard_state(void *arg, json_object *sweep)
{
    cli_dashboard *d = arg;
    pthread_mutex_lock(&d->lock);
    json_object_put(d->sweep);
    d->sweep = json_object_get(sweep);
    render(d);
    pthread_mutex_unlock(&d->lock);
}

static void on_event(tp_sink *self, const tp_event *ev)
{
    if (ev->type != TP_EV_VERDICT)
        return;
    cli_dashboard *d = (cli_dashboard *)((char *)self - offsetof(cli_dashboard, sink));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "conn", json_object_new_int((int)ev->conn));
    report_json_verdict_fill(o, ev->u.verdict);
    const char *word = report_verdict_word(ev->u.verdict);
    pthread_mutex_lock(&d->lock);
    d->counts[!strcmp(word, "OK") ? 0 : !strcmp(word, "UNUSED") ? 2 : 1]++;
    if (d->nverdicts == DASH_VERDICTS) {
        json_object_put(d->verdicts[d->vfirst]);
        d->verdicts[d->vfirst] = o;
        d->vfirst = (d->vfirst + 1) % DASH_VERDICTS;
    } else
        d->verdicts[d->nverdicts++] = o;
    render(d);
    pthread_mutex_unlock(&d->lock);
}

tp_sink *cli_dashboard_sink(cli_dashboard *d)
{
    pthread_mutex_lock(&d->lock);
    d->serve = true;
    d->sink.on_event = on_event;
    render(d);
    pthread_mutex_unlock(&d->lock);
    return &d->sink;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void answer(cli_dashboard *d, int fd)
{
    char req[4096];
    size_t n = 0;
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (n < sizeof req - 1) {
        ssize_t r = recv(fd, req + n, sizeof req - 1 - n, 0);
        if (r <= 0)
            break;
        n += (size_t)r;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
            break;
    }
    req[n] = '\0';
    bool page = !strncmp(req, "GET / ", 6), state = !strncmp(req, "GET /state.json ", 16);
    pthread_mutex_lock(&d->lock);
    const char *body = page ? d->page : state ? d->state : "not found\n";
    char *copy = strdup(body ? body : "");
    pthread_mutex_unlock(&d->lock);
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                      "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                      page || state ? "200 OK" : "404 Not Found",
                      page    ? "text/html; charset=utf-8"
                      : state ? "application/json"
                              : "text/plain",
                      copy ? strlen(copy) : 0);
    send_all(fd, head, (size_t)hl);
    if (copy && strncmp(req, "HEAD ", 5))
        send_all(fd, copy, strlen(copy));
    free(copy);
}

static void *serve(void *arg)
{
    cli_dashboard *d = arg;
    for (;;) {
        struct pollfd p[2] = {{.fd = d->fd, .events = POLLIN}, {.fd = d->stop[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            break;
        if (!(p[0].revents & POLLIN))
            continue;
        int c = accept(d->fd, NULL, NULL);
        if (c < 0)
            continue;
        answer(d, c);
        close(c);
    }
    return NULL;
}

/* [ADDR:]PORT, ADDR an IPv4 address or [IPv6]; false when bad. */
static bool parse_spec(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
    char addr[64] = "127.0.0.1";
    const char *port = spec, *colon = strrchr(spec, ':');
    if (colon) {
        size_t l = (size_t)(colon - spec);
        if (l == 0 || l >= sizeof addr)
            return false;
        memcpy(addr, spec, l);
        addr[l] = '\0';
        port = colon + 1;
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535)
        return false;
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    size_t al = strlen(addr);
    if (addr[0] == '[' && addr[al - 1] == ']') {
        addr[al - 1] = '\0';
        if (inet_pton(AF_INET6, addr + 1, &v6->sin6_addr) != 1)
            return false;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)p);
        *len = sizeof *v6;
        return true;
    }
    if (inet_pton(AF_INET, addr, &v4->sin_addr) != 1)
        return false;
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)p);
    *len = sizeof *v4;
    return true;
}

static int listen_on(const struct sockaddr_storage *ss, socklen_t len, char *url, size_t url_len)
{
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_storage got;
    socklen_t gl = sizeof got;
    if (bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&got, &gl) != 0) {
        close(fd);
        return -1;
    }
    char host[INET6_ADDRSTRLEN];
    bool v6 = got.ss_family == AF_INET6;
    inet_ntop(got.ss_family,
              v6 ? (void *)&((struct sockaddr_in6 *)&got)->sin6_addr
                 : (void *)&((struct sockaddr_in *)&got)->sin_addr,
              host, sizeof host);
    unsigned port = ntohs(v6 ? ((struct sockaddr_in6 *)&got)->sin6_port
                             : ((struct sockaddr_in *)&got)->sin_port);
    snprintf(url, url_len, "http://%s%s%s:%u/", v6 ? "[" : "", host, v6 ? "]" : "", port);
    return fd;
}

cli_dashboard *cli_dashboard_start(const char *cmd, const char *spec)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (!parse_spec(spec, &ss, &len)) {
        fprintf(stderr, "tlsprobe %s: --dashboard %s: expected PORT (0: any free port) or "
                        "ADDR:PORT, e.g. 8080, 0, 127.0.0.1:8080 or [::1]:8080\n",
                cmd, spec);
        return NULL;
    }
    cli_dashboard *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->fd = listen_on(&ss, len, d->url, sizeof d->url);
    if (d->fd < 0 || pipe(d->stop) != 0) {
        fprintf(stderr, "tlsprobe %s: --dashboard %s: cannot listen: %s\n", cmd, spec,
                strerror(errno));
        if (d->fd >= 0)
            close(d->fd);
        free(d);
        return NULL;
    }
    pthread_mutex_init(&d->lock, NULL);
    render(d);
    if (pthread_create(&d->thread, NULL, serve, d) != 0) {
        fprintf(stderr, "tlsprobe %s: --dashboard: cannot start its thread\n", cmd);
        close(d->fd);
        close(d->stop[0]);
        close(d->stop[1]);
        free(d->page);
        free(d->state);
        free(d);
        return NULL;
    }
    fprintf(stderr, "dashboard: %s\n", d->url);
    return d;
}

void cli_dashboard_hold(cli_dashboard *d, int max_seconds)
{
    if (!d)
        return;
    fprintf(stderr, "dashboard: the sweep is over; the final page stays at %s until Ctrl-C "
                    "(at most %d s)\n",
            d->url, max_seconds);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    struct timespec ts = {max_seconds, 0};
    sigtimedwait(&set, NULL, &ts);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void cli_dashboard_stop(cli_dashboard *d)
{
    if (!d)
        return;
    if (write(d->stop[1], "x", 1) == 1)
        pthread_join(d->thread, NULL);
    close(d->fd);
    close(d->stop[0]);
    close(d->stop[1]);
    json_object_put(d->sweep);
    for (unsigned i = 0; i < d->nlines; i++)
        free(d->lines[(d->first + i) % DASH_LINES]);
    for (unsigned i = 0; i < d->nverdicts; i++)
        json_object_put(d->verdicts[i]);
    free(d->next);
    free(d->page);
    free(d->state);
    pthread_mutex_destroy(&d->lock);
    free(d);
}
