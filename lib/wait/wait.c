/* wait.c: race-free waiting on service states: subscribe to events, then read status. */

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/tai.h>
#include <skalibs/iopause.h>
#include <skalibs/djbunix.h>
#include <tend/status.h>
#include <tend/svok.h>
#include <tend/event.h>
#include <tend/wait.h>

/* Peers without an event directory are polled at this interval. */
#define POLL_MS 20
/* How often a waiter checks that its FIFO is still there (a safety net, not the wake-up). */
#define FIFOCHECK_MS 1000

int tend_wait_validstate (char c)
{
  return c == 'u' || c == 'U' || c == 'd' || c == 'D' || c == 'r' ;
}

char const *tend_wait_statename (char c)
{
  switch (c)
  {
    case 'u' : return "up" ;
    case 'U' : return "up and ready" ;
    case 'd' : return "down" ;
    case 'D' : return "down with finish done" ;
    case 'r' : return "restarted" ;
    default : return "?" ;
  }
}

static int isup (tend_status_t const *st)
{
  if (!st->pid || st->runstate != 1) return 0 ;
  /* ours: the exec must be confirmed, and a service being stopped is on its way down */
  if (st->version) return st->state == TEND_STATE_UP || st->state == TEND_STATE_READY ;
  return 1 ;
}

int tend_wait_satisfied (tend_status_t const *st, char state, uint32_t pid0)
{
  switch (state)
  {
    case 'u' : return isup(st) ;
    /* daemontools and runit know no readiness: up is as ready as they get */
    case 'U' : return isup(st) && (!st->version || st->state == TEND_STATE_READY) ;
    case 'd' : return st->runstate != 1 ;
    case 'D' : return st->runstate == 0 && (!st->version || st->state != TEND_STATE_FINISHING) ;
    case 'r' : return isup(st) && st->pid != pid0 ;
    default : return 0 ;
  }
}

static void setwhy (tend_waiter_t *w, char const *s)
{
  size_t n = strlen(s) ;
  if (n >= sizeof w->why) n = sizeof w->why - 1 ;
  memcpy(w->why, s, n) ; w->why[n] = 0 ;
}

