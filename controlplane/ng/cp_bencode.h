/*
 * cp_bencode: a strict, bounded bencode codec for the rtpengine "ng" protocol.
 *
 * Decoding fills a flat array of nodes the caller owns (no allocation): the
 * nodes are in document order, each container followed by its children, and
 * every node knows the index just past its subtree, so siblings are walked in
 * O(1). Strings are views into the input, which must outlive the document.
 *
 * What it accepts is bencode as real ng clients send it: dictionary keys in
 * any order (Kamailio's and OpenSIPS's modules do not sort them), but never a
 * key twice, never a non-string key, integers in canonical form only (no
 * leading zero, no "-0") within int64, string lengths in canonical form and
 * within the input, nesting at most CP_BENCODE_MAX_DEPTH deep, and exactly
 * one value with nothing after it.
 *
 * Encoding writes into a bounded buffer; running out of room is sticky and
 * reported once at the end (cp_bencode_buf_status), so a reply is built with
 * straight-line code and checked once.
 */
#ifndef CP_BENCODE_H
#define CP_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CP_BENCODE_MAX_DEPTH 32
#define CP_BENCODE_NONE      UINT32_MAX   /* "no such node" index */

enum cp_bencode_type {
	CP_BENCODE_INT = 1,
	CP_BENCODE_STR,
	CP_BENCODE_LIST,
	CP_BENCODE_DICT,
};

struct cp_bencode_node {
	uint8_t type;               /* enum cp_bencode_type */
	uint32_t end;               /* index just past this node's subtree */
	uint32_t count;             /* list: items; dict: key/value pairs */
	int64_t i;                  /* CP_BENCODE_INT */
	const char *s;              /* CP_BENCODE_STR: a view into the input */
	size_t len;
};

struct cp_bencode_doc {
	struct cp_bencode_node *nodes;  /* caller-owned, cap entries */
	uint32_t cap;
	uint32_t n;                     /* nodes used; node 0 is the root */
	bool unsorted;                  /* some dictionary's keys were out of order */
	size_t err_off;                 /* byte offset of the first error */
	char err[96];                   /* why decoding failed */
};

/**
 * Decode exactly one bencode value from p[0..len) into d->nodes.
 * d->nodes and d->cap must be set; everything else is filled in.
 * @return 0;
 *   -EBADMSG malformed input (d->err and d->err_off say what and where),
 *   -E2BIG more than d->cap nodes or deeper than CP_BENCODE_MAX_DEPTH,
 *   -EINVAL d has no node array.
 */
int cp_bencode_decode(struct cp_bencode_doc *d, const void *p, size_t len);

/** The first child of container idx, or CP_BENCODE_NONE when it is empty. */
uint32_t cp_bencode_child(const struct cp_bencode_doc *d, uint32_t idx);

/** The next sibling of idx inside parent, or CP_BENCODE_NONE after the last. */
uint32_t cp_bencode_next(const struct cp_bencode_doc *d, uint32_t parent, uint32_t idx);

/**
 * The value stored under key in dictionary dict.
 * @return its node index; CP_BENCODE_NONE when absent or dict is no dictionary.
 */
uint32_t cp_bencode_dict_get(const struct cp_bencode_doc *d, uint32_t dict, const char *key);

/** True when node idx is a byte string equal to the C string s. */
bool cp_bencode_str_eq(const struct cp_bencode_doc *d, uint32_t idx, const char *s);

/** A bounded output buffer; overflow is sticky. */
struct cp_bencode_buf {
	uint8_t *p;
	size_t cap;
	size_t len;
	int depth;          /* open containers */
	int err;            /* 0, -ENOSPC, or -EINVAL (unbalanced end) */
};

/** Start writing into mem[0..cap). */
void cp_bencode_buf_init(struct cp_bencode_buf *b, void *mem, size_t cap);

/*
 * The writers below never fail on their own: when something does not fit,
 * b->err becomes -ENOSPC, nothing more is written, and cp_bencode_buf_status
 * reports it. Dictionary keys are written in the order given (callers that
 * want canonical bencode write them sorted).
 */

/** Append raw bytes (the ng cookie and its space). */
void cp_bencode_put_raw(struct cp_bencode_buf *b, const void *p, size_t len);
/** Append an integer, "i<v>e". */
void cp_bencode_put_int(struct cp_bencode_buf *b, int64_t v);
/** Append a byte string, "<len>:<bytes>" (any bytes, NUL included). */
void cp_bencode_put_str(struct cp_bencode_buf *b, const void *p, size_t len);
/** Append a C string as a byte string. */
void cp_bencode_put_cstr(struct cp_bencode_buf *b, const char *s);
/** Open a list; close it with cp_bencode_end. */
void cp_bencode_list_begin(struct cp_bencode_buf *b);
/** Open a dictionary (then key, value, key, value...); close it with cp_bencode_end. */
void cp_bencode_dict_begin(struct cp_bencode_buf *b);
/** Close the innermost open list or dictionary; with none open, b->err = -EINVAL. */
void cp_bencode_end(struct cp_bencode_buf *b);

/** Re-encode the subtree at idx (keys in the order they were received). */
void cp_bencode_put_node(struct cp_bencode_buf *b, const struct cp_bencode_doc *d, uint32_t idx);

/**
 * @return 0 when everything fit and every container was closed;
 *   -ENOSPC out of room, -EINVAL a container left open or closed twice.
 */
int cp_bencode_buf_status(const struct cp_bencode_buf *b);

#endif
