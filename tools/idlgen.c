/*
 * idlgen.c — derives a component's client stubs and server dispatch from its
 * interface declaration (STYLE.md "Declare once, derive the rest").
 *
 *     idlgen COMPONENT IN.idl OUTDIR
 *
 * parses IN.idl with the kernel's own parser (kernel/component/idl.c) and
 * writes two headers:
 *
 *   OUTDIR/COMPONENT_client.h, for the component's callers:
 *     COMPONENT_M_METHOD   the method's number (C macros, upper case)
 *     COMPONENT_METHODS    how many methods there are
 *     COMPONENT_METHOD_NAMES  an initialiser { "ping", … } indexed by number
 *     COMPONENT_METHOD()   a static inline stub per method:
 *         int64_t hello_add(cap_t cap, uint64_t a, uint64_t b, uint64_t *sum);
 *       It packs the arguments, calls pdx_invoke() (<pinfold/pdx.h>) and
 *       returns what that returns: the method's status (>= 0) or a negative
 *       enum pinfold_error.  Each result pointer may be NULL; every other one
 *       is written, with 0 where the call produced nothing.
 *
 *   OUTDIR/COMPONENT_server.h, for the component itself (include it in
 *   exactly one of its .c files: it defines component_dispatch and emits
 *   the section, so a second copy fails to link):
 *     serve_METHOD()       the prototypes the component implements:
 *         int64_t serve_add(uint64_t a, uint64_t b, uint64_t *sum);
 *       The prefix is serve_ rather than the component's name so that a
 *       component may include its own client header too without a clash.
 *     component_dispatch() the switch that the PDX runtime enters with a
 *       method number (it overrides the runtime's weak default); it zeroes
 *       the results, so a method cannot leak stale words to its caller, and
 *       returns E_NO_METHOD (<pinfold/errors.h>) for a number it does not
 *       know.
 *     the declaration, without its comments, in the non-allocated section
 *       .pinfold.iface, where the kernel finds it at boot and parses it with
 *       this same parser: the kernel's method numbers are the stubs' by
 *       construction.
 *
 * A component name may contain '-': the file names keep it, C identifiers
 * get '_' instead (my-drv_client.h declares my_drv_ping and MY_DRV_M_PING).
 *
 * Built for the host with the kernel's parser and Pinfold's libc:
 *     gcc -std=gnu11 -O2 -Wall -Wextra -fno-builtin -I. -Ilibc/include \
 *         -o build/tools/idlgen tools/idlgen.c kernel/component/idl.c \
 *         kernel/component/manifest.c $(LIBC_SRCS)
 * (the Makefile's LIBC_SRCS: every libc .c file).
 * With -Ilibc/include, <stdio.h> is Pinfold's (snprintf, no FILE), so the few
 * host stdio calls used here are declared by hand below.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernel/component/idl.h"
#include "kernel/component/manifest.h"

/* The host C library (never the same names as Pinfold's libc). */
struct host_file;
extern struct host_file *stderr;
struct host_file *fopen(const char *path, const char *mode);
size_t fread(void *buf, size_t size, size_t n, struct host_file *f);
size_t fwrite(const void *buf, size_t size, size_t n, struct host_file *f);
int fclose(struct host_file *f);
int fputs(const char *s, struct host_file *f);
int rename(const char *from, const char *to);
int remove(const char *path);
void exit(int status) __attribute__((noreturn));

#define PATH_MAX_LEN 1024
#define OUT_MAX      (256 * 1024)       /* ample: 16 KiB of declaration, 32 stubs */

/* The file being generated. */
static char out[OUT_MAX];
static size_t out_len;

static const char *component;           /* as in the manifest, e.g. my-drv */
static char lower[MANIFEST_NAME_MAX + 1];  /* its C prefix, my_drv */
static char upper[MANIFEST_NAME_MAX + 1];  /* its macro prefix, MY_DRV */
static const char *idl_path;
static struct idl idl;
static char text[IDL_MAX_TEXT + 1];     /* +1 shows that a file is too long */
static size_t text_len;

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
	char msg[PATH_MAX_LEN + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fputs(msg, stderr);
	fputs("\n", stderr);
	exit(1);
}

__attribute__((format(printf, 1, 2)))
static void emit(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out + out_len, sizeof out - out_len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof out - out_len)
		die("idlgen: output too large");
	out_len += (size_t)n;
}

/* Upper-cases a name for a macro. */
static const char *upcase(const char *s)
{
	static char buf[IDL_NAME_MAX + 1];
	size_t i;

	for (i = 0; s[i] && i < IDL_NAME_MAX; i++)
		buf[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
	buf[i] = 0;
	return buf;
}

/* Writes out[] to path, through a temporary file so that no half file is left. */
static void write_out(const char *path)
{
	char tmp[PATH_MAX_LEN + 8];
	struct host_file *f;
	bool ok;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die("idlgen: cannot create %s", tmp);
	ok = fwrite(out, 1, out_len, f) == out_len;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		remove(tmp);
		die("idlgen: cannot write %s", path);
	}
	out_len = 0;
}

