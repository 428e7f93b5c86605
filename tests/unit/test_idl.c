/*
 * test_idl.c — the interface declaration parser (kernel/component/idl.c).
 *
 * Every parse goes through parse(), which hands the parser an exact-size heap
 * copy of the text with no NUL after it, so ASan reports any read past the
 * end.  The example file is checked field by field, each rule of idl.h has a
 * test of its exact message, and a seeded fuzz loop checks that nothing
 * crashes and that whatever parses is well formed.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/component/idl.h"
#include "tests/unit/host.h"
#include "tests/unit/random.h"
#include "unit.h"

static struct idl idl;
static char err[256];

/* Parses text[0..len) as "t.idl"; returns NULL or the message. */
static const char *parse_n(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	const char *r;

	memcpy(copy, text, len);
	r = idl_parse(copy, len, "t.idl", &idl, err, sizeof err);
	free(copy);
	if (r)
		CHECK(r == err);
	return r;
}

static const char *parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static const char hello_idl[] =
	"# hello.idl \xe2\x80\x94 what the hello component offers.\n"
	"interface hello\n"
	"    ping(x) -> (y)\n"
	"    add(a, b) -> (sum)\n"
	"    nothing()\n"
	"interface completion          # a component may declare several interfaces\n"
	"    done(cookie, status)\n";

TEST(idl_example_every_field)
{
	CHECK(parse(hello_idl) == NULL);
	CHECK_EQ(idl.ninterfaces, 2);
	CHECK_STR(idl.interfaces[0].name, "hello");
	CHECK_EQ(idl.interfaces[0].first, 0);
	CHECK_EQ(idl.interfaces[0].count, 3);
	CHECK_STR(idl.interfaces[1].name, "completion");
	CHECK_EQ(idl.interfaces[1].first, 3);
	CHECK_EQ(idl.interfaces[1].count, 1);

	CHECK_EQ(idl.nmethods, 4);
	const struct idl_method *m = idl.methods;
	CHECK_STR(m[0].name, "ping");
	CHECK_EQ(m[0].iface, 0);
	CHECK_EQ(m[0].nargs, 1);
	CHECK_STR(m[0].args[0], "x");
	CHECK_EQ(m[0].nresults, 1);
	CHECK_STR(m[0].results[0], "y");

	CHECK_STR(m[1].name, "add");
	CHECK_EQ(m[1].iface, 0);
	CHECK_EQ(m[1].nargs, 2);
	CHECK_STR(m[1].args[0], "a");
	CHECK_STR(m[1].args[1], "b");
	CHECK_EQ(m[1].nresults, 1);
	CHECK_STR(m[1].results[0], "sum");

	CHECK_STR(m[2].name, "nothing");
	CHECK_EQ(m[2].iface, 0);
	CHECK_EQ(m[2].nargs, 0);
	CHECK_EQ(m[2].nresults, 0);

	CHECK_STR(m[3].name, "done");
	CHECK_EQ(m[3].iface, 1);
	CHECK_EQ(m[3].nargs, 2);
	CHECK_STR(m[3].args[0], "cookie");
	CHECK_STR(m[3].args[1], "status");
	CHECK_EQ(m[3].nresults, 0);

	CHECK_EQ(idl_method_index(&idl, "ping"), 0);
	CHECK_EQ(idl_method_index(&idl, "add"), 1);
	CHECK_EQ(idl_method_index(&idl, "nothing"), 2);
	CHECK_EQ(idl_method_index(&idl, "done"), 3);
	CHECK_EQ(idl_method_index(&idl, "pong"), -1);
	CHECK_EQ(idl_method_index(&idl, "hello"), -1);
	CHECK_EQ(idl_method_index(&idl, ""), -1);
	CHECK_EQ(idl_method_index(&idl, NULL), -1);
	CHECK_EQ(idl_method_index(NULL, "ping"), -1);
}

