/*
 * shell.c — the console shell, a user-level component.
 *
 * It reads the keyboard through the serial driver (serial.subscribe names an
 * event the driver signals when bytes arrive; serial.read fetches them),
 * edits lines (lineedit.c), splits them into words (words.c) and runs one
 * command per line.  Everything it prints goes to the kernel's console log
 * (SYS_LOG), which the serial driver writes out.  The console contract
 * (DESIGN.md): the prompt "pinfold> " after "pinfold: ready" and after every
 * command; a failed command prints one line starting "error: ".
 *
 * When the serial driver restarts, its subscription is gone: the shell
 * notices that serial.read fails and subscribes again once it answers.
 */
#include <pinfold/kcall.h>
#include <stdio.h>
#include <string.h>

#include "components/crashme/kinds.h"
#include "components/shell/bench_disk.h"
#include "components/shell/devices.h"
#include "components/shell/edu_command.h"
#include "components/shell/error.h"
#include "components/shell/disk.h"
#include "components/shell/files.h"
#include "components/shell/lineedit.h"
#include "components/shell/words.h"
#include "edu_client.h"
#include "serial_client.h"

#define MS 1000000ull
#define PROMPT "pinfold> "

static cap_t serial;
static int64_t input_event = -1;
static struct lineedit editor;          /* ~4.5 KiB: static, not on the stack */
static struct words words;

static void echo(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	log_write(s, n);
}

void shell_error(const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_printf("error: %s\n", msg);
}

/* Prints the error line and leaves the command. */
#define FAIL(...) do { shell_error(__VA_ARGS__); return; } while (0)

/* The contract's states: a component running its init is on its way up, "restarting". */
static const char *const state_names[] = { "restarting", "running", "restarting", "failed", "stopped" };

static bool component_arg(const char *name, struct component_info *info)
{
	if (component_find(name, info) >= 0)
		return true;
	shell_error("no component named '%s' (see ps)", name);
	return false;
}

/* Method `m` of component `id` as text, e.g. "mix(a, b) -> (x)"; false past the last. */
static bool method_text(uint64_t id, uint64_t m, char *buf, size_t size)
{
	return kcall(SYS_COMPONENT_METHOD, id, m, (uint64_t)buf, size).status >= 0;
}

/* The number of method `method` of component `id`, and how many arguments it takes; -1 if none. */
static int method_index(uint64_t id, const char *method, unsigned *nargs)
{
	char text[160];
	for (uint64_t m = 0; method_text(id, m, text, sizeof text); m++) {
		const char *paren = strchr(text, '(');
		size_t len = paren ? (size_t)(paren - text) : strlen(text);
		if (strlen(method) == len && strncmp(text, method, len) == 0) {
			*nargs = 0;
			if (text[len + 1] != ')')
				for (char *p = text + len; *p && *p != ')'; p++)
					*nargs += *p == '(' || *p == ',';
			return (int)m;
		}
	}
	return -1;
}

static void cmd_help(void);

static void cmd_ps(void)
{
	struct component_info info;
	log_printf("%-4s %-12s %-11s %s\n", "ID", "NAME", "STATE", "RESTARTS");
	for (uint64_t id = 0; kcall(SYS_COMPONENT_INFO, id, (uint64_t)&info, 0, 0).status == 0; id++)
		log_printf("%-4u %-12s %-11s %u\n", info.id, info.name,
			   info.state < 5 ? state_names[info.state] : "?", info.restarts);
}

static void cmd_methods(void)
{
	struct component_info info;
	char text[160];
	if (words.count != 2)
		FAIL("usage: methods NAME");
	if (!component_arg(words.v[1], &info))
		return;
	if (!info.nmethods) {
		log_printf("%s declares no methods\n", info.name);
		return;
	}
	for (uint64_t m = 0; method_text(info.id, m, text, sizeof text); m++)
		log_printf("  %lu %s\n", m, text);
}

