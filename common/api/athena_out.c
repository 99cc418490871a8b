/* athena_out.c — Athena results as inspect query prints them: NDJSON typed
 * by the column types, RFC 4180 CSV, or an aligned table for a terminal.
 * The service client never prints; this only appends to the caller's
 * buffer. */
#include "sluice/athena.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum kind { KIND_TEXT, KIND_NUMBER, KIND_BOOL };

struct sl_athena_out_state {
  enum sl_athena_format fmt;
  struct sl_buf *out;
  int have_columns;
  int finished;
  size_t ncols;
  char **names;
  unsigned char *kind;
  size_t rows;
  /* TABLE: the display text of every cell, header first, NUL-terminated,
   * bounded by out's maximum (the table will not be smaller). */
  struct sl_buf cells;
  size_t *at; /* offset of each cell in cells */
  size_t nat, capat;
  size_t *width; /* code points, per column */
};

#define ELLIPSIS "\xe2\x80\xa6"

/* ---- Text helpers ---- */

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlongs,
 * no surrogates, nothing past U+10FFFF), or 0; the same rules as the JSON
 * writers of the records layer. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
  unsigned char c = p[0], lo = 0x80, hi = 0xbf;
  size_t len, i;
  if(c < 0xc2 || c > 0xf4)
    return 0;
  if(c < 0xe0)
    len = 2;
  else if(c < 0xf0) {
    len = 3;
    if(c == 0xe0)
      lo = 0xa0;
    else if(c == 0xed)
      hi = 0x9f;
  }
  else {
    len = 4;
    if(c == 0xf0)
      lo = 0x90;
    else if(c == 0xf4)
      hi = 0x8f;
  }
  if(n < len || p[1] < lo || p[1] > hi)
    return 0;
  for(i = 2; i < len; i++)
    if(p[i] < 0x80 || p[i] > 0xbf)
      return 0;
  return len;
}

/* A JSON string literal: well-formed UTF-8 copied, every other byte
 * >= 0x80 as \ufffd, controls escaped, so the line is always valid JSON. */
static enum sl_result json_string(struct sl_buf *b, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s), i = 0, run = 0, k;
  enum sl_result r = sl_buf_addc(b, '"');
  while(!r && i < n) {
    unsigned char c = p[i];
    char esc[6] = { '\\', 0, 0, 0, 0, 0 };
    size_t elen = 2;
    if(c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      i++;
      continue;
    }
    if(c >= 0x80 && (k = utf8_len(p + i, n - i))) {
      i += k;
      continue;
    }
    if(i > run)
      r = sl_buf_add(b, p + run, i - run);
    esc[1] = c == '"' || c == '\\' ? (char)c : c == '\b' ? 'b' : c == '\f' ? 'f' :
             c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : 'u';
    if(esc[1] == 'u') {
      memcpy(esc + 2, c >= 0x80 ? "fffd" : "00", c >= 0x80 ? 4 : 2);
      if(c < 0x80) {
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
      }
      elen = 6;
    }
    if(!r)
      r = sl_buf_add(b, esc, elen);
    run = ++i;
  }
  if(!r && i > run)
    r = sl_buf_add(b, p + run, i - run);
  if(!r)
    r = sl_buf_addc(b, '"');
  return r;
}

static int digit(char c)
{
  return c >= '0' && c <= '9';
}

/* RFC 8259's number grammar: what may go into the line unquoted. */
static int json_number(const char *p)
{
  p += *p == '-';
  if(*p == '0')
    p++;
  else if(digit(*p))
    while(digit(*p))
      p++;
  else
    return 0;
  if(*p == '.') {
    if(!digit(*++p))
      return 0;
    while(digit(*p))
      p++;
  }
  if(*p == 'e' || *p == 'E') {
    p++;
    p += *p == '+' || *p == '-';
    if(!digit(*p))
      return 0;
    while(digit(*p))
      p++;
  }
  return !*p;
}

