/* Inside the sweep driver: the state shared by its files.
 *   sweep.c    entry, journal resume, reports
 *   client.c   driven mode: the client command per attempt, its output, its exit
 *   device.c   device mode: the main loop, per-attempt windows
 *   slot.c     the servers (one per slot) and their callbacks
 *   sched.c    scheduling: the queue of combinations, attempts, repeats,
 *              results, the attempt a device connection belongs to
 *   progress.c the progress bar, ETA and device mode's prompts
 *   common.c   verdict status and JSON, clock, status line, engines
 * The calls go one way, down this list (sched.c also calls results.c and
 * decide_text.c; scripts/check-includes.py fails on a circle).
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
    unsigned extra; /* tries beyond --repeat the adaptive strategy asked for */
} tally;

typedef struct sweep_adaptive_run sweep_adaptive_run; /* strategy.c */

enum { PHASE_PROBE, PHASE_RUNNING, PHASE_DONE };

struct sweep_ctx {
    const sweep_options *o;
    pthread_mutex_t lock;
    sweep_matrix m;
    sweep_result *res;
    tally *tal;
    sweep_adaptive_run *adapt; /* --strategy adaptive; NULL: every combination */
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

/* common.c: the lowest file (it calls no other file of sweep/) */
double sweep_now(void);
void sweep_say(sweep_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
tp_engine *sweep_engine_for_config(sweep_ctx *c, unsigned idx, char *err, size_t err_len);
/* The probe's engine allows every value of every axis (legacy ones too),
 * so that whatever the client offers within the matrix can connect. */
tp_engine *sweep_engine_for_probe(sweep_ctx *c, char *err, size_t err_len);

/* live.c (--dashboard): the sweep object of the moment to o->live_state
 * (nothing without it); d and rows: the final decision (NULL: decided
 * here, without the adaptive strategy's naming). */
void sweep_live_state(sweep_ctx *c, const sweep_decision *d, const sweep_row *rows);

/* sched.c (lock held unless said) */
void sweep_build_queue(sweep_ctx *c);
void sweep_attempt_finalize(sweep_ctx *c, attempt *a);
attempt *sweep_attempt_new(sweep_ctx *c, int cfg, slot *sl, tp_engine *e);
attempt *sweep_next_attempt(sweep_ctx *c, slot *sl);
/* Lock held: the attempt a device connection from peer belongs to. */
attempt *sweep_device_choose(sweep_ctx *c, slot *sl, const char *peer);

/* strategy.c: the adaptive strategy's side of the sweep (lock held) */
/* After the probe: queues the first combination (and replays a resumed
 * journal into the rule set).  false: out of memory (the sweep goes full). */
bool sweep_strategy_start(sweep_ctx *c);
/* A combination's result is final: the next one is queued (or none). */
void sweep_strategy_result(sweep_ctx *c, unsigned idx);
/* The engine refused a combination: never chosen again; the next queued. */
void sweep_strategy_skipped(sweep_ctx *c, unsigned idx);
/* Device prompt: what the combination at idx tests, e.g. "next: same as
 * before but protocol TLS1.2 -> TLS1.0 (3 of the 12 rules left say it
 * fails)"; "" without the strategy. */
void sweep_strategy_prompt(const sweep_ctx *c, unsigned idx, char *out, size_t len);
/* The reports: a named rule replaces d's (the rule finder over the tried
 * results plus the rule's prediction for the rest: the same words as the
 * full matrix), and the untried combinations are marked inferred. */
void sweep_strategy_decide(sweep_ctx *c, sweep_decision *d);
/* "strategy: adaptive: named in 9 connections; the full matrix is 96",
 * how sure, what was not tried; to the text report (out, NULL: none) and
 * as "strategy" into json (NULL: none). */
void sweep_strategy_report(sweep_ctx *c, FILE *out, json_object *json);
void sweep_strategy_free(sweep_ctx *c);

/* slot.c (lock not held) */
bool sweep_slot_start(sweep_ctx *c, slot *sl, unsigned id, bool driven);

/* client.c: runs the main loop until done or stopped (lock not held) */
int sweep_run_driven(sweep_ctx *c);

/* progress.c */
void sweep_progress_bar(sweep_ctx *c);
void sweep_device_prompt(sweep_ctx *c); /* lock held */

/* device.c */
int sweep_run_device(sweep_ctx *c); /* lock not held */

#endif
