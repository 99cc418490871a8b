/* dec_pipe.h — a decompressor on a thread of its own (dec_pipe.c): the
 * caller's thread queues copies of the compressed bytes and receives the
 * decompressed pieces, in order, on its own thread, while the next ones are
 * being inflated. The records and messages are those of the inline decoder;
 * only when they arrive moves. Not installed. */
#ifndef SL_DEC_PIPE_H
#define SL_DEC_PIPE_H

#include <stddef.h>

#include "sluice/buf.h"
#include "inflate.h"

/* The codec's own feed and finish, as gunzip.c, unzip.c and snappy.c have them. */
typedef enum sl_result (*sl_dec_pipe_feed)(void *codec, const unsigned char *p, size_t n,
                                          sl_inflate_sink sink, void *ctx);
typedef enum sl_result (*sl_dec_pipe_finish)(void *codec);

#define SL_DEC_PIPE_IN_MAX (1024u * 1024u) /* compressed bytes queued at most */
#define SL_DEC_PIPE_OUT_SIZE (128u * 1024u)
#define SL_DEC_PIPE_OUT_SLOTS 4u

struct sl_dec_pipe;

/* NULL when out of memory or no thread could be started. */
struct sl_dec_pipe *sl_dec_pipe_new(sl_dec_pipe_feed feed, sl_dec_pipe_finish finish, void *codec);
/* Queues a copy of p[0..n) and hands what is decompressed so far to sink.
 * Returns the codec's failure once everything before it was handed over;
 * SL_OK while decoding goes on or after sink asked to stop. */
enum sl_result sl_dec_pipe_push(struct sl_dec_pipe *pp, const unsigned char *p, size_t n,
                                sl_inflate_sink sink, void *ctx);
/* End of input: hands over the rest, then returns the codec's finish(). */
enum sl_result sl_dec_pipe_end(struct sl_dec_pipe *pp, sl_inflate_sink sink, void *ctx);
/* Stops the thread (if still running) and frees; the codec is the caller's. */
void sl_dec_pipe_free(struct sl_dec_pipe *pp);
/* Bytes of buffers it holds at most, for peak_buffer. */
size_t sl_dec_pipe_held(void);

#endif