static void read_idl(void)
{
	struct host_file *f = fopen(idl_path, "r");

	if (!f)
		die("idlgen: cannot open %s", idl_path);
	text_len = fread(text, 1, sizeof text, f);
	fclose(f);
	if (text_len > IDL_MAX_TEXT)
		die("%s: longer than %d bytes", idl_path, IDL_MAX_TEXT);
}

static void banner(const char *what)
{
	emit("/*\n"
	     " * %s_%s.h — generated by tools/idlgen from %s; do not edit.\n"
	     " *\n", component, what, idl_path);
}

/* The numbers and names of the methods, with their interfaces as comments. */
static void emit_numbers(void)
{
	size_t width = 0;

	for (unsigned k = 0; k < idl.nmethods; k++) {
		size_t w = strlen(upper) + 3 + strlen(idl.methods[k].name);
		if (w > width)
			width = w;
	}
	emit("/* Method numbers: the order of the declarations in the .idl file. */\n");
	for (unsigned i = 0; i < idl.ninterfaces; i++) {
		const struct idl_interface *in = &idl.interfaces[i];
		emit("/* interface %s */\n", in->name);
		for (unsigned k = in->first; k < in->first + in->count; k++) {
			int pad = (int)(width - strlen(upper) - 3 - strlen(idl.methods[k].name));
			emit("#define %s_M_%s %*s%u\n", upper, upcase(idl.methods[k].name), pad, "",
			     k);
		}
	}
	emit("#define %s_METHODS %u\n\n", upper, idl.nmethods);
	emit("/* Method names by number: static const char *const n[] = %s_METHOD_NAMES; */\n",
	     upper);
	emit("#define %s_METHOD_NAMES {", upper);
	for (unsigned k = 0; k < idl.nmethods; k++)
		emit("%s \"%s\"", k ? "," : "", idl.methods[k].name);
	emit(" }\n");
}

/* "uint64_t a, uint64_t b, uint64_t *sum", or "void" for none (and for_stub: "cap_t cap, …"). */
static void emit_params(const struct idl_method *m, bool for_stub)
{
	const char *sep = "";

	if (for_stub) {
		emit("cap_t cap");
		sep = ", ";
	}
	for (unsigned a = 0; a < m->nargs; a++, sep = ", ")
		emit("%suint64_t %s", sep, m->args[a]);
	for (unsigned r = 0; r < m->nresults; r++, sep = ", ")
		emit("%suint64_t *%s", sep, m->results[r]);
	if (!*sep)
		emit("void");
}

static void emit_client(void)
{
	banner("client");
	emit(" * Calls to component '%s': one stub per method, each returning what\n"
	     " * pdx_invoke() returns, the method's status (>= 0) or a negative enum\n"
	     " * pinfold_error.  Result pointers may be NULL.\n"
	     " */\n"
	     "#ifndef PINFOLD_GEN_%s_CLIENT_H\n"
	     "#define PINFOLD_GEN_%s_CLIENT_H\n\n"
	     "#include <stdint.h>\n\n"
	     "#include <pinfold/pdx.h>\n\n", component, upper, upper);
	emit_numbers();
	for (unsigned k = 0; k < idl.nmethods; k++) {
		const struct idl_method *m = &idl.methods[k];

		if (k == 0 || m->iface != idl.methods[k - 1].iface)
			emit("\n/* interface %s */\n", idl.interfaces[m->iface].name);
		else
			emit("\n");
		emit("static inline int64_t %s_%s(", lower, m->name);
		emit_params(m, true);
		emit(")\n{\n\tconst uint64_t pdx_args[6] = {");
		for (unsigned a = 0; a < m->nargs; a++)
			emit("%s %s", a ? "," : "", m->args[a]);
		emit("%s };\n", m->nargs ? "" : " 0");
		emit("\tuint64_t pdx_results[2] = { 0, 0 };\n"
		     "\tint64_t pdx_rc = pdx_invoke(cap, %s_M_%s, pdx_args, pdx_results);\n\n",
		     upper, upcase(m->name));
		for (unsigned r = 0; r < m->nresults; r++)
			emit("\tif (%s)\n\t\t*%s = pdx_results[%u];\n", m->results[r],
			     m->results[r], r);
		emit("\treturn pdx_rc;\n}\n");
	}
	emit("\n#endif\n");
}

/*
 * The declaration for the kernel, as assembler .ascii lines in the
 * non-allocated section .pinfold.iface (kernel/component/elf.c accepts only
 * that, and only ASCII).  Comments are dropped, so prose in any language
 * cannot upset the loader, but every line keeps its number, so the kernel's
 * messages point at the right line of the .idl file.  What remains is the
 * parser's alphabet and blanks, none of which needs escaping but the newline.
 */
