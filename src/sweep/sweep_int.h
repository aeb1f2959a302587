/* Inside the sweep driver: the state shared by its files.
 *   sweep.c   entry, engines per configuration, journal resume, reports
 *   sched.c   scheduling: the queue of combinations, attempts, repeats, results
 *   slot.c    the servers (one per slot) and their callbacks
 *   client.c  driven mode: the client command per attempt, its output, its exit
 *   device.c  device mode: prompts, progress, ETA, per-attempt windows
 * Threads: one per server (slot), each running its own event loop; the
 * main thread runs the default libev loop (client processes, timers,
 * signals; server callbacks wake it with ctx->wake).  One mutex (ctx->lock)
 * guards the shared state; the server callbacks take it inside the server's
 * own callback lock, and the main thread never calls into a server while
 * holding it. */
#ifndef TP_SWEEP_SWEEP_INT_H
#define TP_SWEEP_SWEEP_INT_H

#include <ev.h>
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>

#include "journal.h"
#include "results.h"
#include "sweep.h"

#define SWEEP_MAX_JOBS 64
#define TAIL_LEN 400
/* after a client exits, how long its connections get to deliver verdicts */
#define VERDICT_GRACE 3.0

typedef struct sweep_ctx sweep_ctx;
typedef struct slot slot;

typedef struct attempt {
    struct attempt *next_all;
    int cfg; /* -1: the probe */
    slot *sl;
    tp_engine *engine;
    tp_quirk_set quirks; /* the quirk axis' value (empty: none) */
    const char *resume_need; /* resumption axis: "session-id", "ticket", "psk" or NULL */
    bool open;           /* device: still taking connections (window) */
    bool finalized;
    double start;
    char host[64];
    unsigned accepted, verdicts;
    unsigned first_conn;
    bool any_ok;
    int verdict_rank; /* of a->verdict: 2 ok, 1 unused after a handshake, 0 other */
    json_object *verdict;
    sweep_offer *offer; /* of the first ClientHello (valid: it said one) */
    /* driven */
    bool exited, timed_out;
    double exit_time;
    int exit_code, term_signal;
    char tail[TAIL_LEN + 1];
    size_t tail_len;
} attempt;

typedef struct {
    tp_sink base;
    slot *sl;
} probe_sink;

struct slot {
    sweep_ctx *ctx;
    unsigned id;
    tp_server *srv;
    pthread_t thread;
    bool thread_started;
    char host[64];
    unsigned port;
    attempt *cur;
    probe_sink sink;
    pid_t pid; /* running client, 0 when none */
    int out_fd;
    const char *listen_one[1];
    /* driven (client.c), on the main thread's loop */
    ev_io out_w;      /* the client's output */
    ev_child child_w; /* its exit */
    ev_timer kill_w;  /* --client-timeout */
    ev_timer grace_w; /* VERDICT_GRACE after the exit */
};

typedef struct {
    unsigned tries, ok, fail, timeout;
    json_object *verdict, *client; /* of the attempt that represents the result */
    unsigned conns;
    bool rep_is_ok;
} tally;

enum { PHASE_PROBE, PHASE_RUNNING, PHASE_DONE };

struct sweep_ctx {
    const sweep_options *o;
    pthread_mutex_t lock;
    sweep_matrix m;
    sweep_result *res;
    tally *tal;
    unsigned *queue; /* config indices, each repeated `repeat` times */
    unsigned qlen, qpos;
    unsigned todo_configs, done_configs; /* this run */
    int phase;
    attempt *all; /* every attempt, freed at the end */
    attempt *probe;
    attempt *dev_cur; /* device: the open attempt */
    sweep_offer offer;
    bool have_offer;
    sweep_journal *journal;
    bool journal_failed;
    slot slots[SWEEP_MAX_JOBS];
    unsigned num_slots;
    double t0;
    bool tty;
    int prompted;                           /* device: last queue position prompted for */
    char base_csv[ENGINE_FLAG_COUNT][1024]; /* probe: every axis value allowed */
    /* the main thread's loop (the default one: ev_child needs it) */
    struct ev_loop *loop;
    ev_async wake; /* a server callback changed an attempt */
    ev_signal sig_int, sig_term;
    ev_timer window_w; /* device: the open attempt's --per-attempt-window */
};

extern volatile sig_atomic_t sweep_stop_requested;

double sweep_now(void);
void sweep_say(sweep_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sweep.c */
tp_engine *sweep_engine_for_config(sweep_ctx *c, unsigned idx, char *err, size_t err_len);
/* The resumption axis' value ("id") as the verdict names it ("session-id"); NULL for none. */
const char *sweep_resumption_how(const char *axis_value);

/* sched.c (lock held unless said) */
void sweep_build_queue(sweep_ctx *c);
void sweep_attempt_finalize(sweep_ctx *c, attempt *a);
attempt *sweep_attempt_new(sweep_ctx *c, int cfg, slot *sl, tp_engine *e);
attempt *sweep_next_attempt(sweep_ctx *c, slot *sl);

/* slot.c (lock not held) */
bool sweep_slot_start(sweep_ctx *c, slot *sl, unsigned id, bool driven);

/* client.c: runs the main loop until done or stopped (lock not held) */
int sweep_run_driven(sweep_ctx *c);

/* device.c */
void sweep_progress_bar(sweep_ctx *c);
void sweep_device_prompt(sweep_ctx *c); /* lock held */
/* Lock held: the attempt a device connection from peer belongs to. */
attempt *sweep_device_choose(sweep_ctx *c, slot *sl, const char *peer);
int sweep_run_device(sweep_ctx *c); /* lock not held */

#endif
