/*
 * idl.c — parses interface declarations (grammar and rules in idl.h).
 *
 * The text is read a line at a time: a line ends at '\n' or at the end of
 * the text, and its code ends at the first '#'.  Within the code a small
 * scanner yields names, the punctuation ( ) , -> and the end of the line;
 * each line is then `interface NAME`, a method, or nothing.  Comments may
 * hold any bytes (UTF-8 prose); code may hold only the grammar's characters.
 * Every pointer stays inside [text, text+len), so the text need not be
 * NUL-terminated, and output is fixed-size, so no input can overflow it.
 */
#include "kernel/component/idl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum tok { TOK_END, TOK_NAME, TOK_LPAREN, TOK_RPAREN, TOK_COMMA, TOK_ARROW, TOK_BAD };

struct token {
	enum tok kind;
	const char *s;          /* its text (TOK_BAD: the offending byte) */
	size_t len;
};

struct parser {
	const char *p, *code_end;       /* unread code of the current line */
	const char *file;
	unsigned line;
	unsigned iface_line;            /* line of the open interface, 0 if none */
	struct token tok;               /* the current token */
	struct idl *out;
	char *err;
	size_t errlen;
};

static const char no_room[] = "idl: error (no buffer for the message)";

/* Formats "FILE:LINE: message" (LINE 0: "FILE: message"); returns false for `return fail(…)`. */
__attribute__((format(printf, 2, 3)))
static bool fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->err || !ps->errlen)
		return false;
	if (ps->line)
		n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->file, ps->line);
	else
		n = snprintf(ps->err, ps->errlen, "%s: ", ps->file);
	if (n < 0 || (size_t)n >= ps->errlen)
		return false;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
	return false;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