static void subscribe (tend_waiter_t *w)
{
  struct stat st ;
  w->wfd = -1 ;
  w->fd = tend_event_subscribe(w->dir, w->fifo) ;
  if (w->fd < 0) { w->fifo[0] = 0 ; return ; }
  w->wfd = open(w->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
  if (fstat(w->fd, &st) == 0) { w->dev = st.st_dev ; w->ino = st.st_ino ; }
}

static void unsubscribe (tend_waiter_t *w)
{
  if (w->fd >= 0) fd_close(w->fd) ;
  if (w->wfd >= 0) fd_close(w->wfd) ;
  if (w->fifo[0]) unlink(w->fifo) ;
  w->fd = w->wfd = -1 ;
  w->fifo[0] = 0 ;
}

/* Is our FIFO still the one in the event dir? */
static int stillthere (tend_waiter_t const *w)
{
  struct stat st ;
  return stat(w->fifo, &st) == 0 && st.st_dev == w->dev && st.st_ino == w->ino ;
}

/* For a daemon that watches events in its own loop (svscan's critical watch): the subscription
   alone, and its end. */
int tend_wait_subscribe (tend_waiter_t *w)
{
  subscribe(w) ;
  if (w->fd < 0) return 0 ;
  /* without our own writer the FIFO reads end-of-file whenever supervise has it closed, and
     a loop polling it would spin */
  if (w->wfd < 0)
  {
    int e = errno ;
    unsubscribe(w) ;
    errno = e ;
    return 0 ;
  }
  return 1 ;
}

void tend_wait_unsubscribe (tend_waiter_t *w)
{
  unsubscribe(w) ;
}

void tend_wait_prepare (tend_waiter_t *w, unsigned int n)
{
  for (unsigned int i = 0 ; i < n ; i++)
  {
    tend_status_t st ;
    w[i].result = TEND_WAIT_PENDING ;
    w[i].why[0] = 0 ;
    subscribe(w + i) ;
    w[i].pid0 = tend_status_read(w[i].dir, &st) > 0 ? st.pid : 0 ;
  }
}

/* Did supervise announce, after we subscribed, that the service reached state? The status file
   shows only the latest state: a service that went down and came straight back (svc -t, a
   crash restarted at once) is up again by the time we read it, and only the event saw it down. */
static int announced (char state, char const *events, size_t nev)
{
  switch (state)
  {
    case 'u' : return memchr(events, TEND_EVENT_UP, nev) || memchr(events, TEND_EVENT_READY, nev) ;
    case 'U' : return !!memchr(events, TEND_EVENT_READY, nev) ;
    case 'd' : return !!memchr(events, TEND_EVENT_DOWN, nev) ;
    case 'D' : return !!memchr(events, TEND_EVENT_FINISHED, nev) ;
    /* restarted keeps comparing pids: an up announced between our subscription and the read of
       the first pid would otherwise pass for a restart */
    default : return 0 ;
  }
}

/* Re-evaluates one service. Sets result; never goes back from a final result.
   A supervisor that is not there yet is waited for (run scripts wait on their peers while
   svscan is still starting them); one that announced its exit ('x') is not. */
static void evaluate (tend_waiter_t *w, char state, char const *events, size_t nev)
{
  tend_status_t st ;
  int r, alive ;
  if (w->result != TEND_WAIT_PENDING) return ;
  if (announced(state, events, nev)) { w->result = TEND_WAIT_REACHED ; return ; }
  r = tend_status_read(w->dir, &st) ;
  if (r > 0 && tend_wait_satisfied(&st, state, w->pid0)) { w->result = TEND_WAIT_REACHED ; return ; }
  alive = tend_svok(w->dir) ;
  if (state == 'd' || state == 'D')
  {
    /* nothing supervised runs without a supervisor, unless its last status says otherwise */
    if (alive == 0 && (r <= 0 || st.runstate == 0)) w->result = TEND_WAIT_REACHED ;
    return ;
  }
  /* waiting for up, ready or restarted: a failure for good or a supervisor leaving ends hope */
  if (memchr(events, TEND_EVENT_FAILED, nev) || (alive > 0 && r > 0 && st.version && st.state == TEND_STATE_FAILED))
  {
    w->result = TEND_WAIT_NEVER ; setwhy(w, "failed for good") ; return ;
  }
  if (memchr(events, TEND_EVENT_EXIT, nev))
  {
    w->result = TEND_WAIT_NEVER ; setwhy(w, "supervise exited") ; return ;
  }
}

static int decided (tend_waiter_t const *w, unsigned int n, int any, int *ok)
{
  unsigned int reached = 0, never = 0 ;
  for (unsigned int i = 0 ; i < n ; i++)
  {
    if (w[i].result == TEND_WAIT_REACHED) reached++ ;
    else if (w[i].result == TEND_WAIT_NEVER) never++ ;
  }
  if (any)
  {
    if (reached) { *ok = 1 ; return 1 ; }
    if (never == n) { *ok = 0 ; return 1 ; }
    return 0 ;
  }
  if (never) { *ok = 0 ; return 1 ; }
  if (reached == n) { *ok = 1 ; return 1 ; }
  return 0 ;
}

int tend_wait_run (tend_waiter_t *w, unsigned int n, char state, int any, tain const *deadline)
{
  iopause_fd x[n ? n : 1] ;
  unsigned int idx[n ? n : 1] ;
  int ok = 0 ;
  tain fifocheck ;
  tain_now_g() ;
  {
    tain t ;
    tain_from_millisecs(&t, FIFOCHECK_MS) ;
    tain_add_g(&fifocheck, &t) ;
  }
  for (unsigned int i = 0 ; i < n ; i++) evaluate(w + i, state, "", 0) ;
  while (!decided(w, n, any, &ok))
  {
    unsigned int m = 0, polled = 0 ;
    tain dl ;
    int r ;
    for (unsigned int i = 0 ; i < n ; i++)
    {
      if (w[i].result != TEND_WAIT_PENDING) continue ;
      if (w[i].fd >= 0) { x[m].fd = w[i].fd ; x[m].events = IOPAUSE_READ ; idx[m++] = i ; }
      else polled = 1 ;
    }
    if (deadline) dl = *deadline ; else tain_add_g(&dl, &tain_infinite_relative) ;
    if (polled)
    {
      tain p, t ;
      tain_from_millisecs(&t, POLL_MS) ;
      tain_add_g(&p, &t) ;
      if (tain_less(&p, &dl)) dl = p ;
    }
    if (m && tain_less(&fifocheck, &dl)) dl = fifocheck ;
    r = iopause_g(x, m, &dl) ;
    if (r < 0) { if (errno == EINTR) continue ; break ; }
    if (!r)
    {
      if (deadline && !tain_future(deadline)) break ;
      if (!tain_future(&fifocheck))
      {
        tain t ;
        /* someone removed our FIFO: subscribe again, then look again (still race-free) */
        for (unsigned int i = 0 ; i < n ; i++)
          if (w[i].result == TEND_WAIT_PENDING && w[i].fd >= 0 && !stillthere(w + i))
          {
            unsubscribe(w + i) ;
            subscribe(w + i) ;
            evaluate(w + i, state, "", 0) ;
          }
        tain_from_millisecs(&t, FIFOCHECK_MS) ;
        tain_add_g(&fifocheck, &t) ;
      }
      for (unsigned int i = 0 ; i < n ; i++)
        if (w[i].result == TEND_WAIT_PENDING && w[i].fd < 0)
        {
          /* its supervisor may have appeared since: subscribe, so we stop polling */
          subscribe(w + i) ;
          evaluate(w + i, state, "", 0) ;
        }
      continue ;
    }
    for (unsigned int j = 0 ; j < m ; j++)
    {
      char buf[64] ;
      ssize_t k ;
      if (!(x[j].revents & (IOPAUSE_READ | IOPAUSE_EXCEPT))) continue ;
      k = read(x[j].fd, buf, sizeof buf) ;
      if (k < 0 && errno == EAGAIN) continue ;
      if (k <= 0)
      {
        /* cannot happen while we hold a writer; be safe and poll from now on */
        unsubscribe(w + idx[j]) ;
        evaluate(w + idx[j], state, "", 0) ;
        continue ;
      }
      evaluate(w + idx[j], state, buf, (size_t)k) ;
    }
  }
  for (unsigned int i = 0 ; i < n ; i++) unsubscribe(w + i) ;
  return ok ;
}