TEST(idl_whitespace_crlf_and_no_final_newline)
{
	CHECK(parse("\t interface\tx  \r\n"
		    "\r\n"
		    "  # a comment ( with -> junk ,\n"
		    "a ( p ,q )->( r , s )#c\r\n"
		    "b()->()\r\n"
		    "\f\vc(_, z9_)") == NULL);
	CHECK_EQ(idl.ninterfaces, 1);
	CHECK_STR(idl.interfaces[0].name, "x");
	CHECK_EQ(idl.nmethods, 3);
	CHECK_STR(idl.methods[0].args[1], "q");
	CHECK_STR(idl.methods[0].results[1], "s");
	CHECK_EQ(idl.methods[1].nresults, 0);
	CHECK_STR(idl.methods[2].args[0], "_");
	CHECK_STR(idl.methods[2].args[1], "z9_");
}

TEST(idl_text_need_not_end_with_nul_and_trailing_nuls_are_ignored)
{
	static const char text[] = "interface a\n f()\n\0\0\0";
	CHECK(parse_n(text, sizeof text) == NULL);
	CHECK_EQ(idl.nmethods, 1);
	/* The text is its first len bytes only: the method below is not seen. */
	CHECK(parse_n("interface a\n f()\n g()\n", 17) == NULL);
	CHECK_EQ(idl.nmethods, 1);
	CHECK_STR(parse_n("interface a\n f()\n g", 14), "t.idl:2: expected '(' to open the "
		  "arguments of 'f', found end of line");
}

/* "interface i\n" and n methods m0(), m1() … */
static const char *n_methods(unsigned n)
{
	static char text[2048];
	size_t len = (size_t)snprintf(text, sizeof text, "interface i\n");
	for (unsigned k = 0; k < n; k++)
		len += (size_t)snprintf(text + len, sizeof text - len, "m%u()\n", k);
	return parse(text);
}

TEST(idl_limits)
{
	CHECK(parse("interface i\n f(a, b, c, d, e, f) -> (g, h)\n") == NULL);
	CHECK_EQ(idl.methods[0].nargs, 6);
	CHECK_STR(idl.methods[0].args[5], "f");
	CHECK_EQ(idl.methods[0].nresults, 2);
	CHECK_STR(idl.methods[0].results[1], "h");
	CHECK_STR(parse("interface i\n f(a, b, c, d, e, f, g)\n"),
		  "t.idl:2: method 'f' has more than 6 arguments");
	CHECK_STR(parse("interface i\n f() -> (a, b, c)\n"),
		  "t.idl:2: method 'f' has more than 2 results");

	CHECK(n_methods(IDL_MAX_METHODS) == NULL);
	CHECK_EQ(idl.nmethods, 32);
	CHECK_EQ(idl.interfaces[0].count, 32);
	CHECK_STR(idl.methods[31].name, "m31");
	CHECK_STR(n_methods(IDL_MAX_METHODS + 1), "t.idl:34: more than 32 methods");

	/* As many interfaces as methods, but not one more. */
	static char text[2048];
	size_t len = 0;
	for (unsigned k = 0; k < IDL_MAX_INTERFACES; k++)
		len += (size_t)snprintf(text + len, sizeof text - len, "interface i%u\n m%u()\n",
					k, k);
	CHECK(parse(text) == NULL);
	CHECK_EQ(idl.ninterfaces, 32);
	CHECK_EQ(idl.interfaces[31].first, 31);
	CHECK_EQ(idl.methods[31].iface, 31);
	snprintf(text + len, sizeof text - len, "interface z\n");
	CHECK_STR(parse(text), "t.idl:65: more than 32 interfaces");

	CHECK(parse("interface abcdefghijklmnopqrstuvw\n abcdefghijklmnopqrstuvw"
		    "(abcdefghijklmnopqrstuvw)\n") == NULL);
	CHECK_STR(idl.interfaces[0].name, "abcdefghijklmnopqrstuvw");
	CHECK_STR(idl.methods[0].name, "abcdefghijklmnopqrstuvw");
	CHECK_STR(idl.methods[0].args[0], "abcdefghijklmnopqrstuvw");
	CHECK_STR(parse("interface i\n abcdefghijklmnopqrstuvwx()\n"),
		  "t.idl:2: method name 'abcdefghijklmnopqrstuvw...' is longer than 23 characters");
	CHECK_STR(parse("interface abcdefghijklmnopqrstuvwxyz\n"),
		  "t.idl:1: interface name 'abcdefghijklmnopqrstuvw...' is longer than 23 "
		  "characters");
	CHECK_STR(parse("interface i\n f(abcdefghijklmnopqrstuvwxy)\n"),
		  "t.idl:2: argument name 'abcdefghijklmnopqrstuvw...' is longer than 23 "
		  "characters");

	/* The size limit counts every byte, comments included. */
	static char big[IDL_MAX_TEXT + 1];
	const char *head = "interface i\n f()\n#";
	memset(big, 'x', sizeof big);
	memcpy(big, head, strlen(head));
	CHECK(parse_n(big, IDL_MAX_TEXT) == NULL);
	CHECK_STR(parse_n(big, IDL_MAX_TEXT + 1), "t.idl: 16385 bytes of text, more than 16384");
}