static enum kind kind_of(const char *type)
{
  static const char *const numbers[] = { "tinyint", "smallint", "integer", "int", "bigint",
                                         "real", "double", "float", "decimal" };
  size_t i, n;
  for(i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
    n = strlen(numbers[i]);
    if(!strncasecmp(type, numbers[i], n) && (!type[n] || type[n] == '('))
      return KIND_NUMBER;
  }
  return strcasecmp(type, "boolean") ? KIND_TEXT : KIND_BOOL;
}

/* ---- NDJSON and CSV ---- */

static enum sl_result ndjson_row(struct sl_athena_out_state *s, const char *const *v)
{
  enum sl_result r = sl_buf_addc(s->out, '{');
  size_t i;
  for(i = 0; !r && i < s->ncols; i++) {
    if(i) r = sl_buf_addc(s->out, ',');
    if(!r) r = json_string(s->out, s->names[i]);
    if(!r) r = sl_buf_addc(s->out, ':');
    if(r)
      break;
    if(!v[i])
      r = sl_buf_adds(s->out, "null");
    else if(s->kind[i] == KIND_NUMBER && json_number(v[i]))
      r = sl_buf_adds(s->out, v[i]);
    else if(s->kind[i] == KIND_BOOL && (!strcmp(v[i], "true") || !strcmp(v[i], "false")))
      r = sl_buf_adds(s->out, v[i]);
    else
      r = json_string(s->out, v[i]);
  }
  if(!r) r = sl_buf_adds(s->out, "}\n");
  return r;
}

/* One field; NULL is empty, the empty string "" so the two differ. */
static enum sl_result csv_field(struct sl_buf *b, const char *v)
{
  enum sl_result r = SL_OK;
  const char *p;
  if(!v)
    return SL_OK;
  if(v[0] && !strpbrk(v, ",\"\r\n"))
    return sl_buf_adds(b, v);
  r = sl_buf_addc(b, '"');
  for(p = v; !r && *p; p++)
    r = *p == '"' ? sl_buf_add(b, "\"\"", 2) : sl_buf_addc(b, *p);
  if(!r) r = sl_buf_addc(b, '"');
  return r;
}

static enum sl_result csv_line(struct sl_buf *b, const char *const *v, size_t n)
{
  enum sl_result r = SL_OK;
  size_t i;
  for(i = 0; !r && i < n; i++) {
    if(i) r = sl_buf_addc(b, ',');
    if(!r) r = csv_field(b, v[i]);
  }
  if(!r) r = sl_buf_addc(b, '\n');
  return r;
}

/* ---- TABLE ---- */

/* Appends one cell as shown (see SL_ATHENA_TABLE) and its NUL, and widens
 * its column. A control shows as an escape, counted as its characters. */
static enum sl_result table_cell(struct sl_athena_out_state *s, size_t col, const char *v)
{
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)(v ? v : "NULL");
  size_t n = strlen((const char *)p), i = 0, start = s->cells.len, cut = 0, cps = 0, k;
  enum sl_result r = SL_OK;
  if(s->nat == s->capat) {
    size_t cap = s->capat ? 2 * s->capat : 64, *at = realloc(s->at, cap * sizeof(*at));
    if(!at)
      return SL_E_NOMEM;
    s->at = at;
    s->capat = cap;
  }
  while(!r && i < n && cps <= SL_ATHENA_CELL_MAX) {
    unsigned char c = p[i];
    char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
    if(cps < SL_ATHENA_CELL_MAX)
      cut = s->cells.len; /* where "…" goes when the cell is too long */
    if(c == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] < 0xa0) {
      /* C1 controls: some terminals take U+009B as the start of a sequence */
      esc[4] = hex[p[i + 1] >> 4];
      esc[5] = hex[p[i + 1] & 15];
      r = sl_buf_add(&s->cells, esc, 6);
      cps += 6;
      i += 2;
    }
    else if(c < 0x20 || c == 0x7f) {
      esc[1] = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : 'x';
      esc[2] = hex[c >> 4];
      esc[3] = hex[c & 15];
      k = esc[1] == 'x' ? 4 : 2;
      r = sl_buf_add(&s->cells, esc, k);
      cps += k;
      i++;
    }
    else if(c < 0x80 || (k = utf8_len(p + i, n - i))) {
      k = c < 0x80 ? 1 : k;
      r = sl_buf_add(&s->cells, p + i, k);
      cps++;
      i += k;
    }
    else {
      r = sl_buf_add(&s->cells, "\xef\xbf\xbd", 3);
      cps++;
      i++;
    }
  }
  if(!r && cps > SL_ATHENA_CELL_MAX) {
    s->cells.len = cut;
    r = sl_buf_adds(&s->cells, ELLIPSIS);
    /* cuts fall between whole escapes, so fewer than 59 may be left */
    for(cps = 1, k = start; k < cut; k++)
      cps += ((unsigned char)s->cells.data[k] & 0xc0) != 0x80;
  }
  if(!r) r = sl_buf_addc(&s->cells, 0);
  if(r) {
    s->cells.len = start;
    s->cells.data[start] = 0;
    return r;
  }
  s->at[s->nat++] = start;
  if(cps > s->width[col])
    s->width[col] = cps;
  return SL_OK;
}

