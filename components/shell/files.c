/*
 * files.c — the shell's file commands, on the FAT file system of disk 0
 * (components/fat, fat.idl).
 *
 *   ls [PATH]          a directory's entries (size, or <dir>, and the long name); a file's own line
 *   cat PATH           a text file's bytes; a binary file is refused (use sum)
 *   sum PATH           the file's SHA-256, printed as sha256sum prints it: "HEX  PATH"
 *   write PATH TEXT... creates PATH, or replaces what it held, with the words of TEXT
 *                      joined by single spaces and a newline
 *   append PATH TEXT.. the same at the end of PATH (created if it is not there)
 *   rm PATH            removes a file or an empty directory
 *   mkdir PATH         makes a directory
 *
 * Every call to fat carries one buffer of the shell's heap, granted to fat
 * for that call only (GRANT_ONE_CALL, read-write): the path at its start,
 * then the data, up to CHUNK bytes.  fat is stateless between calls, so a
 * file is read in pieces at increasing offsets, each a call of its own.
 * When fat refuses, its explain() says why, and the error line carries it.
 */
#include "components/shell/files.h"
#include "components/shell/error.h"

#include <pinfold/kcall.h>
#include <sha256.h>
#include <stdio.h>
#include <string.h>
#include <utf8.h>

#include "components/fat/listing.h"
#include "fat_client.h"

#define CHUNK (64 * 1024)               /* data bytes per call */
#define PATH_ROOM 4096                  /* a path fits a page (a word is at most 127 bytes) */
#define BUFFER_SIZE (PATH_ROOM + CHUNK)
#define TEXT_MAX 4096                   /* write's text: the line is shorter still */

static uint8_t *buffer;
static cap_t fat = (cap_t)-1;

/* The buffer, allocated on first use, and my capability for fat. */
static bool ready(void)
{
	if (!buffer && !(buffer = mem_alloc(BUFFER_SIZE))) {
		shell_error("no memory for a %u KiB buffer", BUFFER_SIZE / 1024);
		return false;
	}
	if (fat == (cap_t)-1) {
		int64_t c = cap_lookup("fat");
		if (c < 0) {
			shell_error("no file system component (fat)");
			return false;
		}
		fat = (cap_t)c;
	}
	return true;
}

static int64_t path_len;                /* of the path prepare() put in the buffer */
static int64_t call_grant = -1;

/*
 * Puts the path at the buffer's start and grants the buffer to fat for the
 * next call; false (after the error line) if it cannot.
 */
static bool prepare(const char *command, const char *path)
{
	size_t len = strlen(path);
	if (len == 0 || len > PATH_ROOM) {
		shell_error("%s: a path of 1 to %u bytes", command, PATH_ROOM);
		return false;
	}
	memcpy(buffer, path, len);
	path_len = (int64_t)len;
	call_grant = mem_grant(buffer, BUFFER_SIZE, fat, GRANT_READ | GRANT_WRITE | GRANT_ONE_CALL);
	if (call_grant < 0) {
		shell_error("%s %s: cannot grant the buffer to fat: %s", command, path,
			    pinfold_strerror(call_grant));
		return false;
	}
	return true;
}

/*
 * true if the call succeeded; else the error line, with fat's own
 * explanation when it has one.  A call the kernel refused (fat restarting,
 * say) left the one-call grant unused: it is taken back, so that the next
 * call can make its own.
 */
static bool answered(const char *command, const char *path, int64_t err)
{
	if (err >= 0)
		return true;
	mem_revoke(call_grant);         /* E_NOT_FOUND if the call used it, as it does */
	char why[200] = "";
	uint64_t n = 0;
	if (err != E_CALLEE_FAILED && err != E_CALLEE_RESTARTING && err != E_NO_CAP &&
	    err != E_NOT_PERMITTED && err != E_NO_METHOD &&
	    (call_grant = mem_grant(buffer, BUFFER_SIZE, fat, GRANT_READ | GRANT_WRITE | GRANT_ONE_CALL)) >= 0) {
		if (fat_explain(fat, (uint64_t)buffer, sizeof why - 1, &n) == 0 && n < sizeof why) {
			memcpy(why, buffer, n);
			why[n] = 0;
		} else {
			mem_revoke(call_grant);
		}
	}
	const char *text = pinfold_strerror(err);
	shell_error("%s %s: %s", command, path, why[0] ? why : text ? text : "failed");
	return false;
}