static const struct {
	const char *text;
	const char *error;
} bad[] = {
	{ "", "t.idl: declares no interface" },
	{ "# only a comment\n\n   \n", "t.idl: declares no interface" },
	{ "interface a\n", "t.idl:1: interface 'a' declares no methods" },
	{ "interface a\n\n# nothing\ninterface b\n f()\n",
	  "t.idl:1: interface 'a' declares no methods" },
	{ "interface a\n f()\ninterface b\n", "t.idl:3: interface 'b' declares no methods" },
	{ "interface a\n f()\ninterface a\n g()\n", "t.idl:3: interface 'a' declared twice" },
	{ "f()\n", "t.idl:1: method 'f' outside an interface (expected 'interface NAME' first)" },
	{ "interface a\n f()\n g()\n f(x)\n", "t.idl:4: method 'f' declared twice" },
	{ "interface a\n f()\ninterface b\n f()\n", "t.idl:4: method 'f' declared twice" },
	{ "interface\n", "t.idl:1: expected interface name, found end of line" },
	{ "interface # name\n", "t.idl:1: expected interface name, found end of line" },
	{ "interface a b\n", "t.idl:1: expected end of line after interface 'a', found 'b'" },
	{ "interface a()\n", "t.idl:1: expected end of line after interface 'a', found '('" },
	{ "interface A\n",
	  "t.idl:1: bad interface name 'A' (use a-z, 0-9 and _, not first a digit)" },
	{ "interface 9a\n",
	  "t.idl:1: bad interface name '9a' (use a-z, 0-9 and _, not first a digit)" },
	{ "interface a\n Ping()\n",
	  "t.idl:2: bad method name 'Ping' (use a-z, 0-9 and _, not first a digit)" },
	{ "interface a\n f(X)\n",
	  "t.idl:2: bad argument name 'X' (use a-z, 0-9 and _, not first a digit)" },
	{ "interface a\n f() -> (1)\n",
	  "t.idl:2: bad result name '1' (use a-z, 0-9 and _, not first a digit)" },
	{ "interface a\n f()\n interface(x)\n", "t.idl:3: expected interface name, found '('" },
	{ "interface a\n f\n",
	  "t.idl:2: expected '(' to open the arguments of 'f', found end of line" },
	{ "interface a\n f x\n", "t.idl:2: expected '(' to open the arguments of 'f', found 'x'" },
	{ "interface a\n f(x\n",
	  "t.idl:2: expected ',' or ')' after argument 'x', found end of line" },
	{ "interface a\n f(x y)\n", "t.idl:2: expected ',' or ')' after argument 'x', found 'y'" },
	{ "interface a\n f(x,)\n", "t.idl:2: expected argument name, found ')'" },
	{ "interface a\n f(,x)\n", "t.idl:2: expected argument name, found ','" },
	{ "interface a\n f(x) junk\n",
	  "t.idl:2: expected '->' or end of line after the arguments of 'f', found 'junk'" },
	{ "interface a\n f(x) (y)\n",
	  "t.idl:2: expected '->' or end of line after the arguments of 'f', found '('" },
	{ "interface a\n f(x) ->\n",
	  "t.idl:2: expected '(' to open the results of 'f', found end of line" },
	{ "interface a\n f(x) -> y\n",
	  "t.idl:2: expected '(' to open the results of 'f', found 'y'" },
	{ "interface a\n f(x) -> (y) z\n",
	  "t.idl:2: expected end of line after the results of 'f', found 'z'" },
	{ "interface a\n f(x) -> (y) -> (z)\n",
	  "t.idl:2: expected end of line after the results of 'f', found '->'" },
	{ "interface a\n f(x) -> (y\n",
	  "t.idl:2: expected ',' or ')' after result 'y', found end of line" },
	{ "interface a\n f(x) - (y)\n", "t.idl:2: unexpected character '-'" },
	{ "interface a\n f(x) => (y)\n", "t.idl:2: unexpected character '='" },
	{ "interface a\n f(x); \n", "t.idl:2: unexpected character ';'" },
	{ "interface a\n f(x)\x01\n", "t.idl:2: unexpected byte 0x01" },
	{ "interface a\n f(\xc3\xa9)\n", "t.idl:2: unexpected byte 0xc3" },
	{ "interface a\n ( )\n", "t.idl:2: expected 'interface NAME' or a method, found '('" },
	{ "interface a\n -> \n", "t.idl:2: expected 'interface NAME' or a method, found '->'" },
	{ "interface a\n f(x, x)\n", "t.idl:2: method 'f': name 'x' used twice" },
	{ "interface a\n f(x) -> (x)\n", "t.idl:2: method 'f': name 'x' used twice" },
	{ "interface a\n f() -> (y, y)\n", "t.idl:2: method 'f': name 'y' used twice" },
	{ "interface a\n f(int)\n", "t.idl:2: argument name 'int' is reserved (a C keyword, "
	  "a type, 'cap' or pdx_...)" },
	{ "interface a\n f(x) -> (return)\n", "t.idl:2: result name 'return' is reserved (a C "
	  "keyword, a type, 'cap' or pdx_...)" },
	{ "interface a\n f(size_t)\n", "t.idl:2: argument name 'size_t' is reserved (a C "
	  "keyword, a type, 'cap' or pdx_...)" },
	{ "interface a\n f(cap)\n", "t.idl:2: argument name 'cap' is reserved (a C keyword, "
	  "a type, 'cap' or pdx_...)" },
	{ "interface a\n f() -> (pdx_rc)\n", "t.idl:2: result name 'pdx_rc' is reserved (a C "
	  "keyword, a type, 'cap' or pdx_...)" },
	{ "interface a\n f(bool)\n", "t.idl:2: argument name 'bool' is reserved (a C keyword, "
	  "a type, 'cap' or pdx_...)" },
	/* The first problem wins, even where a later line has one too. */
	{ "interface a\n f(x, x)\n g(\n", "t.idl:2: method 'f': name 'x' used twice" },
};