static size_t code_points(const char *p)
{
  size_t n = 0;
  for(; *p; p++)
    n += ((unsigned char)*p & 0xc0) != 0x80;
  return n;
}

static enum sl_result pad(struct sl_buf *b, size_t n)
{
  enum sl_result r = SL_OK;
  while(!r && n--)
    r = sl_buf_addc(b, ' ');
  return r;
}

/* One line of the table from ncols cells starting at cell first. */
static enum sl_result table_line(struct sl_athena_out_state *s, size_t first)
{
  enum sl_result r = SL_OK;
  size_t i;
  for(i = 0; !r && i < s->ncols; i++) {
    const char *cell = s->cells.data + s->at[first + i];
    size_t gap = s->width[i] - code_points(cell);
    int right = s->kind[i] == KIND_NUMBER, last = i + 1 == s->ncols;
    if(i) r = sl_buf_add(s->out, "  ", 2);
    if(!r && right) r = pad(s->out, gap);
    if(!r) r = sl_buf_adds(s->out, cell);
    if(!r && !right && !last) r = pad(s->out, gap);
  }
  if(!r) r = sl_buf_addc(s->out, '\n');
  return r;
}

static enum sl_result table_write(struct sl_athena_out_state *s)
{
  enum sl_result r = SL_OK;
  size_t i, row;
  if(s->ncols) {
    r = table_line(s, 0);
    for(i = 0; !r && i < s->ncols; i++) {
      size_t w = s->width[i];
      if(i) r = sl_buf_add(s->out, "  ", 2);
      while(!r && w--)
        r = sl_buf_addc(s->out, '-');
    }
    if(!r) r = sl_buf_addc(s->out, '\n');
    for(row = 1; !r && row <= s->rows; row++)
      r = table_line(s, row * s->ncols);
  }
  if(!r) r = sl_buf_printf(s->out, "(%zu row%s)\n", s->rows, s->rows == 1 ? "" : "s");
  return r;
}

/* ---- The writer ---- */

static void drop_columns(struct sl_athena_out_state *s)
{
  size_t i;
  for(i = 0; s->names && i < s->ncols; i++)
    free(s->names[i]);
  free(s->names);
  free(s->kind);
  free(s->width);
  s->names = NULL;
  s->kind = NULL;
  s->width = NULL;
  s->ncols = 0;
  s->nat = 0;
  sl_buf_reset(&s->cells);
}

