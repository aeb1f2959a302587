/* Server unit tests: binding, errors, the choose/verdict callbacks, not-TLS
 * bytes, timeouts, shutdown with open connections, and one echo round trip
 * with an in-process GnuTLS client, all over 127.0.0.1. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "server/server.h"

static tp_engine *engine;

/* The callbacks run on server threads, and cmocka is not thread-safe: they
 * count what is wrong (bad_calls) and the main thread asserts on it. */
typedef struct {
    atomic_uint chosen, verdicts, ok, not_tls, timeouts;
    atomic_uint last_conn;
    atomic_uint bad_calls; /* a callback without peer, or with another connection's tag */
    bool reject;
} cb_state;

static tp_engine *choose_cb(void *ctx, unsigned conn, const char *peer, void **out_tag)
{
    cb_state *st = ctx;
    if (!peer)
        atomic_fetch_add(&st->bad_calls, 1);
    atomic_fetch_add(&st->chosen, 1);
    *out_tag = (void *)(uintptr_t)(conn + 1000);
    return st->reject ? NULL : engine;
}

static void verdict_cb(void *ctx, unsigned conn, const char *peer, void *tag, const tp_verdict *v)
{
    cb_state *st = ctx;
    if (!peer || (uintptr_t)tag != conn + 1000)
        atomic_fetch_add(&st->bad_calls, 1);
    atomic_fetch_add(&st->verdicts, 1);
    atomic_store(&st->last_conn, conn);
    if (v->ok)
        atomic_fetch_add(&st->ok, 1);
    if (v->phase == TP_PHASE_NOT_TLS)
        atomic_fetch_add(&st->not_tls, 1);
    if (v->phase == TP_PHASE_TIMEOUT)
        atomic_fetch_add(&st->timeouts, 1);
}

static tp_server_params params(cb_state *st, tp_mode mode, double timeout)
{
    static const char *const lo[] = {"127.0.0.1"};
    tp_server_params p;
    memset(&p, 0, sizeof p);
    p.listen = lo;
    p.num_listen = 1;
    p.port = 0;
    p.workers = 1;
    p.mode = mode;
    p.timeout = timeout;
    p.engine = engine;
    p.choose = choose_cb;
    p.on_verdict = verdict_cb;
    p.cb_ctx = st;
    return p;
}

static unsigned bound_port(tp_server *s)
{
    const char *const *b;
    assert_int_equal(tp_server_bound(s, &b), 1);
    const char *colon = strrchr(b[0], ':');
    assert_non_null(colon);
    return (unsigned)atoi(colon + 1);
}

/* Frees the server (its threads are joined), then checks on the main thread
 * what the callbacks saw. */
static void server_done(tp_server *s, cb_state *st)
{
    tp_server_free(s);
    assert_int_equal(atomic_load(&st->bad_calls), 0);
}

static void *run_thread(void *arg)
{
    tp_server_run(arg);
    return NULL;
}

static int tcp_connect(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Reads until EOF (the server closed) or the 10 s receive timeout. */
static size_t drain(int fd)
{
    char buf[4096];
    size_t total = 0;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        total += (size_t)n;
    return total;
}

static void wait_for(atomic_uint *v, unsigned want)
{
    for (int i = 0; i < 1000 && atomic_load(v) < want; i++)
        usleep(10000);
}

static void test_bad_address(void **state)
{
    (void)state;
    cb_state st = {0};
    tp_server_params p = params(&st, TP_MODE_ECHO, 5);
    const char *const bad[] = {"not-an-address"};
    p.listen = bad;
    char err[256];
    assert_null(tp_server_new(&p, err, sizeof err));
    assert_non_null(strstr(err, "not-an-address"));
    assert_non_null(strstr(err, "not an IPv4 or IPv6 address"));
}

static void test_port_in_use(void **state)
{
    (void)state;
    cb_state st = {0};
    tp_server_params p = params(&st, TP_MODE_ECHO, 5);
    char err[256];
    tp_server *a = tp_server_new(&p, err, sizeof err);
    assert_non_null(a);
    unsigned port = bound_port(a);
    assert_true(port > 0);
    const char *const *b;
    tp_server_bound(a, &b);
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%u", port);
    assert_string_equal(b[0], want);

    p.port = port; /* one worker: no SO_REUSEPORT, so this must fail */
    assert_null(tp_server_new(&p, err, sizeof err));
    assert_non_null(strstr(err, "cannot listen on"));
    assert_non_null(strstr(err, want));
    tp_server_free(a);
}

static void test_ipv6_bound_format(void **state)
{
    (void)state;
    cb_state st = {0};
    tp_server_params p = params(&st, TP_MODE_ECHO, 5);
    const char *const v6[] = {"::1"};
    p.listen = v6;
    char err[256];
    tp_server *s = tp_server_new(&p, err, sizeof err);
    if (!s)
        skip(); /* no IPv6 on this host */
    const char *const *b;
    assert_int_equal(tp_server_bound(s, &b), 1);
    assert_true(!strncmp(b[0], "[::1]:", 6));
    server_done(s, &st);
}

static void test_stop_before_run(void **state)
{
    (void)state;
    cb_state st = {0};
    tp_server_params p = params(&st, TP_MODE_ECHO, 5);
    p.workers = 3;
    char err[256];
    tp_server *s = tp_server_new(&p, err, sizeof err);
    assert_non_null(s);
    tp_server_stop(s);
    assert_int_equal(tp_server_run(s), 0);
    unsigned c, ok, f;
    tp_server_totals(s, &c, &ok, &f);
    assert_int_equal(c, 0);
    assert_int_equal(ok + f, 0);
    server_done(s, &st);
}

static void test_not_tls_and_reject(void **state)
{
    (void)state;
    cb_state st = {0};
    tp_server_params p = params(&st, TP_MODE_HTTP, 5);
    char err[256];
    tp_server *s = tp_server_new(&p, err, sizeof err);
    assert_non_null(s);
    unsigned port = bound_port(s);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, run_thread, s), 0);

    int fd = tcp_connect(port);
    const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(send(fd, req, sizeof req - 1, 0), (ssize_t)(sizeof req - 1));
    drain(fd); /* the server closes on the garbage */
    close(fd);
    wait_for(&st.verdicts, 1);
    assert_int_equal(atomic_load(&st.verdicts), 1);
    assert_int_equal(atomic_load(&st.not_tls), 1);
    assert_int_equal(atomic_load(&st.ok), 0);
    assert_int_equal(atomic_load(&st.last_conn), 1);

    /* choose says no: closed at once, no verdict, not counted */
    st.reject = true;
    fd = tcp_connect(port);
    assert_int_equal(drain(fd), 0);
    close(fd);
    wait_for(&st.chosen, 2);
    assert_int_equal(atomic_load(&st.chosen), 2);
    usleep(100000);
    assert_int_equal(atomic_load(&st.verdicts), 1);

    tp_server_stop(s);
    pthread_join(th, NULL);
    unsigned c, ok, f;
    tp_server_totals(s, &c, &ok, &f);
    assert_int_equal(c, 1);
    assert_int_equal(ok, 0);
    assert_int_equal(f, 1);
    server_done(s, &st);
}

