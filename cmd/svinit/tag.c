/* tag.c: a one-shot's stdout and stderr as whole lines on our stdout, each tagged with its
   name in the format SVINIT_LOG_FORMAT chose. Every write is whole records, at most PIPE_BUF
   bytes, so lines of concurrent writers (svscan's services later) never cut into each other. */

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <skalibs/strerr.h>
#include "svinit.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if it is not one: JSON must be
   UTF-8, so anything else is replaced, never passed through */
static size_t utf8_seq (unsigned char const *s, size_t n)
{
  unsigned char c = s[0] ;
  size_t len, i ;
  unsigned int cp ;
  if (c < 0x80) return 1 ;
  if (c >= 0xc2 && c <= 0xdf) { len = 2 ; cp = c & 0x1f ; }
  else if (c >= 0xe0 && c <= 0xef) { len = 3 ; cp = c & 0x0f ; }
  else if (c >= 0xf0 && c <= 0xf4) { len = 4 ; cp = c & 0x07 ; }
  else return 0 ;
  if (n < len) return 0 ;
  for (i = 1 ; i < len ; i++)
  {
    if ((s[i] & 0xc0) != 0x80) return 0 ;
    cp = (cp << 6) | (s[i] & 0x3f) ;
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0 ;
  if (cp >= 0xd800 && cp <= 0xdfff) return 0 ;
  return len ;
}

static size_t stamp (char *out)
{
  struct timespec ts ;
  struct tm tm ;
  size_t n ;
  clock_gettime(CLOCK_REALTIME, &ts) ;
  gmtime_r(&ts.tv_sec, &tm) ;
  n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm) ;
  {
    long us = ts.tv_nsec / 1000 ;
    out[n++] = '.' ;
    for (int i = 5 ; i >= 0 ; i--) { out[n + (size_t)i] = '0' + (char)(us % 10) ; us /= 10 ; }
    n += 6 ;
    out[n++] = 'Z' ;
  }
  return n ;
}

static size_t cat (char *out, size_t pos, char const *s)
{
  size_t n = strlen(s) ;
  memcpy(out + pos, s, n) ;
  return pos + n ;
}

/* Formats as much of line[0..len) as fits in one PIPE_BUF record into out; *used gets the
   bytes taken. cont: this piece continues a cut line (the marker: "+" for "|", "cont":true). */
static size_t format_piece (char *out, char const *tag, int stream, char const *line, size_t len, int cont, size_t *used)
{
  size_t pos = 0, i = 0 ;
  size_t const max = PIPE_BUF ;
  if (conf.format == SVINIT_FMT_JSON)
  {
    size_t const room = max - 16 ;  /* the closing "}\n" and a possible ,"cont":true */
    pos = cat(out, pos, "{\"time\":\"") ;
    pos += stamp(out + pos) ;
    pos = cat(out, pos, "\",\"service\":\"") ;
    /* a name is file-name bytes: quotes escaped, anything outside printable ASCII replaced */
    for (char const *t = tag ; *t ; t++)
    {
      unsigned char c = (unsigned char)*t ;
      if (c == '"' || c == '\\') { out[pos++] = '\\' ; out[pos++] = (char)c ; }
      else if (c < 0x20 || c >= 0x80) out[pos++] = '?' ;
      else out[pos++] = (char)c ;
    }
    pos = cat(out, pos, stream == 2 ? "\",\"stream\":\"stderr\",\"line\":\"" : "\",\"stream\":\"stdout\",\"line\":\"") ;
    while (i < len)
    {
      unsigned char c = (unsigned char)line[i] ;
      size_t seq ;
      if (pos + 7 > room) break ;
      if (c == '"' || c == '\\') { out[pos++] = '\\' ; out[pos++] = (char)c ; i++ ; continue ; }
      if (c == '\t') { pos = cat(out, pos, "\\t") ; i++ ; continue ; }
      if (c == '\r') { pos = cat(out, pos, "\\r") ; i++ ; continue ; }
      if (c < 0x20 || c == 0x7f)
      {
        static char const hex[] = "0123456789abcdef" ;
        pos = cat(out, pos, "\\u00") ;
        out[pos++] = hex[c >> 4] ; out[pos++] = hex[c & 15] ;
        i++ ; continue ;
      }
      seq = utf8_seq((unsigned char const *)line + i, len - i) ;
      if (!seq)
      {
        /* a cut at the end of the buffer may split a character: replaced, like any bad byte */
        pos = cat(out, pos, "\\ufffd") ; i++ ; continue ;
      }
      memcpy(out + pos, line + i, seq) ; pos += seq ; i += seq ;
    }
    out[pos++] = '"' ;
    if (cont) pos = cat(out, pos, ",\"cont\":true") ;
    pos = cat(out, pos, "}\n") ;
  }
  else
  {
    size_t room ;
    if (conf.format == SVINIT_FMT_STAMPED) { pos += stamp(out) ; out[pos++] = ' ' ; }
    if (conf.format != SVINIT_FMT_PLAIN)
    {
      size_t tl = strlen(tag) ;
      if (tl > 256) tl = 256 ;
      memcpy(out + pos, tag, tl) ; pos += tl ;
      pos = cat(out, pos, cont ? " + " : " | ") ;
    }
    else if (cont) pos = cat(out, pos, "+ ") ;
    room = max - pos - 1 ;
    i = len < room ? len : room ;
    memcpy(out + pos, line, i) ; pos += i ;
    out[pos++] = '\n' ;
  }
  *used = i ;
  return pos ;
}