static void cmd_call(void)
{
	struct component_info info;
	unsigned nargs;
	uint64_t args[6] = { 0 }, results[2] = { 0 };
	if (words.count < 3)
		FAIL("usage: call NAME METHOD [ARG...]");
	if (!component_arg(words.v[1], &info))
		return;
	int m = method_index(info.id, words.v[2], &nargs);
	if (m < 0)
		FAIL("%s has no method '%s' (see methods %s)", info.name, words.v[2], info.name);
	if ((unsigned)words.count - 3 != nargs)
		FAIL("%s.%s takes %u argument%s, not %d", info.name, words.v[2], nargs,
			     nargs == 1 ? "" : "s", words.count - 3);
	for (unsigned i = 0; i < nargs; i++)
		if (!words_number(words.v[3 + i], &args[i]))
			FAIL("argument %u: '%s' is not a number", i + 1, words.v[3 + i]);
	int64_t cap = cap_lookup(info.name);
	if (cap < 0)
		FAIL("the shell holds no capability for %s", info.name);
	int64_t status = pdx_invoke((cap_t)cap, (uint32_t)m, args, results);
	if (status < 0)
		FAIL("%s.%s: %s", info.name, words.v[2],
			     pinfold_strerror(status) ? pinfold_strerror(status) : "failed");
	log_printf("status %ld, results %lu 0x%lx, %lu 0x%lx\n", (long)status,
		   results[0], results[0], results[1], results[1]);
}

static void cmd_control(int op, const char *usage, const char *done, const char *busy)
{
	struct component_info info;
	if (words.count != 2)
		FAIL("usage: %s", usage);
	if (!component_arg(words.v[1], &info))
		return;
	int64_t r = kcall(SYS_COMPONENT_CONTROL, info.id, (uint64_t)op, 0, 0).status;
	if (r < 0)
		FAIL("%s %s: %s", words.v[0], info.name,
			     r == E_BUSY ? busy : pinfold_strerror(r) ? pinfold_strerror(r) : "failed");
	log_printf("%s %s\n", done, info.name);
}

static void cmd_inject(void)
{
	struct component_info info;
	unsigned nargs;
	if (words.count == 1) {
		log_printf("kinds:");
		for (int k = 0; k < CRASH_KINDS; k++)
			log_printf(" %s", crash_kinds[k]);
		log_printf("\n");
		return;
	}
	if (words.count != 3)
		FAIL("usage: inject NAME KIND (inject alone lists the kinds)");
	if (!component_arg(words.v[1], &info))
		return;
	uint64_t kind = CRASH_KINDS;
	for (uint64_t k = 0; k < CRASH_KINDS; k++)
		if (strcmp(words.v[2], crash_kinds[k]) == 0)
			kind = k;
	if (kind == CRASH_KINDS)
		FAIL("unknown kind '%s' (inject alone lists the kinds)", words.v[2]);
	int m = method_index(info.id, "inject", &nargs);
	int64_t cap = cap_lookup(info.name);
	if (m < 0 || cap < 0)
		FAIL("%s cannot be injected (no inject method, or no capability for it)", info.name);
	uint64_t args[6] = { kind }, results[2];
	int64_t r = pdx_invoke((cap_t)cap, (uint32_t)m, args, results);
	if (r == E_INVAL)
		FAIL("%s does not know the kind '%s'", info.name, words.v[2]);
	log_printf("inject %s %s: %s\n", info.name, words.v[2],
		   r == E_CALLEE_FAILED ? "it failed, as asked" : r < 0 ? pinfold_strerror(r) : "it survived");
}

static void cmd_log(void)
{
	static char text[2048];
	struct kcall_result r = kcall(SYS_CONSOLE_RECENT, (uint64_t)text, sizeof text, 0, 0);
	if (r.status < 0)
		FAIL("log: %s", pinfold_strerror(r.status));
	/* Start after the first line break: the text may begin mid-line.  Each line
	 * is indented, so that no replayed line passes for a live one. */
	const char *p = memchr(text, '\n', r.value), *end = text + r.value;
	p = p ? p + 1 : text;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = eol ? (size_t)(eol - p) + 1 : (size_t)(end - p);
		log_write("  ", 2);
		log_write(p, len);
		p += len;
	}
	log_write("\n", 1);
}