static void test_timeout_and_shutdown(void **state)
{
    (void)state;
    cb_state st = {0};
    tp_server_params p = params(&st, TP_MODE_ECHO, 0.3);
    p.workers = 2;
    char err[256];
    tp_server *s = tp_server_new(&p, err, sizeof err);
    assert_non_null(s);
    unsigned port = bound_port(s);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, run_thread, s), 0);

    int fd = tcp_connect(port); /* says nothing: the server's timeout ends it */
    drain(fd);
    close(fd);
    wait_for(&st.verdicts, 1);
    assert_int_equal(atomic_load(&st.timeouts), 1);

    /* open connections at shutdown still get their verdict */
    int a = tcp_connect(port), b = tcp_connect(port);
    wait_for(&st.chosen, 3);
    tp_server_stop(s);
    pthread_join(th, NULL);
    assert_int_equal(atomic_load(&st.verdicts), 3);
    unsigned c, ok, f;
    tp_server_totals(s, &c, &ok, &f);
    assert_int_equal(c, 3);
    assert_int_equal(f, 3);
    close(a);
    close(b);
    server_done(s, &st);
}

static void test_echo_roundtrip(void **state)
{
    (void)state;
    cb_state st = {0};
    tp_server_params p = params(&st, TP_MODE_ECHO, 10);
    char err[256];
    tp_server *s = tp_server_new(&p, err, sizeof err);
    assert_non_null(s);
    unsigned port = bound_port(s);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, run_thread, s), 0);

    int fd = tcp_connect(port);
    gnutls_session_t cs;
    gnutls_certificate_credentials_t cred;
    assert_int_equal(gnutls_certificate_allocate_credentials(&cred), 0);
    assert_int_equal(gnutls_init(&cs, GNUTLS_CLIENT), 0);
    assert_int_equal(gnutls_set_default_priority(cs), 0);
    assert_int_equal(gnutls_credentials_set(cs, GNUTLS_CRD_CERTIFICATE, cred), 0);
    gnutls_transport_set_int(cs, fd);
    int rc;
    do {
        rc = gnutls_handshake(cs);
    } while (rc < 0 && !gnutls_error_is_fatal(rc));
    assert_int_equal(rc, 0);
    const char msg[] = "echo me\n";
    assert_int_equal(gnutls_record_send(cs, msg, sizeof msg - 1), (ssize_t)(sizeof msg - 1));
    char buf[64];
    ssize_t n;
    do {
        n = gnutls_record_recv(cs, buf, sizeof buf);
    } while (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED);
    assert_int_equal(n, (ssize_t)(sizeof msg - 1));
    assert_memory_equal(buf, msg, sizeof msg - 1);
    gnutls_bye(cs, GNUTLS_SHUT_WR);
    drain(fd);
    close(fd);
    gnutls_deinit(cs);
    gnutls_certificate_free_credentials(cred);

    wait_for(&st.verdicts, 1);
    assert_int_equal(atomic_load(&st.ok), 1);
    tp_server_stop(s);
    pthread_join(th, NULL);
    unsigned c, ok, f;
    tp_server_totals(s, &c, &ok, &f);
    assert_int_equal(c, 1);
    assert_int_equal(ok, 1);
    assert_int_equal(f, 0);
    server_done(s, &st);
}

static int setup(void **state)
{
    (void)state;
    tp_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.priority = "NORMAL";
    cfg.key_type = "ecdsa:p256"; /* fast to generate */
    char err[256];
    engine = tp_engine_new(&cfg, err, sizeof err);
    if (!engine)
        fprintf(stderr, "engine: %s\n", err);
    return engine ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tp_engine_free(engine);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_address),        cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_ipv6_bound_format),  cmocka_unit_test(test_stop_before_run),
        cmocka_unit_test(test_not_tls_and_reject), cmocka_unit_test(test_timeout_and_shutdown),
        cmocka_unit_test(test_echo_roundtrip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
