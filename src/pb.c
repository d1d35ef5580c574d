/* pb.c: the protobuf wire-format walker (see pb.h). */
#include "config.h"

#include "pb.h"

#include <string.h>

/* Reads a varint at *P (below END) into *V; 0, or -1 when it runs past END
 * or over 10 bytes. */
static int varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	const unsigned char *q = *p;
	uint64_t x = 0;

	for (int i = 0; i < 10; i++) {
		if (q >= end)
			return -1;
		unsigned char b = *q++;
		x |= (uint64_t)(b & 0x7f) << (7 * i); /* i <= 9: shift <= 63 */
		if (!(b & 0x80)) {
			*p = q;
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* Reads one field's key and value at *P into *F, skipping a group whole
 * (DEPTH groups deep already).  0, or -1 when malformed. */
static int field_at(const unsigned char **p, const unsigned char *end, struct pb_field *f, int depth)
{
	const unsigned char *q = *p;
	uint64_t key, v;

	if (varint(&q, end, &key) < 0 || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
		return -1;
	f->num = (uint32_t)(key >> 3);
	f->wire = (enum pb_wire)(key & 7);
	f->u = 0;
	f->p = NULL;
	f->len = 0;
	switch (key & 7) {
	case PB_VARINT:
		if (varint(&q, end, &f->u) < 0)
			return -1;
		break;
	case PB_I64:
		if (end - q < 8)
			return -1;
		for (int i = 7; i >= 0; i--)
			f->u = f->u << 8 | q[i];
		q += 8;
		break;
	case PB_I32:
		if (end - q < 4)
			return -1;
		f->u = (uint64_t)q[0] | (uint64_t)q[1] << 8 | (uint64_t)q[2] << 16 | (uint64_t)q[3] << 24;
		q += 4;
		break;
	case PB_LEN:
		if (varint(&q, end, &v) < 0 || v > (uint64_t)(end - q))
			return -1;
		f->p = q;
		f->len = (size_t)v;
		q += v;
		break;
	case PB_SGROUP: {
		/* Fields up to the matching end-group key. */
		const unsigned char *start = q;
		struct pb_field in;
		if (depth >= PB_MAX_DEPTH)
			return -1;
		for (;;) {
			const unsigned char *before = q;
			if (q >= end)
				return -1;
			uint64_t k2;
			const unsigned char *t = q;
			if (varint(&t, end, &k2) < 0)
				return -1;
			if ((k2 & 7) == PB_EGROUP) {
				if ((k2 >> 3) != f->num)
					return -1;
				f->p = start;
				f->len = (size_t)(before - start);
				q = t;
				break;
			}
			if (field_at(&q, end, &in, depth + 1) < 0)
				return -1;
		}
		break;
	}
	default: /* a stray end-group, or wire types 6 and 7 */
		return -1;
	}
	*p = q;
	return 0;
}

int pb_next(struct pb_reader *r, struct pb_field *f)
{
	if (r->p >= r->end)
		return 0;
	const unsigned char *q = r->p;
	if (field_at(&q, r->end, f, 0) < 0)
		return -1;
	r->p = q;
	return 1;
}

float pb_float(uint64_t u)
{
	uint32_t b = (uint32_t)u;
	float f;
	memcpy(&f, &b, sizeof f);
	return f;
}

double pb_double(uint64_t u)
{
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}