TEST(idl_every_error_has_its_message)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *r = parse(bad[i].text);
		CHECK_STR(r, bad[i].error);
	}
	/* Names that merely look like reserved ones are fine. */
	CHECK(parse("interface int\n int(ints, t, _t1, pdx, capacity) -> (cap_)\n") == NULL);
	CHECK_STR(idl.methods[0].name, "int");
	CHECK(idl_is_name("a_9", 3));
	CHECK(!idl_is_name("9a", 2));
	CHECK(!idl_is_name("a-b", 3));
	CHECK(!idl_is_name("", 0));
	CHECK(!idl_is_name(NULL, 1));
	CHECK(idl_is_name("abcdefghijklmnopqrstuvw", 23));
	CHECK(!idl_is_name("abcdefghijklmnopqrstuvwx", 24));
}

TEST(idl_error_buffer_is_bounded)
{
	char small[12];
	const char *r = idl_parse("f()", 3, "t.idl", &idl, small, sizeof small);
	CHECK(r == small);
	CHECK_STR(small, "t.idl:1: me");
	r = idl_parse("f()", 3, "t.idl", &idl, NULL, 0);
	CHECK(r != NULL);
	r = idl_parse("f()", 3, "t.idl", &idl, small, 0);
	CHECK(r != NULL && r != small);
	/* A filename longer than the buffer still leaves it terminated. */
	r = idl_parse("f()", 3, "a-very-long-file-name.idl", &idl, small, sizeof small);
	CHECK_STR(r, "a-very-long");
	CHECK_STR(idl_parse("", 0, NULL, &idl, err, sizeof err), "idl: declares no interface");
	CHECK_STR(idl_parse(NULL, 5, NULL, &idl, err, sizeof err), "idl: declares no interface");
}