bool idl_is_name(const char *s, size_t len)
{
	if (!s || len == 0 || len > IDL_NAME_MAX || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* Reads the next token of the current line's code into ps->tok. */
static void scan(struct parser *ps)
{
	struct token *t = &ps->tok;

	while (ps->p < ps->code_end && is_blank(*ps->p))
		ps->p++;
	t->s = ps->p;
	t->len = 1;
	if (ps->p == ps->code_end) {
		t->kind = TOK_END;
		t->len = 0;
		return;
	}
	switch (*ps->p) {
	case '(': t->kind = TOK_LPAREN; break;
	case ')': t->kind = TOK_RPAREN; break;
	case ',': t->kind = TOK_COMMA; break;
	case '-':
		if (ps->code_end - ps->p >= 2 && ps->p[1] == '>') {
			t->kind = TOK_ARROW;
			t->len = 2;
		} else {
			t->kind = TOK_BAD;
		}
		break;
	default:
		if (!is_name_char(*ps->p)) {
			t->kind = TOK_BAD;
			break;
		}
		t->kind = TOK_NAME;
		while (ps->p + t->len < ps->code_end && is_name_char(ps->p[t->len]))
			t->len++;
	}
	ps->p += t->len;
}

/* Advances to the next token; false (with the message) if it is not one. */
static bool advance(struct parser *ps)
{
	scan(ps);
	if (ps->tok.kind != TOK_BAD)
		return true;
	unsigned char c = (unsigned char)*ps->tok.s;
	if (c > 0x20 && c < 0x7f)
		return fail(ps, "unexpected character '%c'", c);
	return fail(ps, "unexpected byte 0x%02x", c);
}

/* How a message shows the current token: 'name', '(' or "end of line". */
static const char *shown(const struct parser *ps, char *buf, size_t size)
{
	const struct token *t = &ps->tok;

	if (t->kind == TOK_END)
		return "end of line";
	snprintf(buf, size, "'%.*s%s'", t->len > 32 ? 32 : (int)t->len, t->s,
		 t->len > 32 ? "..." : "");
	return buf;
}

__attribute__((format(printf, 2, 3)))
static bool fail_at_token(struct parser *ps, const char *fmt, ...)
{
	char what[48], msg[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return fail(ps, "%s, found %s", msg, shown(ps, what, sizeof what));
}

/* Identifiers the generated C would choke on (see idl.h). */
static bool reserved(const char *s, size_t len)
{
	static const char *const words[] = {
		/* C11 */
		"auto", "break", "case", "char", "const", "continue", "default", "do",
		"double", "else", "enum", "extern", "float", "for", "goto", "if", "inline",
		"int", "long", "register", "restrict", "return", "short", "signed",
		"sizeof", "static", "struct", "switch", "typedef", "union", "unsigned",
		"void", "volatile", "while",
		/* C23 and GNU */
		"alignas", "alignof", "bool", "constexpr", "false", "nullptr",
		"static_assert", "thread_local", "true", "typeof", "typeof_unqual", "asm",
		/* the generated stubs' own parameter */
		"cap",
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i]) == len && memcmp(words[i], s, len) == 0)
			return true;
	if (len >= 2 && s[len - 2] == '_' && s[len - 1] == 't')
		return true;
	return len >= 4 && memcmp(s, "pdx_", 4) == 0;
}

/* Checks that the current token is a valid name and copies it to dst[IDL_NAME_MAX+1]. */
static bool take_name(struct parser *ps, const char *what, char *dst)
{
	const struct token *t = &ps->tok;

	if (t->kind != TOK_NAME)
		return fail_at_token(ps, "expected %s name", what);
	if (t->len > IDL_NAME_MAX)
		return fail(ps, "%s name '%.*s...' is longer than %d characters", what,
			    IDL_NAME_MAX, t->s, IDL_NAME_MAX);
	if (!idl_is_name(t->s, t->len))
		return fail(ps, "bad %s name '%.*s' (use a-z, 0-9 and _, not first a digit)",
			    what, (int)t->len, t->s);
	memcpy(dst, t->s, t->len);
	dst[t->len] = 0;
	return true;
}

static bool token_is(const struct token *t, const char *word)
{
	return t->kind == TOK_NAME && t->len == strlen(word) && memcmp(t->s, word, t->len) == 0;
}

static bool close_interface(struct parser *ps)
{
	struct idl *o = ps->out;

	if (!ps->iface_line || o->interfaces[o->ninterfaces - 1].count)
		return true;
	ps->line = ps->iface_line;
	return fail(ps, "interface '%s' declares no methods",
		    o->interfaces[o->ninterfaces - 1].name);
}

/* `interface NAME`, the keyword already read. */
static bool parse_interface(struct parser *ps)
{
	struct idl *o = ps->out;
	char name[IDL_NAME_MAX + 1];

	/* The open interface's emptiness is an error on an earlier line: report it first. */
	if (!close_interface(ps) || !advance(ps) || !take_name(ps, "interface", name) ||
	    !advance(ps))
		return false;
	if (ps->tok.kind != TOK_END)
		return fail_at_token(ps, "expected end of line after interface '%s'", name);
	for (unsigned i = 0; i < o->ninterfaces; i++)
		if (strcmp(o->interfaces[i].name, name) == 0)
			return fail(ps, "interface '%s' declared twice", name);
	/* Every interface holds a method, so a 33rd could only hold a 33rd method. */
	if (o->ninterfaces == IDL_MAX_INTERFACES)
		return fail(ps, "more than %d interfaces", IDL_MAX_INTERFACES);
	struct idl_interface *in = &o->interfaces[o->ninterfaces++];
	memcpy(in->name, name, sizeof name);
	in->first = (uint8_t)o->nmethods;
	in->count = 0;
	ps->iface_line = ps->line;
	return true;
}

/* Whether `name` already names an argument or result of m. */
static bool param_taken(const struct idl_method *m, const char *name)
{
	for (unsigned i = 0; i < m->nargs; i++)
		if (strcmp(m->args[i], name) == 0)
			return true;
	for (unsigned i = 0; i < m->nresults; i++)
		if (strcmp(m->results[i], name) == 0)
			return true;
	return false;
}

/*
 * A parenthesised list of names, the '(' being the current token, into
 * names[max]; *count is also m's nargs or nresults, so param_taken sees
 * each name as soon as it is added.
 */
static bool parse_list(struct parser *ps, struct idl_method *m, const char *what, unsigned max,
		       char (*names)[IDL_NAME_MAX + 1], uint8_t *count)
{
	char name[IDL_NAME_MAX + 1];

	if (ps->tok.kind != TOK_LPAREN)
		return fail_at_token(ps, "expected '(' to open the %ss of '%s'", what, m->name);
	if (!advance(ps))
		return false;
	if (ps->tok.kind == TOK_RPAREN)
		return advance(ps);
	for (;;) {
		if (!take_name(ps, what, name))
			return false;
		if (reserved(name, strlen(name)))
			return fail(ps, "%s name '%s' is reserved (a C keyword, a type, 'cap' "
				    "or pdx_...)", what, name);
		if (param_taken(m, name))
			return fail(ps, "method '%s': name '%s' used twice", m->name, name);
		if (*count == max)
			return fail(ps, "method '%s' has more than %u %ss", m->name, max, what);
		memcpy(names[(*count)++], name, sizeof name);
		if (!advance(ps))
			return false;
		if (ps->tok.kind == TOK_RPAREN)
			return advance(ps);
		if (ps->tok.kind != TOK_COMMA)
			return fail_at_token(ps, "expected ',' or ')' after %s '%s'", what, name);
		if (!advance(ps))
			return false;
	}
}

/* `NAME(ARGS) [-> (RESULTS)]`, NAME being the current token. */
static bool parse_method(struct parser *ps)
{
	struct idl *o = ps->out;
	char name[IDL_NAME_MAX + 1];

	if (!take_name(ps, "method", name))
		return false;
	if (!o->ninterfaces)
		return fail(ps, "method '%s' outside an interface (expected 'interface NAME' "
			    "first)", name);
	if (idl_method_index(o, name) >= 0)
		return fail(ps, "method '%s' declared twice", name);
	if (o->nmethods == IDL_MAX_METHODS)
		return fail(ps, "more than %d methods", IDL_MAX_METHODS);

	struct idl_method *m = &o->methods[o->nmethods];
	memset(m, 0, sizeof *m);
	memcpy(m->name, name, sizeof name);
	m->iface = (uint8_t)(o->ninterfaces - 1);
	if (!advance(ps) || !parse_list(ps, m, "argument", IDL_MAX_ARGS, m->args, &m->nargs))
		return false;
	if (ps->tok.kind == TOK_ARROW) {
		if (!advance(ps) ||
		    !parse_list(ps, m, "result", IDL_MAX_RESULTS, m->results, &m->nresults))
			return false;
		if (ps->tok.kind != TOK_END)
			return fail_at_token(ps, "expected end of line after the results of '%s'",
					     name);
	} else if (ps->tok.kind != TOK_END) {
		return fail_at_token(ps, "expected '->' or end of line after the arguments of '%s'",
				     name);
	}
	o->nmethods++;
	o->interfaces[o->ninterfaces - 1].count++;
	return true;
}

static bool parse_line(struct parser *ps)
{
	if (!advance(ps))
		return false;
	if (ps->tok.kind == TOK_END)
		return true;
	if (token_is(&ps->tok, "interface"))
		return parse_interface(ps);
	if (ps->tok.kind == TOK_NAME)
		return parse_method(ps);
	return fail_at_token(ps, "expected 'interface NAME' or a method");
}

const char *idl_parse(const char *text, size_t len, const char *filename, struct idl *out,
		      char *err, size_t errlen)
{
	struct parser ps = {
		.file = filename ? filename : "idl", .out = out, .err = err, .errlen = errlen,
	};
	const char *bad = err && errlen ? err : no_room;

	memset(out, 0, sizeof *out);
	if (!text)
		len = 0;
	while (len && text[len - 1] == 0)
		len--;
	if (len > IDL_MAX_TEXT) {
		fail(&ps, "%zu bytes of text, more than %d", len, IDL_MAX_TEXT);
		return bad;
	}
	for (const char *p = text, *end = text + len; p < end; ) {
		const char *nl = memchr(p, '\n', end - p);
		const char *line_end = nl ? nl : end;
		const char *hash = memchr(p, '#', line_end - p);

		ps.line++;
		ps.p = p;
		ps.code_end = hash ? hash : line_end;
		if (!parse_line(&ps))
			return bad;
		p = nl ? nl + 1 : end;
	}
	if (!close_interface(&ps))
		return bad;
	if (!out->ninterfaces) {
		ps.line = 0;
		fail(&ps, "declares no interface");
		return bad;
	}
	return NULL;
}

int idl_method_index(const struct idl *idl, const char *name)
{
	if (!idl || !name)
		return -1;
	for (unsigned i = 0; i < idl->nmethods && i < IDL_MAX_METHODS; i++)
		if (strcmp(idl->methods[i].name, name) == 0)
			return (int)i;
	return -1;
}