enum sl_result sl_athena_out_init(struct sl_athena_out *o, enum sl_athena_format fmt,
                                  struct sl_buf *out)
{
  enum sl_result r;
  o->s = NULL;
  if(fmt != SL_ATHENA_NDJSON && fmt != SL_ATHENA_CSV && fmt != SL_ATHENA_TABLE)
    return SL_E_INVALID;
  o->s = calloc(1, sizeof(*o->s));
  if(!o->s)
    return SL_E_NOMEM;
  o->s->fmt = fmt;
  o->s->out = out;
  r = sl_buf_init(&o->s->cells, out->max);
  if(r)
    sl_athena_out_cleanup(o);
  return r;
}

enum sl_result sl_athena_out_columns(struct sl_athena_out *o, const struct sl_athena_column *cols,
                                     size_t n)
{
  struct sl_athena_out_state *s = o->s;
  size_t start = s->out->len, i;
  const char **names = NULL;
  enum sl_result r = SL_OK;
  if(s->have_columns || s->finished)
    return SL_E_INVALID;
  s->names = calloc(n ? n : 1, sizeof(*s->names));
  s->kind = calloc(n ? n : 1, sizeof(*s->kind));
  s->width = calloc(n ? n : 1, sizeof(*s->width));
  names = calloc(n ? n : 1, sizeof(*names));
  if(!s->names || !s->kind || !s->width || !names)
    r = SL_E_NOMEM;
  for(i = 0; !r && i < n; i++) {
    s->names[i] = strdup(cols[i].name ? cols[i].name : "");
    s->kind[i] = (unsigned char)kind_of(cols[i].type ? cols[i].type : "");
    names[i] = s->names[i];
    s->ncols = i + 1; /* what cleanup frees */
    if(!s->names[i])
      r = SL_E_NOMEM;
  }
  if(!r && s->fmt == SL_ATHENA_CSV && n)
    r = csv_line(s->out, names, n);
  for(i = 0; !r && s->fmt == SL_ATHENA_TABLE && i < n; i++)
    r = table_cell(s, i, names[i]);
  free(names);
  if(r) {
    s->out->len = start;
    if(s->out->data)
      s->out->data[start] = 0;
    drop_columns(s);
    return r;
  }
  s->have_columns = 1;
  return SL_OK;
}

enum sl_result sl_athena_out_row(struct sl_athena_out *o, const char *const *values, size_t n)
{
  struct sl_athena_out_state *s = o->s;
  size_t start = s->out->len, nat = s->nat, clen = s->cells.len, i;
  enum sl_result r = SL_OK;
  if(!s->have_columns || s->finished || n != s->ncols)
    return SL_E_INVALID;
  if(s->fmt == SL_ATHENA_NDJSON)
    r = ndjson_row(s, values);
  else if(s->fmt == SL_ATHENA_CSV)
    r = csv_line(s->out, values, n);
  for(i = 0; !r && s->fmt == SL_ATHENA_TABLE && i < n; i++)
    r = table_cell(s, i, values[i]);
  if(r) {
    /* the row is all or nothing; widths may stay wider, which is harmless */
    s->out->len = start;
    if(s->out->data)
      s->out->data[start] = 0;
    s->nat = nat;
    s->cells.len = clen;
    s->cells.data[clen] = 0;
    return r;
  }
  s->rows++;
  return SL_OK;
}

enum sl_result sl_athena_out_finish(struct sl_athena_out *o)
{
  struct sl_athena_out_state *s = o->s;
  size_t start = s->out->len;
  enum sl_result r = SL_OK;
  if(s->finished)
    return SL_OK;
  if(s->fmt == SL_ATHENA_TABLE)
    r = table_write(s);
  if(r) {
    s->out->len = start;
    if(s->out->data)
      s->out->data[start] = 0;
    return r;
  }
  s->finished = 1;
  return SL_OK;
}

size_t sl_athena_out_rows(const struct sl_athena_out *o)
{
  return o->s ? o->s->rows : 0;
}

void sl_athena_out_cleanup(struct sl_athena_out *o)
{
  struct sl_athena_out_state *s = o->s;
  if(!s)
    return;
  drop_columns(s);
  free(s->at);
  sl_buf_cleanup(&s->cells);
  free(s);
  o->s = NULL;
}
