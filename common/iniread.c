/* iniread.c — feeds inih one line at a time, counting lines, and passes values
 * too long for its fixed line buffer around it through a side table. */
#include "common/iniread.h"
#include "sluice/buf.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#define LONG_MARK '\x01'

struct ini_state {
  const char *text;
  size_t pos;
  int line;
  int at_line_start;
  char **longs;        /* values held back from inih */
  size_t nlongs;
  int oom;
  sl_ini_handler fn;
  void *user;
};

/* The value part of "key = value ; comment", trimmed, as inih would give it. */
static char *long_value(const char *eq, const char *end)
{
  const char *s = eq + 1, *e = end, *c;
  while(s < e && isspace((unsigned char)*s))
    s++;
  for(c = s; c < e; c++)
    if(*c == ';' && c > s && isspace((unsigned char)c[-1])) {
      e = c;
      break;
    }
  while(e > s && isspace((unsigned char)e[-1]))
    e--;
  return sl_strndup(s, (size_t)(e - s));
}

/* A "[name]" line is told to the handler with no key, as inih would with
 * INI_CALL_HANDLER_ON_NEW_SECTION (Debian's build has it off): so a section
 * given twice, or given with no keys, is seen. */
static void section_line(struct ini_state *st, const char *line, size_t len)
{
  const char *s = line, *e = line + len, *close;
  char name[256];
  while(s < e && isspace((unsigned char)*s))
    s++;
  if(s == e || *s != '[' || !(close = memchr(s, ']', (size_t)(e - s))) ||
     (size_t)(close - s - 1) >= sizeof(name))
    return;
  memcpy(name, s + 1, (size_t)(close - s - 1));
  name[close - s - 1] = '\0';
  st->fn(st->user, name, NULL, NULL, st->line);
}

static char *reader(char *str, int num, void *stream)
{
  struct ini_state *st = stream;
  const char *line = st->text + st->pos, *end;
  size_t len;
  if(!*line)
    return NULL;
  end = strchr(line, '\n');
  len = end ? (size_t)(end - line) + 1 : strlen(line);
  st->line++;
  section_line(st, line, len);
  if(len + 1 <= (size_t)num) {
    memcpy(str, line, len);
    str[len] = 0;
    st->pos += len;
    return str;
  }
  {
    /* Too long for inih: keep the key, park the value. */
    const char *eq = memchr(line, '=', len);
    size_t klen = eq ? (size_t)(eq - line) : 0;
    char **nl;
    char *v;
    st->pos += len;
    if(!eq || klen + 16 > (size_t)num) {
      /* Not a key line inih could read anyway: let it report the line. */
      memcpy(str, "\x02 not ini\n", 11);
      return str;
    }
    v = long_value(eq, line + len);
    nl = realloc(st->longs, (st->nlongs + 1) * sizeof(*nl));
    if(!v || !nl) {
      free(v);
      if(nl)
        st->longs = nl;
      st->oom = 1;
      return NULL;
    }
    st->longs = nl;
    st->longs[st->nlongs] = v;
    memcpy(str, line, klen);
    str[klen] = '=';
    str[klen + 1] = LONG_MARK;
    snprintf(str + klen + 2, (size_t)num - klen - 2, "%zu\n", st->nlongs);
    st->nlongs++;
    return str;
  }
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
  struct ini_state *st = user;
  if(value && value[0] == LONG_MARK) {
    size_t i = strtoul(value + 1, NULL, 10);
    if(i < st->nlongs)
      value = st->longs[i];
  }
  return st->fn(st->user, section, key, value, st->line);
}

int sl_ini_parse(const char *text, int nested, sl_ini_handler fn, void *user)
{
  struct ini_state st;
  size_t i;
  int rc;
  memset(&st, 0, sizeof(st));
  st.text = text;
  st.fn = fn;
  st.user = user;
  ini_allow_multiline = !nested;
  rc = ini_parse_stream(reader, &st, handler, &st);
  ini_allow_multiline = true;
  for(i = 0; i < st.nlongs; i++)
    sl_free_secret(st.longs[i]);
  free(st.longs);
  return st.oom ? -1 : rc;
}