/* bench pin [ROUNDS]: edu.bench_pin for 1, 16 and 256 pages; edu prints the bench: lines. */
static void bench_pin(void)
{
	static const uint64_t sizes[] = { 1, 16, 256 };
	uint64_t rounds = 200, median, p99;
	if (words.count == 3 && (!words_number(words.v[2], &rounds) || rounds < 1 || rounds > 1000))
		FAIL("bench pin: ROUNDS is a number from 1 to 1000, not '%s'", words.v[2]);
	int64_t cap = cap_lookup("edu");
	if (cap < 0)
		FAIL("bench pin: the shell holds no capability for edu");
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		int64_t r = edu_bench_pin((cap_t)cap, sizes[i], rounds, &median, &p99);
		if (r < 0)
			FAIL("bench pin: %lu page%s: %s", sizes[i], sizes[i] == 1 ? "" : "s", pinfold_strerror(r));
	}
	log_printf("bench: done\n");
}

static void cmd_bench(void)
{
	uint64_t args[6] = { 0 }, results[2];
	unsigned nargs;
	struct component_info info;
	if (words.count >= 2 && words.count <= 3 && strcmp(words.v[1], "pin") == 0) {
		bench_pin();
		return;
	}
	if (words.count >= 2 && strcmp(words.v[1], "disk") == 0) {
		shell_bench_disk(&words);
		return;
	}
	if (words.count != 2 || strcmp(words.v[1], "ipc") != 0)
		FAIL("usage: bench ipc | bench pin [ROUNDS] | bench disk [MS [DISK]]");
	int64_t cap = cap_lookup("benchipc");
	if (cap < 0 || component_find("benchipc", &info) < 0)
		FAIL("no benchmark component");
	int m = method_index(info.id, "run", &nargs);
	int64_t r = pdx_invoke((cap_t)cap, (uint32_t)m, args, results);
	if (r < 0)
		FAIL("bench ipc: %s", pinfold_strerror(r));
}

/* mem: the frame counts a leak would show; mem NAME ADDR: where a page of NAME is in RAM. */
static void cmd_mem(void)
{
	struct component_info info;
	uint64_t va;
	if (words.count == 1) {
		log_printf("frames: %lu free, %lu pinned for DMA, %lu freed but still pinned\n",
			   kernel_info(INFO_FREE_FRAMES), kernel_info(INFO_PINNED_FRAMES),
			   kernel_info(INFO_DEFERRED_FRAMES));
		return;
	}
	if (words.count != 3)
		FAIL("usage: mem [NAME ADDR]");
	if (!component_arg(words.v[1], &info))
		return;
	if (!words_number(words.v[2], &va))
		FAIL("'%s' is not an address", words.v[2]);
	struct kcall_result r = kcall(SYS_INFO, INFO_PHYS, info.id, va, 0);
	if (r.status < 0)
		FAIL("mem %s 0x%lx: %s", info.name, va,
		     r.status == E_FAULT ? "not mapped" : pinfold_strerror(r.status));
	log_printf("%s 0x%lx is at physical 0x%lx\n", info.name, va, r.value);
}

static void cmd_edu(void) { shell_edu(&words); }
static void cmd_disk(void) { shell_disk(&words); }
static void cmd_files(void) { shell_files(&words); }
static void cmd_kill(void) { cmd_control(CONTROL_KILL, "kill NAME", "killed", "it is not running"); }
static void cmd_restart(void)
{
	cmd_control(CONTROL_RESTART, "restart NAME", "restarting", "it is restarting already");
}