/* Formatted records wait here and go out together in one write of at most PIPE_BUF bytes:
   whole records only, so a write is still atomic and lines of concurrent writers never cut
   into each other, but a flood of short lines costs one write per 4 KiB, not one per line
   (the one-write-per-line version ran at 8 MB/s where supervisord ran at 120). */
typedef struct out_s out_t ;
struct out_s { int fd ; size_t len ; char *buf ; } ;

/* Blocks until the output takes it all. The output may be non-blocking without our say: it
   is the container's stdout, whose open file the main command shares, and node.js (among
   others) sets O_NONBLOCK on its stdout. A full pipe then answers EAGAIN, never a part of a
   write of at most PIPE_BUF bytes: wait for room and write it again, never drop it. */
static void out_flush (out_t *o)
{
  size_t w = 0 ;
  while (w < o->len)
  {
    ssize_t r = write(o->fd, o->buf + w, o->len - w) ;
    if (r >= 0) { w += (size_t)r ; continue ; }
    if (errno == EINTR) continue ;
    if (errno == EAGAIN)
    {
      struct pollfd p = { .fd = o->fd, .events = POLLOUT } ;
      if (poll(&p, 1, -1) >= 0 || errno == EINTR) continue ;
    }
    if (errno != EPIPE) strerr_warnwusys("write to std", o->fd == 1 ? "out" : "err") ;
    break ;
  }
  o->len = 0 ;
}

/* One line (without its newline), in as many records as it takes. Blocks when the
   container's stdout is slow: back-pressure, never loss. */
static void emit (out_t *o, char const *tag, int stream, char const *line, size_t len, int cont)
{
  char rec[PIPE_BUF] ;
  do
  {
    size_t used ;
    size_t n = format_piece(rec, tag, stream, line, len, cont, &used) ;
    if (o->len + n > PIPE_BUF) out_flush(o) ;
    memcpy(o->buf + o->len, rec, n) ; o->len += n ;
    line += used ; len -= used ; cont = 1 ;
  } while (len) ;
}

/* The whole lines of buf into o; a full buffer without a newline goes out as a cut piece */
static void tag_flush (out_t *o, char const *tag, int stream, size_t *len, int *cont, char *buf, size_t max)
{
  size_t start = 0 ;
  for (;;)
  {
    char *nl = memchr(buf + start, '\n', *len - start) ;
    if (!nl) break ;
    emit(o, tag, stream, buf + start, (size_t)(nl - (buf + start)), *cont) ;
    *cont = 0 ;
    start = (size_t)(nl - buf) + 1 ;
  }
  if (!start && *len == max)
  {
    /* a line longer than the buffer: out in pieces, the next ones marked */
    emit(o, tag, stream, buf, *len, *cont) ;
    *cont = 1 ; *len = 0 ;
  }
  else
  {
    memmove(buf, buf + start, *len - start) ;
    *len -= start ;
  }
}

