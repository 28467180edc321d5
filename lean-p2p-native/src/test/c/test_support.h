/* Test support for lean_p2p_test.c: checks (TAP-like output), time, hex, snappy literals, and a
 * driver for the project's js-libp2p peer (interop/js/peer.mjs, JSON lines over pipes). */
#ifndef LEAN_P2P_TEST_SUPPORT_H
#define LEAN_P2P_TEST_SUPPORT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---------------------------------------------------------------- checks */

static int checks_run, checks_failed;
static void (*bail_hook)(void);

static void section(const char *name) {
  printf("# --- %s\n", name);
  fflush(stdout);
}

static int check_(int ok, const char *file, int line, const char *expr, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  checks_run++;
  if (ok) {
    printf("ok %d - %s\n", checks_run, msg);
  } else {
    checks_failed++;
    printf("not ok %d - %s\n#   at %s:%d: %s\n#   lean_p2p_last_error() on this thread: \"%s\"\n", checks_run, msg,
           file, line, expr, lean_p2p_last_error());
  }
  fflush(stdout);
  return ok;
}

#define CHECK(cond, ...) check_(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

static void bail(void) {
  printf("# bailing out after %d checks, %d failed\n", checks_run, checks_failed);
  fflush(stdout);
  if (bail_hook) bail_hook();
  _exit(1);
}

/* A failed REQUIRE ends the run: later steps depend on it. */
#define REQUIRE(cond, ...)                                  \
  do {                                                      \
    if (!check_(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)) bail(); \
  } while (0)