static const struct {
	const char *name;
	void (*run)(void);
	const char *help;
} commands[] = {
	{ "help", cmd_help, "list the commands" },
	{ "ps", cmd_ps, "every component: id, name, state, restarts" },
	{ "methods", cmd_methods, "methods NAME: the methods of a component, with argument names" },
	{ "call", cmd_call, "call NAME METHOD [ARG...]: invoke a method, print its results" },
	{ "inject", cmd_inject, "inject NAME KIND: make a component fail; inject alone lists the kinds" },
	{ "kill", cmd_kill, "kill NAME: crash a component (its restart policy applies)" },
	{ "restart", cmd_restart, "restart NAME: start a component afresh, even a failed one" },
	{ "log", cmd_log, "the most recent console output" },
	{ "lspci", shell_lspci, "every PCI function: address, ids, class, driver" },
	{ "iommu", shell_iommu, "DMA and interrupt remapping, device domains, recent faults" },
	{ "edu", cmd_edu, "edu [NAME] [fact N | dma LEN | live VALUE]: the edu devices; alone, each instance" },
	{ "disk", cmd_disk, "disk [read|queue LBA COUNT | write LBA COUNT BYTE | flush]: the AHCI disks" },
	{ "ls", cmd_files, "ls [PATH]: a directory of disk 0's FAT file system (size or <dir>, name)" },
	{ "cat", cmd_files, "cat PATH: print a text file" },
	{ "sum", cmd_files, "sum PATH: the SHA-256 of a file, as sha256sum prints it" },
	{ "write", cmd_files, "write PATH TEXT...: create or replace a file with TEXT and a newline" },
	{ "append", cmd_files, "append PATH TEXT...: add TEXT and a newline at the end of a file" },
	{ "rm", cmd_files, "rm PATH: remove a file or an empty directory" },
	{ "mkdir", cmd_files, "mkdir PATH: make a directory" },
	{ "mem", cmd_mem, "frames free and pinned; mem NAME ADDR: the physical address of a page" },
	{ "bench", cmd_bench, "bench ipc | pin [ROUNDS] | disk [MS [DISK]]: PDX, pin+unpin, disk reads (bench: lines)" },
};

static void cmd_help(void)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		log_printf("  %-8s %s\n", commands[i].name, commands[i].help);
}

static void run_line(const char *line)
{
	char err[100];
	if (words_split(line, &words, err, sizeof err) < 0)
		FAIL("%s", err);
	if (words.count == 0)
		return;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(words.v[0], commands[i].name) == 0) {
			commands[i].run();
			return;
		}
	shell_error("unknown command '%s' (try help)", words.v[0]);
}

static void feed(uint8_t byte)
{
	switch (lineedit_feed(&editor, byte, echo, NULL)) {
	case LINEEDIT_NONE:
		return;
	case LINEEDIT_LINE:
		run_line(lineedit_line(&editor));
		break;
	case LINEEDIT_ERROR:
		shell_error("%s", lineedit_error(&editor));
		break;
	case LINEEDIT_CANCELLED:
		break;
	}
	log_write(PROMPT, sizeof PROMPT - 1);
}

/* (Re)subscribes to the driver's input; a restarted driver lost both the subscription and,
 * with its crash, the right to signal the event (kernel/component/event.c). */
static bool subscribe(void)
{
	int64_t r = event_grant(input_event, serial);
	if (r < 0 && r != E_BUSY)
		return false;
	return serial_subscribe(serial, (uint64_t)input_event) == 0;
}

static void shell_main(uint64_t arg)
{
	(void)arg;
	while (!kernel_info(INFO_READY))
		sleep_ns(10 * MS);
	bool subscribed = subscribe();
	log_write(PROMPT, sizeof PROMPT - 1);
	for (;;) {
		/* The timeout is the safety net for a signal lost while the driver restarted. */
		bool signalled = event_wait(input_event, 100 * MS) == 0;
		uint64_t bytes, count;
		int64_t r;
		bool got = false;
		while ((r = serial_read(serial, &bytes, &count)) == 0 && count) {
			got = true;
			for (uint64_t i = 0; i < count; i++)
				feed((uint8_t)(bytes >> (8 * i)));
		}
		if (r < 0)
			subscribed = false;     /* the driver is down: its restart forgets us */
		else if (!subscribed || (got && !signalled))
			subscribed = subscribe();       /* input came unannounced: it restarted unseen */
	}
}

int64_t component_init(void)
{
	int64_t s = cap_lookup("serial");
	if (s < 0)
		return s;
	serial = (cap_t)s;
	input_event = event_create();
	if (input_event < 0)
		return input_event;
	int64_t r = event_grant(input_event, serial);
	if (r < 0)
		return r;
	lineedit_init(&editor);
	r = thread_create(shell_main, 0, 10);
	return r < 0 ? r : 0;
}