#define BUF ((uint64_t)buffer)

static void print_entry(const char *name, size_t name_len, uint32_t size, uint8_t attributes)
{
	if (attributes & FAT_LISTING_DIRECTORY)
		log_printf("     <dir>  %.*s/\n", (int)name_len, name);
	else
		log_printf("%10u  %.*s\n", size, (int)name_len, name);
}

static void ls(const char *path)
{
	uint64_t size, attributes, count, next = 0, entries = 0;
	if (!prepare("ls", path) || !answered("ls", path, fat_lookup(fat, BUF, path_len, &size, &attributes)))
		return;
	if (!(attributes & FAT_LISTING_DIRECTORY)) {
		print_entry(path, strlen(path), (uint32_t)size, (uint8_t)attributes);
		return;
	}
	do {
		if (!prepare("ls", path) ||
		    !answered("ls", path, fat_list(fat, BUF, path_len, next, CHUNK, &count, &next)))
			return;
		/* fat packed them; each is checked to lie within the buffer all the same. */
		uint64_t at = 0;
		for (uint64_t i = 0; i < count; i++) {
			struct fat_listing_entry e;
			if (sizeof e > CHUNK - at)
				break;
			memcpy(&e, buffer + at, sizeof e);
			if (fat_listing_size(e.name_len) > CHUNK - at)
				break;
			print_entry((const char *)buffer + at + sizeof e, e.name_len, e.size, e.attributes);
			at += fat_listing_size(e.name_len);
		}
		entries += count;
	} while (next && count);
	log_printf("%lu %s\n", entries, entries == 1 ? "entry" : "entries");
}

/* Text: printable ASCII, tab, newline, carriage return and UTF-8's bytes (>= 0x80). */
static bool is_text(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') || p[i] == 0x7f)
			return false;
	return true;
}

/*
 * Reads the whole file in CHUNK pieces, handing each to `piece` (which may
 * stop the walk by returning false).  The file's size comes with the
 * first piece; a file that changes meanwhile is read as far as it goes.
 */
static bool read_file(const char *command, const char *path, bool (*piece)(const uint8_t *, size_t, void *),
		      void *ctx, uint64_t *total)
{
	uint64_t offset = 0, bytes, size;
	do {
		if (!prepare(command, path) ||
		    !answered(command, path, fat_read_bytes(fat, BUF, path_len, offset, CHUNK, &bytes, &size)))
			return false;
		if (bytes > CHUNK) {
			shell_error("%s %s: fat returned %lu bytes for %u", command, path, bytes, CHUNK);
			return false;
		}
		if (bytes && !piece(buffer, bytes, ctx))
			return false;
		offset += bytes;
	} while (bytes && offset < size);
	*total = offset;
	return true;
}

/*
 * cat's pieces are CHUNK bytes of the file, and a UTF-8 character may be cut
 * by a piece's end; written so, the console would show its halves as '?'s
 * (kernel/logtext.h).  So a piece's unfinished last character is carried
 * and written with the first bytes of the next piece.
 */
struct cat_state {
	const char *path;
	bool ends_in_newline;
	char carry[UTF8_MAX];           /* the start of a character the last piece cut */
	size_t ncarry;
};

/* How many of the last bytes of p[0..n) start a character that p does not finish. */
static size_t unfinished_tail(const uint8_t *p, size_t n)
{
	for (size_t i = 1; i <= n && i < UTF8_MAX; i++)
		if (!utf8_continuation(p[n - i]))
			return utf8_length(p[n - i]) > i ? i : 0;
	return 0;
}

