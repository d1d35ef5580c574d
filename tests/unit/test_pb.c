/* test_pb.c: the protobuf wire walker (pb.c) and the tag map (tagmap.c),
 * byte by byte: varints up to 10 bytes, negative int64, every wire type,
 * groups skipped whole, malformed keys and lengths; and run_drop_from and
 * run_sort_rows, which the binary readers use. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pb.h"
#include "run.h"
#include "tagmap.h"

/* Reads every field of BUF[0..N) into F[0..*NF); returns pb_next's last
 * status (0 at the end, -1 malformed). */
static int walk(const unsigned char *buf, size_t n, struct pb_field *f, size_t *nf)
{
	struct pb_reader r = pb_reader_of(buf, n);
	int rc;
	*nf = 0;
	while ((rc = pb_next(&r, &f[*nf])) > 0)
		(*nf)++;
	return rc;
}

/* Varints: 1 to 10 bytes; -1 as int64 is ten bytes; eleven are refused. */
static void test_varints(void **state)
{
	(void)state;
	struct pb_field f[4];
	size_t nf;
	static const unsigned char one[] = { 0x08, 0x96, 0x01 }; /* 1: 150 */
	assert_int_equal(walk(one, sizeof one, f, &nf), 0);
	assert_int_equal(nf, 1);
	assert_int_equal(f[0].num, 1);
	assert_int_equal(f[0].wire, PB_VARINT);
	assert_int_equal(f[0].u, 150);
	static const unsigned char neg[] = { 0x10, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0x01 };
	assert_int_equal(walk(neg, sizeof neg, f, &nf), 0);
	assert_int_equal(nf, 1);
	assert_int_equal((int64_t)f[0].u, -1);
	static const unsigned char eleven[] = { 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						0xff, 0xff, 0xff, 0xff, 0x01 };
	assert_int_equal(walk(eleven, sizeof eleven, f, &nf), -1);
	assert_int_equal(nf, 0);
	static const unsigned char cut[] = { 0x10, 0xff };
	assert_int_equal(walk(cut, sizeof cut, f, &nf), -1);
}

/* Fixed 32 and 64 bits, length-delimited, in one message. */
static void test_wire_types(void **state)
{
	(void)state;
	struct pb_field f[4];
	size_t nf;
	unsigned char m[32];
	size_t n = 0;
	double d = 1700000000.5;
	float x = 0.25f;
	m[n++] = 0x09; /* 1, I64 */
	memcpy(m + n, &d, 8);
	n += 8;
	m[n++] = 0x15; /* 2, I32 */
	memcpy(m + n, &x, 4);
	n += 4;
	m[n++] = 0x1a; /* 3, LEN */
	m[n++] = 3;
	memcpy(m + n, "abc", 3);
	n += 3;
	assert_int_equal(walk(m, n, f, &nf), 0);
	assert_int_equal(nf, 3);
	assert_true(pb_double(f[0].u) == d);
	assert_true(pb_float(f[1].u) == x);
	assert_int_equal(f[2].len, 3);
	assert_memory_equal(f[2].p, "abc", 3);
	/* A length past the end, field number 0, wire types 4, 6, 7. */
	static const unsigned char longlen[] = { 0x1a, 0x05, 'a' };
	assert_int_equal(walk(longlen, sizeof longlen, f, &nf), -1);
	static const unsigned char zero[] = { 0x00, 0x01 };
	assert_int_equal(walk(zero, sizeof zero, f, &nf), -1);
	static const unsigned char stray_end[] = { 0x0c };
	assert_int_equal(walk(stray_end, sizeof stray_end, f, &nf), -1);
	static const unsigned char w6[] = { 0x0e, 0x00 };
	assert_int_equal(walk(w6, sizeof w6, f, &nf), -1);
	static const unsigned char w7[] = { 0x0f, 0x00 };
	assert_int_equal(walk(w7, sizeof w7, f, &nf), -1);
}