/* The fuzz loop: xorshift32 with a fixed seed, so a failure reproduces. */
static uint32_t seed = 0x1d1f00d5;

static uint32_t rnd(void)
{
	return xorshift32(&seed);
}

/* What must hold of any successful parse. */
static bool well_formed(const struct idl *d)
{
	unsigned next = 0;

	if (d->ninterfaces < 1 || d->ninterfaces > IDL_MAX_INTERFACES ||
	    d->nmethods < d->ninterfaces || d->nmethods > IDL_MAX_METHODS)
		return false;
	for (unsigned i = 0; i < d->ninterfaces; i++) {
		const struct idl_interface *in = &d->interfaces[i];
		if (in->first != next || in->count == 0 ||
		    !idl_is_name(in->name, strnlen(in->name, sizeof in->name)))
			return false;
		next += in->count;
	}
	if (next != d->nmethods)
		return false;
	for (unsigned k = 0; k < d->nmethods; k++) {
		const struct idl_method *m = &d->methods[k];
		if (m->iface >= d->ninterfaces)
			return false;
		const struct idl_interface *in = &d->interfaces[m->iface];
		if (k < in->first || k >= in->first + in->count ||
		    m->nargs > IDL_MAX_ARGS || m->nresults > IDL_MAX_RESULTS ||
		    !idl_is_name(m->name, strnlen(m->name, sizeof m->name)) ||
		    idl_method_index(d, m->name) != (int)k)
			return false;
		for (unsigned a = 0; a < m->nargs; a++)
			if (!idl_is_name(m->args[a], strnlen(m->args[a], sizeof m->args[a])))
				return false;
	}
	return true;
}

static void check_outcome(const char *r, unsigned *ok)
{
	if (r) {
		CHECK(strnlen(err, sizeof err) < sizeof err);
		CHECK(strncmp(err, "t.idl:", 6) == 0);
	} else {
		CHECK(well_formed(&idl));
		++*ok;
	}
}

TEST(idl_fuzz)
{
	static const char *const pieces[] = {
		"interface ", "interface", "a", "b", "ping", "x", "y", "(", ")", ", ", ",", " -> ",
		"->", "-", ">", "\n", "\n", "\n    ", "# c\n", "#", " ", "\t", "\r\n", "int", "A",
		"9", "_", "abcdefghijklmnopqrstuvwxyz", "\x01", "\xff", "\0",
	};
	static char buf[512];
	unsigned ok = 0;

	/* Every truncation of the example, and every single-byte damage of it. */
	for (size_t len = 0; len <= sizeof hello_idl - 1; len++)
		check_outcome(parse_n(hello_idl, len), &ok);
	for (unsigned i = 0; i < 2000; i++) {
		memcpy(buf, hello_idl, sizeof hello_idl - 1);
		buf[rnd() % (sizeof hello_idl - 1)] = (char)rnd();
		check_outcome(parse_n(buf, sizeof hello_idl - 1 - rnd() % 8), &ok);
	}
	/* Random bytes, random printable text, and random sequences of grammar pieces. */
	for (unsigned i = 0; i < 3000; i++) {
		size_t len = rnd() % sizeof buf;
		for (size_t k = 0; k < len; k++)
			buf[k] = i % 2 ? (char)rnd() : (char)(0x20 + rnd() % 95);
		check_outcome(parse_n(buf, len), &ok);
	}
	for (unsigned i = 0; i < 4000; i++) {
		size_t len = (size_t)snprintf(buf, sizeof buf, "interface i\n");
		unsigned n = rnd() % 40;
		for (unsigned k = 0; k < n; k++) {
			const char *p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
			size_t plen = *p ? strlen(p) : 1;
			if (len + plen > sizeof buf)
				break;
			memcpy(buf + len, p, plen);
			len += plen;
		}
		check_outcome(parse_n(buf, len), &ok);
	}
	/* The loop must reach the parser's deeper paths, not only its first check. */
	CHECK(ok > 100);
}
