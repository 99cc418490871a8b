/* creds_process.c — the credential_process provider: runs the profile's
 * command through /bin/sh -c, reads its JSON answer with a bound and a
 * deadline, and turns a failure into a message carrying the command's own
 * first line of stderr. */
#include "sluice/log.h"
#include "creds_value.h"
#include "creds_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_STDERR 4096 /* enough for the first line; the rest is drained */

extern char **environ;

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts sh -c command with stdin from /dev/null, stdout and stderr into
 * the pipes, in its own process group so a timeout can stop all of it. */
static int spawn(const char *command, int out_w, int err_w, pid_t *pid)
{
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t none, dflt;
  char *argv[] = { "sh", "-c", (char *)command, NULL };
  int rc;
  sigemptyset(&none);
  sigemptyset(&dflt);
  sigaddset(&dflt, SIGPIPE);
  sigaddset(&dflt, SIGCHLD);
  if(posix_spawn_file_actions_init(&fa))
    return ENOMEM;
  if(posix_spawnattr_init(&at)) {
    posix_spawn_file_actions_destroy(&fa);
    return ENOMEM;
  }
  rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if(!rc) rc = posix_spawn_file_actions_adddup2(&fa, out_w, 1);
  if(!rc) rc = posix_spawn_file_actions_adddup2(&fa, err_w, 2);
  if(!rc) rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
  if(!rc) rc = posix_spawnattr_setpgroup(&at, 0);
  if(!rc) rc = posix_spawnattr_setsigmask(&at, &none);
  if(!rc) rc = posix_spawnattr_setsigdefault(&at, &dflt);
  if(!rc) rc = posix_spawn(pid, "/bin/sh", &fa, &at, argv, environ);
  posix_spawnattr_destroy(&at);
  posix_spawn_file_actions_destroy(&fa);
  return rc;
}

/* Reads both pipes until EOF on both, the deadline, or too much output. */
static enum sl_result collect(int out_r, int err_r, long timeout_ms, struct sl_buf *out,
                              struct sl_buf *errtext)
{
  struct pollfd fds[2] = { { out_r, POLLIN, 0 }, { err_r, POLLIN, 0 } };
  long long deadline = now_ms() + timeout_ms;
  char chunk[4096];
  int open_fds = 2;
  while(open_fds) {
    long long left = deadline - now_ms();
    int i, n;
    if(left <= 0)
      return SL_E_TIMEOUT;
    n = poll(fds, 2, (int)(left > 60000 ? 60000 : left));
    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0)
      return SL_E_IO;
    for(i = 0; i < 2; i++) {
      ssize_t got;
      if(fds[i].fd < 0 || !fds[i].revents)
        continue;
      got = read(fds[i].fd, chunk, sizeof(chunk));
      if(got < 0 && errno == EINTR)
        continue;
      if(got <= 0) {
        fds[i].fd = -1;
        open_fds--;
        continue;
      }
      if(i == 0 && sl_buf_add(out, chunk, (size_t)got))
        return SL_E_TOO_LARGE;
      if(i == 1 && errtext->len < MAX_STDERR)
        sl_buf_add(errtext, chunk, (size_t)got > MAX_STDERR - errtext->len ?
                   MAX_STDERR - errtext->len : (size_t)got);
    }
  }
  return SL_OK;
}

static int reap(pid_t pid)
{
  int st = 0;
  while(waitpid(pid, &st, 0) < 0)
    if(errno != EINTR)
      return -1;
  return st;
}

/* The first non-empty line of the command's stderr, for the message. */
static void first_line(const struct sl_buf *b, char *out, size_t outlen)
{
  const char *p = b->data, *e;
  while(*p == '\n' || *p == '\r' || *p == ' ')
    p++;
  e = p + strcspn(p, "\r\n");
  snprintf(out, outlen, "%.*s", (int)(e - p), p);
}

enum sl_result sl_creds_from_process(const char *command, long timeout_ms,
                                     struct sl_creds *out, struct sl_error *err)
{
  int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
  struct sl_buf so, se;
  pid_t pid = -1;
  int rc, st = 0;
  char line[512];
  enum sl_result r;
  memset(&so, 0, sizeof(so));
  memset(&se, 0, sizeof(se));
  r = sl_buf_init(&so, SL_CREDS_MAX_ANSWER);
  if(!r) r = sl_buf_init(&se, MAX_STDERR);
  if(r)
    r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  else if(pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC))
    r = sl_error_set(err, SL_E_IO, NULL, "credential_process: pipe: %s", strerror(errno));
  if(!r && (rc = spawn(command, outp[1], errp[1], &pid)) != 0)
    r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "credential_process: cannot run /bin/sh: %s",
                     strerror(rc));
  /* Our copies of the write ends must go, or EOF never comes. */
  if(outp[1] >= 0)
    close(outp[1]);
  if(errp[1] >= 0)
    close(errp[1]);
  if(!r) {
    r = collect(outp[0], errp[0], timeout_ms, &so, &se);
    if(r)
      kill(-pid, SIGKILL);
    st = reap(pid);
    if(r == SL_E_TIMEOUT)
      sl_error_set(err, r, NULL, "credential_process did not finish within %ld ms", timeout_ms);
    else if(r == SL_E_TOO_LARGE)
      sl_error_set(err, r, NULL, "credential_process wrote more than %u bytes",
                   SL_CREDS_MAX_ANSWER);
    else if(r)
      sl_error_set(err, r, NULL, "credential_process: cannot read its output");
    else if(st < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
      first_line(&se, line, sizeof(line));
      if(st >= 0 && WIFSIGNALED(st))
        r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "credential_process killed by signal %d%s%s",
                         WTERMSIG(st), line[0] ? ": " : "", line);
      else
        r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "credential_process exited with status "
                         "%d%s%s", st < 0 ? -1 : WEXITSTATUS(st), line[0] ? ": " : "", line);
    }
    else
      r = sl_creds_from_json(so.data, so.len, "SessionToken", 1, "process",
                             "credential_process", out, err);
  }
  if(outp[0] >= 0)
    close(outp[0]);
  if(errp[0] >= 0)
    close(errp[0]);
  sl_buf_cleanup_secret(&so);
  sl_buf_cleanup(&se);
  return r;
}