/* ---------------------------------------------------------------- time */

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Waits on cv (mu held) until the absolute CLOCK_MONOTONIC deadline (or a wake-up). */
static void wait_until_ms(pthread_cond_t *cv, pthread_mutex_t *mu, uint64_t deadline) {
  uint64_t now = now_ms();
  if (now >= deadline) return;
  uint64_t step = deadline - now > 50 ? 50 : deadline - now; /* re-check at least every 50 ms */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += (long)(step * 1000000u);
  while (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  pthread_cond_timedwait(cv, mu, &ts);
}

/* ---------------------------------------------------------------- bytes */

static void to_hex(const uint8_t *p, size_t n, char *out) {
  static const char d[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  out[2 * n] = '\0';
}

/* A raw snappy block that stores `n` bytes as literals (what any snappy decoder accepts). */
static size_t snappy_literal(const uint8_t *in, size_t n, uint8_t *out) {
  size_t o = 0;
  uint64_t v = n;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out[o++] = (uint8_t)(b | (v ? 0x80 : 0));
  } while (v);
  for (size_t i = 0; i < n;) {
    size_t len = n - i > 65536 ? 65536 : n - i;
    if (len <= 60) {
      out[o++] = (uint8_t)((len - 1) << 2);
    } else if (len <= 256) {
      out[o++] = 60 << 2;
      out[o++] = (uint8_t)(len - 1);
    } else {
      out[o++] = 61 << 2;
      out[o++] = (uint8_t)((len - 1) & 0xff);
      out[o++] = (uint8_t)((len - 1) >> 8);
    }
    memcpy(out + o, in + i, len);
    o += len;
    i += len;
  }
  return o;
}

/* ---------------------------------------------------------------- JSON lines (flat fields) */

/* Copies the string field `key` of a JSON line (no escapes in the values we read). */
static int json_str(const char *line, const char *key, char *out, size_t cap) {
  char pat[128];
  snprintf(pat, sizeof pat, "\"%s\":\"", key);
  const char *p = strstr(line, pat);
  if (p == NULL) return 0;
  p += strlen(pat);
  const char *e = strchr(p, '"');
  if (e == NULL || (size_t)(e - p) >= cap) return 0;
  memcpy(out, p, (size_t)(e - p));
  out[e - p] = '\0';
  return 1;
}

static int json_num(const char *line, const char *key, double *out) {
  char pat[128];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  const char *p = strstr(line, pat);
  if (p == NULL) return 0;
  char *end;
  *out = strtod(p + strlen(pat), &end);
  return end != p + strlen(pat);
}

/* ---------------------------------------------------------------- the js peer */

typedef struct js_peer {
  pid_t pid;
  FILE *in;
  int out_fd;
  pthread_t reader;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  char **lines;
  unsigned char *consumed;
  size_t n, cap;
  int eof;
  long next_id;
  char peer_id[128];
  char tcp_addr[256];
  char quic_addr[256];
} js_peer;

static void *js_read_loop(void *arg) {
  js_peer *js = arg;
  FILE *f = fdopen(js->out_fd, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while (f != NULL && (n = getline(&line, &cap, f)) > 0) {
    if (line[n - 1] == '\n') line[n - 1] = '\0';
    pthread_mutex_lock(&js->mu);
    if (js->n == js->cap) {
      js->cap = js->cap ? js->cap * 2 : 1024;
      js->lines = realloc(js->lines, js->cap * sizeof(char *));
      js->consumed = realloc(js->consumed, js->cap);
    }
    js->lines[js->n] = strdup(line);
    js->consumed[js->n] = 0;
    js->n++;
    pthread_cond_broadcast(&js->cv);
    pthread_mutex_unlock(&js->mu);
  }
  free(line);
  if (f) fclose(f);
  pthread_mutex_lock(&js->mu);
  js->eof = 1;
  pthread_cond_broadcast(&js->cv);
  pthread_mutex_unlock(&js->mu);
  return NULL;
}

/* Does `line` contain every substring of the NULL-terminated list? */
static int line_matches(const char *line, const char *const *subs) {
  for (; *subs; subs++) {
    if (strstr(line, *subs) == NULL) return 0;
  }
  return 1;
}

/* Waits for (and consumes) the oldest unconsumed line containing every substring; its copy goes
 * to out. Returns 0 on timeout or when the peer's stdout ended. */
static int js_await_v(js_peer *js, uint64_t timeout_ms, char *out, size_t cap, const char *const *subs) {
  uint64_t deadline = now_ms() + timeout_ms;
  pthread_mutex_lock(&js->mu);
  for (;;) {
    for (size_t i = 0; i < js->n; i++) {
      if (!js->consumed[i] && line_matches(js->lines[i], subs)) {
        js->consumed[i] = 1;
        if (out) snprintf(out, cap, "%s", js->lines[i]);
        pthread_mutex_unlock(&js->mu);
        return 1;
      }
    }
    if (js->eof || now_ms() >= deadline) break;
    wait_until_ms(&js->cv, &js->mu, deadline);
  }
  printf("# js peer: no line with");
  for (const char *const *s = subs; *s; s++) printf(" [%s]", *s);
  printf(" within %llu ms%s; last lines:\n", (unsigned long long)timeout_ms, js->eof ? " (stdout ended)" : "");
  for (size_t i = js->n > 8 ? js->n - 8 : 0; i < js->n; i++) printf("#   %.300s\n", js->lines[i]);
  pthread_mutex_unlock(&js->mu);
  return 0;
}

#define js_await(js, timeout, out, cap, ...) \
  js_await_v((js), (timeout), (out), (cap), (const char *const[]){__VA_ARGS__, NULL})

/* Sends a command object (without braces around the fields given) with a fresh id; returns it. */
static long js_send(js_peer *js, const char *fmt, ...) {
  char body[65536];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(body, sizeof body, fmt, ap);
  va_end(ap);
  pthread_mutex_lock(&js->mu);
  long id = js->next_id++;
  fprintf(js->in, "{%s,\"id\":%ld}\n", body, id);
  fflush(js->in);
  pthread_mutex_unlock(&js->mu);
  return id;
}

/* The reply to command `id` (the event named `event`, or an error). */
static int js_reply(js_peer *js, long id, const char *event, uint64_t timeout_ms, char *out, size_t cap) {
  char idpat[48], evpat[64];
  snprintf(idpat, sizeof idpat, "\"id\":%ld}", id);
  snprintf(evpat, sizeof evpat, "\"event\":\"%s\"", event);
  char line[65536];
  if (!js_await(js, timeout_ms, line, sizeof line, idpat)) return 0;
  if (out) snprintf(out, cap, "%s", line);
  if (strstr(line, evpat) == NULL) {
    printf("# js peer answered command %ld with: %.500s\n", id, line);
    return 0;
  }
  return 1;
}

static js_peer *js_start(const char *node, const char *script, const char *log_path) {
  js_peer *js = calloc(1, sizeof *js);
  pthread_mutex_init(&js->mu, NULL);
  pthread_cond_init(&js->cv, NULL);
  js->next_id = 1;
  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) return NULL;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  /* the peer runs in its own directory (node_modules): a relative script path is resolved first */
  char script_abs[4096];
  if (realpath(script, script_abs) != NULL) script = script_abs;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", script);
  char *slash = strrchr(dir, '/');
  if (slash) {
    *slash = '\0';
    posix_spawn_file_actions_addchdir_np(&fa, dir);
  }
  char *argv[] = {(char *)node, (char *)script, "--tcp-port", "0", "--quic-port", "0", NULL};
  int rc = posix_spawnp(&js->pid, node, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (rc != 0) {
    printf("# cannot start %s %s: %s\n", node, script, strerror(rc));
    return NULL;
  }
  js->in = fdopen(in_pipe[1], "w");
  js->out_fd = out_pipe[0];
  pthread_create(&js->reader, NULL, js_read_loop, js);
  char line[8192];
  if (!js_await(js, 60000, line, sizeof line, "\"event\":\"listening\"")) return NULL;
  json_str(line, "peerId", js->peer_id, sizeof js->peer_id);
  /* addrs: ["/ip4/127.0.0.1/tcp/P/p2p/ID","/ip4/127.0.0.1/udp/P/quic-v1/p2p/ID"] */
  const char *a = strstr(line, "\"addrs\":[");
  if (a != NULL) a += strlen("\"addrs\":[");
  while (a != NULL && (a = strchr(a, '"')) != NULL) {
    a++;
    if (*a != '/') break;
    const char *e = strchr(a, '"');
    if (e == NULL) break;
    char addr[256];
    snprintf(addr, sizeof addr, "%.*s", (int)(e - a), a);
    if (strstr(addr, "/quic-v1")) snprintf(js->quic_addr, sizeof js->quic_addr, "%s", addr);
    else if (strstr(addr, "/tcp/")) snprintf(js->tcp_addr, sizeof js->tcp_addr, "%s", addr);
    a = e + 1;
    if (*a != ',') break;
  }
  return js;
}

/* Sends stop and waits for the process (it exits right after its "stopped" line); kills it when
 * it does not answer. Returns its exit code, or -1. */
static int js_stop(js_peer *js) {
  if (js == NULL || js->pid <= 0) return -1;
  long id = js_send(js, "\"cmd\":\"stop\"");
  int ok = js_reply(js, id, "stopped", 15000, NULL, 0);
  fclose(js->in);
  if (!ok) kill(js->pid, SIGKILL);
  int status = 0;
  waitpid(js->pid, &status, 0);
  pthread_join(js->reader, NULL);
  js->pid = 0;
  return ok && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* For bail-outs: the peer must not outlive the test. */
static void js_kill(js_peer *js) {
  if (js != NULL && js->pid > 0) {
    kill(js->pid, SIGKILL);
    waitpid(js->pid, NULL, 0);
    js->pid = 0;
  }
}

#endif