static void emit_iface_section(void)
{
	const char *p = text, *end = text + text_len;
	size_t pending = 0;             /* empty lines not yet written */

	emit("__asm__(\".pushsection .pinfold.iface,\\\"\\\",@progbits\\n\"\n");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *hash = memchr(p, '#', (size_t)(line_end - p));
		const char *code_end = hash ? hash : line_end;

		while (code_end > p && (code_end[-1] == ' ' || (code_end[-1] >= '\t' &&
								  code_end[-1] <= '\r')))
			code_end--;
		if (code_end == p) {
			pending++;
		} else {
			for (; pending; pending--)
				emit("\t\".ascii \\\"\\\\n\\\"\\n\"\n");
			emit("\t\".ascii \\\"");
			for (const char *q = p; q < code_end; q++)
				emit("%c", *q >= '\t' && *q <= '\r' ? ' ' : *q);
			emit("\\\\n\\\"\\n\"\n");
		}
		p = nl ? nl + 1 : end;
	}
	emit("\t\".popsection\\n\");\n");
}

static void emit_server(void)
{
	banner("server");
	emit(" * What component '%s' implements: one serve_ function per method, each\n"
	     " * returning a status (>= 0) or a negative enum pinfold_error and writing\n"
	     " * its results through the pointers (never NULL; preset to 0).  Include this\n"
	     " * header in exactly one .c file of the component: it defines\n"
	     " * component_dispatch(), which the PDX runtime enters, and puts the\n"
	     " * interface declaration in the image for the kernel.\n"
	     " */\n"
	     "#ifndef PINFOLD_GEN_%s_SERVER_H\n"
	     "#define PINFOLD_GEN_%s_SERVER_H\n\n"
	     "#include <stdint.h>\n\n"
	     "#include <pinfold/errors.h>\n"
	     "#include <pinfold/hot.h>\n"
	     "#include <pinfold/pdx.h>\n\n"
	     "#include \"%s_client.h\"\n", component, upper, upper, component);
	for (unsigned k = 0; k < idl.nmethods; k++) {
		const struct idl_method *m = &idl.methods[k];

		if (k == 0 || m->iface != idl.methods[k - 1].iface)
			emit("\n/* interface %s */\n", idl.interfaces[m->iface].name);
		emit("int64_t serve_%s(", m->name);
		emit_params(m, false);
		emit(");\n");
	}

	emit("\n/* Declared in <pinfold/pdx.h>; the PDX runtime enters it on every call. */\n"
	     "HOT int64_t component_dispatch(uint32_t method, const uint64_t args[6], "
	     "uint64_t results[2])\n"
	     "{\n"
	     "\t(void)args;\n"
	     "\tresults[0] = 0;\n"
	     "\tresults[1] = 0;\n"
	     "\tswitch (method) {\n");
	for (unsigned k = 0; k < idl.nmethods; k++) {
		const struct idl_method *m = &idl.methods[k];
		const char *sep = "";

		emit("\tcase %s_M_%s:\n\t\treturn serve_%s(", upper, upcase(m->name), m->name);
		for (unsigned a = 0; a < m->nargs; a++, sep = ", ")
			emit("%sargs[%u]", sep, a);
		for (unsigned r = 0; r < m->nresults; r++, sep = ", ")
			emit("%s&results[%u]", sep, r);
		emit(");\n");
	}
	emit("\tdefault:\n\t\treturn E_NO_METHOD;\n\t}\n}\n\n");

	emit("/* The declaration for the kernel: %s without its comments. */\n", idl_path);
	emit_iface_section();
	emit("\n#endif\n");
}

int main(int argc, char **argv)
{
	static char path[PATH_MAX_LEN];
	static char err[PATH_MAX_LEN + 128];
	size_t n;

	if (argc != 4)
		die("usage: idlgen COMPONENT IN.idl OUTDIR");
	component = argv[1];
	idl_path = argv[2];
	n = strlen(component);
	if (!manifest_is_name(component, n))
		die("idlgen: bad component name '%.40s' (a-z, then a-z, 0-9, _ or -; at most %d "
		    "characters)", component, MANIFEST_NAME_MAX);
	for (size_t i = 0; i <= n; i++) {
		char c = component[i] == '-' ? '_' : component[i];
		lower[i] = c;
		upper[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}

	for (const char *p = idl_path; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || (p[0] == '*' && p[1] == '/'))
			die("idlgen: the path %s would not fit in a C comment", idl_path);
	read_idl();
	if (idl_parse(text, text_len, idl_path, &idl, err, sizeof err))
		die("%s", err);

	if ((size_t)snprintf(path, sizeof path, "%s/%s_client.h", argv[3], component) >=
	    sizeof path)
		die("idlgen: output path too long");
	emit_client();
	write_out(path);
	snprintf(path, sizeof path, "%s/%s_server.h", argv[3], component);
	emit_server();
	write_out(path);
	return 0;
}