/* Groups are skipped whole, nested ones too; a wrong end is malformed. */
static void test_groups(void **state)
{
	(void)state;
	struct pb_field f[4];
	size_t nf;
	/* 5: group { 1: 7, 6: group { } }, then 2: 9 */
	static const unsigned char g[] = { 0x2b, 0x08, 0x07, 0x33, 0x34, 0x2c, 0x10, 0x09 };
	assert_int_equal(walk(g, sizeof g, f, &nf), 0);
	assert_int_equal(nf, 2);
	assert_int_equal(f[0].num, 5);
	assert_int_equal(f[0].wire, PB_SGROUP);
	assert_int_equal(f[1].num, 2);
	assert_int_equal(f[1].u, 9);
	static const unsigned char wrong_end[] = { 0x2b, 0x08, 0x07, 0x34 };
	assert_int_equal(walk(wrong_end, sizeof wrong_end, f, &nf), -1);
	static const unsigned char open[] = { 0x2b, 0x08, 0x07 };
	assert_int_equal(walk(open, sizeof open, f, &nf), -1);
}

/* The tag map: the table, the prefixes, Keras's validation names. */
static void test_tagmap(void **state)
{
	(void)state;
	static const struct {
		const char *tag;
		bool eval;
		const char *col;
	} cases[] = {
		{ "train/loss", false, "train_loss" },
		{ "eval/loss", false, "eval_loss" },
		{ "train/learning_rate", false, "learning_rate" },
		{ "train/grad_norm", false, "grad_norm" },
		{ "train/epoch", false, "epoch" },
		{ "epoch_loss", false, "train_loss" },
		{ "epoch_loss", true, "eval_loss" },
		{ "val_loss", false, "eval_loss" },
		{ "epoch_learning_rate", false, "learning_rate" },
		{ "epoch_accuracy", true, "eval_accuracy" },
		{ "eval/accuracy", false, "eval_accuracy" },
		{ "train/total_flos", false, "total_flos" },
		{ "hp_metric", false, "hp_metric" },
		{ "train/train_loss", false, NULL },
		/* A metric named like the step is no point: a tracker's points
		 * carry their step, which its values would overwrite (found by
		 * fuzz_mlflowhttp). */
		{ "step", false, NULL },
		{ "train/step", false, NULL },
		{ "epoch_step", false, NULL },
		{ "step", true, "eval_step" },
		{ "eval/step", false, "eval_step" },
		{ "global_step", false, "global_step" },
		/* Nor is a metric named like the time its timestamps: it keeps
		 * its values under a name of its own. */
		{ "time", false, "time_metric" },
		{ "train/time", false, "time_metric" },
		{ "epoch_time", false, "time_metric" },
		{ "time", true, "eval_time" },
		{ "eval/time", false, "eval_time" },
		{ "time_metric", false, "time_metric" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *c = tagmap_column(cases[i].tag, strlen(cases[i].tag), cases[i].eval);
		if (cases[i].col)
			assert_string_equal(c, cases[i].col);
		else
			assert_null(c);
		free(c);
	}
}

/* run_drop_from keeps the rows below the step, in log order;
 * run_sort_rows sorts without counting the step going back. */
static void test_drop_sort(void **state)
{
	(void)state;
	struct run *r = run_new("x");
	char *cause = NULL;
	int c = run_col(r, "v");
	static const double steps[] = { 10, 20, 30, 5, 40 };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(run_add_row(r, steps[i], &cause), 0);
		run_set(r, c, i);
	}
	assert_int_equal(run_drop_from(r, 20), 3);
	assert_int_equal(r->nrows, 2);
	assert_true(r->cols[0][0] == 10 && r->cols[0][1] == 5);
	assert_true(r->cols[c][0] == 0 && r->cols[c][1] == 3);
	run_sort_rows(r);
	assert_true(r->cols[0][0] == 5 && r->cols[0][1] == 10);
	run_finish(r);
	assert_int_equal(r->backwards, 0);
	run_free(r);
}

/* Runs the tests. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varints), cmocka_unit_test(test_wire_types),
		cmocka_unit_test(test_groups),  cmocka_unit_test(test_tagmap),
		cmocka_unit_test(test_drop_sort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