static bool cat_piece(const uint8_t *p, size_t n, void *ctx)
{
	struct cat_state *s = ctx;
	if (!is_text(p, n)) {
		if (!s->ends_in_newline)        /* text came before: the error line starts its own */
			log_write("\n", 1);
		shell_error("cat %s: not a text file (use sum)", s->path);
		return false;
	}
	if (s->ncarry) {
		size_t head = 0, need = utf8_length((uint8_t)s->carry[0]) - s->ncarry;
		while (head < need && head < n && utf8_continuation(p[head]))
			s->carry[s->ncarry + head] = (char)p[head], head++;
		log_write(s->carry, s->ncarry + head);
		s->ncarry = 0;
		p += head, n -= head;
	}
	size_t tail = unfinished_tail(p, n);
	log_write((const char *)p, n - tail);
	memcpy(s->carry, p + n - tail, tail);
	s->ncarry = tail;
	if (n)
		s->ends_in_newline = p[n - 1] == '\n';
	return true;
}

static void cat(const char *path)
{
	struct cat_state s = { path, true, { 0 }, 0 };
	uint64_t total;
	bool read = read_file("cat", path, cat_piece, &s, &total);
	log_write(s.carry, s.ncarry);   /* a file that ends inside a character: shown as '?' */
	/* The prompt must start a line of its own. */
	if (read && !s.ends_in_newline)
		log_write("\n", 1);
}

static bool sum_piece(const uint8_t *p, size_t n, void *ctx)
{
	sha256_update(ctx, p, n);
	return true;
}

static void sum(const char *path)
{
	static struct sha256 hash;
	uint8_t digest[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE];
	uint64_t total;
	sha256_init(&hash);
	if (!read_file("sum", path, sum_piece, &hash, &total))
		return;
	sha256_final(&hash, digest);
	sha256_hex(digest, hex);
	log_printf("%s  %s\n", hex, path);
}

/* write and append: the words after the path, joined by single spaces, and a newline. */
static void write_text(const char *command, const char *path, const struct words *w)
{
	static char text[TEXT_MAX];
	size_t n = 0;
	for (int i = 2; i < w->count; i++) {
		size_t len = strlen(w->v[i]);
		if (n + len + 1 > sizeof text) {
			shell_error("%s: the text is too long", command);
			return;
		}
		memcpy(text + n, w->v[i], len);
		n += len;
		text[n++] = i + 1 < w->count ? ' ' : '\n';
	}
	bool append = strcmp(command, "append") == 0;
	uint64_t size, created;
	if (!prepare(command, path))
		return;
	memcpy(buffer + path_len, text, n);
	if (!answered(command, path, fat_write_bytes(fat, BUF, path_len, n, append, &size, &created)))
		return;
	log_printf("%s %s: %lu bytes\n", created ? "created" : append ? "appended to" : "replaced", path, size);
}

void shell_files(const struct words *w)
{
	const char *command = w->v[0];
	if (!ready())
		return;
	const char *path = w->v[1];
	if (strcmp(command, "ls") == 0) {
		if (w->count > 2)
			shell_error("usage: ls [PATH]");
		else
			ls(w->count == 2 ? w->v[1] : "/");
	} else if (strcmp(command, "write") == 0 || strcmp(command, "append") == 0) {
		if (w->count < 3)
			shell_error("usage: %s PATH TEXT...", command);
		else
			write_text(command, path, w);
	} else if (w->count != 2) {
		shell_error("usage: %s PATH", command);
	} else if (strcmp(command, "cat") == 0) {
		cat(path);
	} else if (strcmp(command, "sum") == 0) {
		sum(path);
	} else if (strcmp(command, "rm") == 0) {
		if (prepare(command, path))
			answered(command, path, fat_unlink(fat, BUF, path_len));
	} else if (strcmp(command, "mkdir") == 0) {
		if (prepare(command, path))
			answered(command, path, fat_make_dir(fat, BUF, path_len));
	}
}