/* Until both streams end; with drain (the logger, whose FIFO never ends), until stdout ends,
   then what the FIFO holds at that moment. Records are held back only while more input is
   known to be waiting: a read that filled the buffer leaves its output pending, and while
   anything is pending poll does not wait; when nothing is readable, or a read came up short
   (the pipe is empty), what is pending goes out, so no line waits for the next one. */
void svinit_tag_pipes (char const *tag, int fdout, int fderr, int drain)
{
  /* The buffers are apart from the small fields, in bss: a quiet service's logger touches
     none of their pages (Pss counts only pages touched), a busy one as many as it fills. */
  static char inbuf[2][SVINIT_LINEMAX], outbuf[2][PIPE_BUF] ;
  struct stream_s { int fd ; size_t len ; int cont ; char *buf ; } st[2] =
  {
    { .fd = fdout, .len = 0, .cont = 0, .buf = inbuf[0] },
    { .fd = fderr, .len = 0, .cont = 0, .buf = inbuf[1] }
  } ;
  /* text keeps the stream (docker logs tells them apart); JSON says it in the record */
  out_t out[2] = { { .fd = 1, .len = 0, .buf = outbuf[0] },
                   { .fd = conf.format == SVINIT_FMT_JSON ? 1 : 2, .len = 0, .buf = outbuf[1] } } ;
  while (st[0].fd >= 0 || st[1].fd >= 0)
  {
    struct pollfd p[2] = { { .fd = st[0].fd, .events = POLLIN }, { .fd = st[1].fd, .events = POLLIN } } ;
    int r = poll(p, 2, out[0].len || out[1].len ? 0 : -1) ;
    if (r < 0)
    {
      if (errno == EINTR) continue ;
      strerr_diefusys(111, "poll") ;
    }
    if (!r) { out_flush(out) ; out_flush(out + 1) ; continue ; }
    for (int k = 0 ; k < 2 ; k++)
    {
      struct stream_s *s = st + k ;
      size_t want = SVINIT_LINEMAX - s->len ;
      ssize_t r ;
      if (s->fd < 0 || !(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue ;
      r = read(s->fd, s->buf + s->len, want) ;
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue ;
      if (r <= 0)
      {
        /* end of the stream: an unfinished last line still goes out, whole */
        if (s->len) emit(out + k, tag, k + 1, s->buf, s->len, s->cont) ;
        out_flush(out + k) ;
        s->len = 0 ; s->fd = -1 ;
        if (drain && !k && st[1].fd >= 0)
        {
          /* the FIFO is non-blocking: read it dry, then leave */
          for (;;)
          {
            ssize_t n = read(st[1].fd, st[1].buf + st[1].len, SVINIT_LINEMAX - st[1].len) ;
            if (n < 0 && errno == EINTR) continue ;
            if (n <= 0) break ;
            st[1].len += (size_t)n ;
            tag_flush(out + 1, tag, 2, &st[1].len, &st[1].cont, st[1].buf, SVINIT_LINEMAX) ;
          }
          if (st[1].len) emit(out + 1, tag, 2, st[1].buf, st[1].len, st[1].cont) ;
          out_flush(out + 1) ;
          return ;
        }
        continue ;
      }
      s->len += (size_t)r ;
      tag_flush(out + k, tag, k + 1, &s->len, &s->cont, s->buf, SVINIT_LINEMAX) ;
      /* a short read emptied the pipe: nothing more to batch with */
      if ((size_t)r < want) out_flush(out + k) ;
    }
  }
  out_flush(out) ; out_flush(out + 1) ;
}
