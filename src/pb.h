/* pb.h: a protobuf wire-format walker (no schema, no allocation).
 *
 * The binary readers (read_tfevents.c) walk the few messages they need
 * field by field and skip the rest by wire type, as protobuf's own parsers
 * do with unknown fields.  Varints are at most 10 bytes (the bits beyond
 * 64 are dropped, as protobuf does); groups (wire types 3 and 4) are
 * skipped whole, nested up to PB_MAX_DEPTH.  Nothing is copied: a
 * length-delimited field points into the buffer walked. */
#ifndef TRCOMPARE_PB_H
#define TRCOMPARE_PB_H

#include <stddef.h>
#include <stdint.h>

#define PB_MAX_DEPTH 32 /* nested groups skipped, at most */

enum pb_wire { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_SGROUP = 3, PB_EGROUP = 4, PB_I32 = 5 };

/* One field: its number, wire type and value. */
struct pb_field {
	uint32_t num;
	enum pb_wire wire;
	uint64_t u;             /* PB_VARINT, PB_I64, PB_I32: the raw bits */
	const unsigned char *p; /* PB_LEN (and PB_SGROUP): the bytes */
	size_t len;
};

/* A position in a message: bytes [p, end). */
struct pb_reader {
	const unsigned char *p, *end;
};

/* The reader of the LEN bytes at P. */
static inline struct pb_reader pb_reader_of(const void *p, size_t len)
{
	/* (P may be NULL for an empty message.) */
	struct pb_reader r = { p, p ? (const unsigned char *)p + len : NULL };
	return r;
}

/* Reads the next field into *F.  Returns 1, 0 at the end of the message,
 * or -1 when the bytes are not a protobuf message (a varint over 10 bytes,
 * a length past the end, field number 0, wire type 4 without its 3, 6 or
 * 7); the reader is then left where it was. */
int pb_next(struct pb_reader *r, struct pb_field *f);

/* The float whose bits are U's low 32, the double whose bits are U. */
float pb_float(uint64_t u);
double pb_double(uint64_t u);

#endif
