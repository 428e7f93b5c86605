/*
 * test_manifest.c — the boot manifest parser and its resolution into
 * capabilities (kernel/component/manifest.c).
 *
 * As in test_idl.c, every text reaches the parser as an exact-size heap copy
 * with no NUL after it, so ASan catches a read past the end.  The example of
 * manifest.h is checked field by field, every error path has its exact
 * message, and a seeded fuzz loop throws garbage and damaged manifests at
 * both the parser and the resolver.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/component/idl.h"
#include "kernel/component/manifest.h"
#include "tests/unit/host.h"
#include "tests/unit/random.h"
#include "unit.h"

static struct manifest man;
static char err[256];

static const char *parse_n(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	const char *r;

	memcpy(copy, text, len);
	r = manifest_parse(copy, len, &man, err, sizeof err);
	free(copy);
	if (r)
		CHECK(r == err);
	return r;
}

static const char *parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static void parse_idl(struct idl *out, const char *text)
{
	char e[128];
	const char *r = idl_parse(text, strlen(text), "t.idl", out, e, sizeof e);
	CHECK_STR(r, NULL);
}

static const char example[] =
	"# Pinfold boot manifest: the components the kernel starts, and the authority each gets.\n"
	"component hello\n"
	"    image hello.elf                 # GRUB module name; default NAME.elf\n"
	"    call world.ping world.add       # capabilities: TARGET.METHOD, or TARGET.* for every "
	"method\n"
	"    ports 0x3f8-0x3ff               # I/O port range (hex or decimal, single port "
	"allowed: 0x60)\n"
	"    irq 4                           # interrupt line (0..255)\n"
	"    pci 1234:11e8                   # a PCI device it may claim (vendor:device, hex)\n"
	"    restart max=5 window=10000 backoff=10    # at most 5 restarts per 10000 ms, 10 ms "
	"back-off; default max=3 window=10000 backoff=0\n"
	"    stacks 4                        # entry stacks (1..16, default 4)\n"
	"    priority 5                      # 0..31, default 10\n"
	"    heap 1024                       # KiB of heap (0..65536, default 256)\n"
	"component world\n"
	"    image world.elf\n";

static const char world_idl[] =
	"interface world\n"
	"    ping(x) -> (y)\n"
	"    add(a, b) -> (sum)\n"
	"    reset()\n";

TEST(manifest_example_every_field)
{
	CHECK(parse(example) == NULL);
	CHECK_EQ(man.ncomponents, 2);

	const struct manifest_component *h = &man.components[0];
	CHECK_STR(h->name, "hello");
	CHECK_STR(h->image, "hello.elf");
	CHECK_EQ(h->ncalls, 2);
	CHECK_STR(h->calls[0].target, "world");
	CHECK_STR(h->calls[0].method, "ping");
	CHECK_STR(h->calls[1].target, "world");
	CHECK_STR(h->calls[1].method, "add");
	CHECK_EQ(h->nports, 1);
	CHECK_EQ(h->ports[0].first, 0x3f8);
	CHECK_EQ(h->ports[0].last, 0x3ff);
	CHECK_EQ(h->nirqs, 1);
	CHECK_EQ(h->irqs[0], 4);
	CHECK_EQ(h->npci, 1);
	CHECK_EQ(h->pci[0].vendor, 0x1234);
	CHECK_EQ(h->pci[0].device, 0x11e8);
	CHECK_EQ(h->restart_max, 5);
	CHECK_EQ(h->restart_window, 10000);
	CHECK_EQ(h->restart_backoff, 10);
	CHECK_EQ(h->stacks, 4);
	CHECK_EQ(h->priority, 5);
	CHECK_EQ(h->heap_kib, 1024);
	CHECK_EQ(h->ncaps, 0);

	const struct manifest_component *w = &man.components[1];
	CHECK_STR(w->name, "world");
	CHECK_STR(w->image, "world.elf");
	CHECK_EQ(w->ncalls, 0);
	CHECK_EQ(w->nports, 0);
	CHECK_EQ(w->nirqs, 0);
	CHECK_EQ(w->npci, 0);
	CHECK_EQ(w->restart_max, 3);
	CHECK_EQ(w->restart_window, 10000);
	CHECK_EQ(w->restart_backoff, 0);
	CHECK_EQ(w->stacks, 4);
	CHECK_EQ(w->priority, 10);
	CHECK_EQ(w->heap_kib, 256);

	CHECK_EQ(manifest_find(&man, "hello"), 0);
	CHECK_EQ(manifest_find(&man, "world"), 1);
	CHECK_EQ(manifest_find(&man, "nosuch"), -1);
	CHECK_EQ(manifest_find(&man, NULL), -1);

	/* Resolution: hello gets one capability, for world's methods 0 and 1. */
	static struct idl wi;
	parse_idl(&wi, world_idl);
	const struct idl *idls[] = { NULL, &wi };
	CHECK(manifest_resolve(&man, idls, err, sizeof err) == NULL);
	CHECK_EQ(h->ncaps, 1);
	CHECK_EQ(h->caps[0].target, 1);
	CHECK_EQ(h->caps[0].methods, 0x3);
	CHECK_EQ(w->ncaps, 0);
	CHECK_EQ(manifest_cap_find(&man, 0, "world"), 0);
	CHECK_EQ(manifest_cap_find(&man, 0, "hello"), -1);
	CHECK_EQ(manifest_cap_find(&man, 1, "hello"), -1);
	CHECK_EQ(manifest_cap_find(&man, 5, "world"), -1);
	CHECK_EQ(manifest_cap_find(&man, 0, "nosuch"), -1);
}

TEST(manifest_defaults_repeats_and_layout)
{
	CHECK(parse("") == NULL);
	CHECK_EQ(man.ncomponents, 0);
	CHECK(parse("# nothing\n\n  \t\n") == NULL);
	CHECK_EQ(man.ncomponents, 0);

	CHECK(parse("component a-b_9\n"
		    "  call x.f x.*   y.g\n"
		    "\tcall x.f\r\n"
		    "  ports 0x60 100-0x70 010\n"
		    "  ports 0x3f8-0x3ff 0x3fa-0x3fb\n"        /* overlap within one component */
		    "  irq 0 255\n"
		    "  irq 0\n"
		    "  pci ABCD:ef01 1:2\n"
		    "  pci 8086:2922\n"
		    "  restart window=1 max=0\n"
		    "  stacks 16\n"
		    "  priority 0\n"
		    "  heap 0\n"
		    "component x\n"
		    "  image /boot/x-1.0.elf\n"
		    "  restart backoff=60000\n"
		    "component y\n"
		    "  stacks 1\n"
		    "  priority 31\n"
		    "  heap 65536\n"
		    "  restart max=1000 window=86400000") == NULL);
	CHECK_EQ(man.ncomponents, 3);
	const struct manifest_component *a = &man.components[0];
	CHECK_STR(a->name, "a-b_9");
	CHECK_STR(a->image, "a-b_9.elf");
	CHECK_EQ(a->ncalls, 4);
	CHECK_STR(a->calls[1].method, "*");
	CHECK_STR(a->calls[2].target, "y");
	CHECK_STR(a->calls[3].method, "f");
	CHECK_EQ(a->nports, 5);
	CHECK_EQ(a->ports[0].first, 0x60);
	CHECK_EQ(a->ports[0].last, 0x60);
	CHECK_EQ(a->ports[1].first, 100);
	CHECK_EQ(a->ports[1].last, 0x70);
	CHECK_EQ(a->ports[2].first, 10);    /* decimal, not octal */
	CHECK_EQ(a->ports[4].first, 0x3fa);
	CHECK_EQ(a->nirqs, 3);
	CHECK_EQ(a->irqs[1], 255);
	CHECK_EQ(a->npci, 3);
	CHECK_EQ(a->pci[0].vendor, 0xabcd);
	CHECK_EQ(a->pci[0].device, 0xef01);
	CHECK_EQ(a->pci[1].vendor, 1);
	CHECK_EQ(a->pci[1].device, 2);
	CHECK_EQ(a->restart_max, 0);
	CHECK_EQ(a->restart_window, 1);
	CHECK_EQ(a->restart_backoff, 0);
	CHECK_EQ(a->stacks, 16);
	CHECK_EQ(a->priority, 0);
	CHECK_EQ(a->heap_kib, 0);
	CHECK_STR(man.components[1].image, "/boot/x-1.0.elf");
	CHECK_EQ(man.components[1].restart_max, 3);
	CHECK_EQ(man.components[1].restart_backoff, 60000);
	CHECK_EQ(man.components[2].stacks, 1);
	CHECK_EQ(man.components[2].priority, 31);
	CHECK_EQ(man.components[2].heap_kib, 65536);
	CHECK_EQ(man.components[2].restart_max, 1000);
	CHECK_EQ(man.components[2].restart_window, 86400000);

	/* Neighbouring port ranges of two components do not overlap. */
	CHECK(parse("component a\n ports 0x3f8-0x3ff\ncomponent b\n ports 0x3f7 0x400-0xffff\n")
	      == NULL);
	CHECK_EQ(man.components[1].ports[1].last, 0xffff);
}

TEST(manifest_text_bounds_and_nuls)
{
	static const char text[] = "component a\n\0\0";
	CHECK(parse_n(text, sizeof text) == NULL);
	CHECK_EQ(man.ncomponents, 1);
	/* Only len bytes count: "component ab" cut after "component a". */
	CHECK(parse_n("component ab", 11) == NULL);
	CHECK_STR(man.components[0].name, "a");
	CHECK(parse_n("component a\n stacks 12", 21) == NULL);
	CHECK_EQ(man.components[0].stacks, 1);
	CHECK_STR(parse_n("component a\n stacks 4\0 5\n", 25), "manifest:2: unexpected byte 0x00");
}

/* "component c0\n" … "component cN-1\n" then `extra`. */
static const char *components_then(unsigned n, const char *extra)
{
	static char text[4096];
	size_t len = 0;
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "component c%u\n", i);
	snprintf(text + len, sizeof text - len, "%s", extra);
	return parse(text);
}

/* "component a\n" then `n` times "KEYWORD VALUEi\n". */
static const char *repeat(const char *fmt, unsigned n)
{
	static char text[4096];
	size_t len = (size_t)snprintf(text, sizeof text, "component a\n");
	for (unsigned i = 0; i < n; i++) {
		len += (size_t)snprintf(text + len, sizeof text - len, fmt, i + 1);
		len += (size_t)snprintf(text + len, sizeof text - len, "\n");
	}
	return parse(text);
}

TEST(manifest_pci_locations)
{
	/* Two drivers of the same device type, each at its own location. */
	CHECK(parse("component edu\n"
		    "  pci 1234:11e8@00:02.0\n"
		    "component edu2\n"
		    "  pci 1234:11E8@0:3.0 8086:2922@00:1F.2\n"
		    "component other\n"
		    "  pci 1234:11e8@ff:1f.7 1234:11e8@01:02.0 abcd:1\n"
		    "  pci 1234:11e8@01:02.0\n") == NULL);        /* listed twice by one: fine */
	CHECK_EQ(man.ncomponents, 3);
	const struct manifest_pci *p = man.components[0].pci;
	CHECK_EQ(man.components[0].npci, 1);
	CHECK_EQ(p[0].vendor, 0x1234);
	CHECK_EQ(p[0].device, 0x11e8);
	CHECK(p[0].located);
	CHECK_EQ(p[0].bdf, 0x0010);
	p = man.components[1].pci;
	CHECK_EQ(man.components[1].npci, 2);
	CHECK(p[0].located);
	CHECK_EQ(p[0].bdf, 0x0018);
	CHECK_EQ(p[1].vendor, 0x8086);
	CHECK_EQ(p[1].device, 0x2922);
	CHECK_EQ(p[1].bdf, 0x00fa);            /* 00:1f.2 */
	p = man.components[2].pci;
	CHECK_EQ(man.components[2].npci, 4);
	CHECK_EQ(p[0].bdf, 0xffff);            /* ff:1f.7, the highest location */
	CHECK_EQ(p[1].bdf, 0x0110);
	CHECK(!p[2].located);
	CHECK_EQ(p[2].vendor, 0xabcd);
	CHECK_EQ(p[2].device, 1);
	CHECK_EQ(p[3].bdf, 0x0110);

	/* Without a location: any such device, as before. */
	CHECK(parse("component a\n pci 1234:11e8\ncomponent b\n pci 1234:11e9@00:02.0\n")
	      == NULL);
	CHECK(!man.components[0].pci[0].located);
	CHECK_EQ(man.components[0].pci[0].bdf, 0);
	/* One component may hold both forms of the same ids. */
	CHECK(parse("component a\n pci 1234:11e8 1234:11e8@00:02.0\n") == NULL);
	CHECK_EQ(man.components[0].npci, 2);
	/* A location in a comment is a comment. */
	CHECK(parse("component a\n pci 1234:11e8 # @zz:zz.z\n") == NULL);
	CHECK(!man.components[0].pci[0].located);
}

TEST(manifest_limits)
{
	CHECK(components_then(32, "") == NULL);
	CHECK_EQ(man.ncomponents, 32);
	CHECK_STR(man.components[31].name, "c31");
	CHECK_STR(components_then(32, "component z\n"),
		  "manifest:33: too many components (at most 32)");

	CHECK(repeat("call x.m%u", 32) == NULL);
	CHECK_EQ(man.components[0].ncalls, 32);
	CHECK_STR(man.components[0].calls[31].method, "m32");
	CHECK_STR(repeat("call x.m%u", 33), "manifest:34: too many call entries (at most 32)");
	CHECK(repeat("ports %u", 8) == NULL);
	CHECK_EQ(man.components[0].nports, 8);
	CHECK_STR(repeat("ports %u", 9), "manifest:10: too many port ranges (at most 8)");
	CHECK(repeat("irq %u", 4) == NULL);
	CHECK_EQ(man.components[0].nirqs, 4);
	CHECK_STR(repeat("irq %u", 5), "manifest:6: too many irqs (at most 4)");
	CHECK(repeat("pci 1:%u", 4) == NULL);
	CHECK_EQ(man.components[0].npci, 4);
	CHECK_STR(repeat("pci 1:%u", 5), "manifest:6: too many pci devices (at most 4)");
	/* Several values on one line count the same as several lines. */
	CHECK_STR(parse("component a\n irq 1 2 3\n irq 4 5\n"),
		  "manifest:3: too many irqs (at most 4)");

	/* Names: 15 characters; images: 63. */
	CHECK(parse("component abcdefghijklmno\n") == NULL);
	CHECK_STR(man.components[0].image, "abcdefghijklmno.elf");
	CHECK(parse("component a\n image "
		    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk\n") == NULL);
	CHECK_EQ(strlen(man.components[0].image), 63);
	CHECK_STR(parse("component a\n image "
			"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl\n"),
		  "manifest:2: image name 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn...' is "
		  "longer than 63 characters");

	/* Lines: 200 characters, comment included, CR of CR LF not counted. */
	char line[260];
	memset(line, ' ', sizeof line);
	memcpy(line, "component a #", 13);
	line[200] = 0;
	CHECK(parse(line) == NULL);
	line[200] = '\r';
	line[201] = '\n';
	line[202] = 0;
	CHECK(parse(line) == NULL);
	line[200] = 'x';
	line[201] = 0;
	CHECK_STR(parse(line), "manifest:1: line is longer than 200 characters");
	char text[300];
	snprintf(text, sizeof text, "# fine\n%s\n", line);
	CHECK_STR(parse(text), "manifest:2: line is longer than 200 characters");
}

static const struct {
	const char *text;
	const char *error;
} bad[] = {
	/* keywords */
	{ "component a\n cal world.ping\n", "manifest:2: unknown keyword 'cal'" },
	{ "foo\n", "manifest:1: unknown keyword 'foo'" },
	{ "component a\n Image x\n", "manifest:2: unknown keyword 'Image'" },
	{ "component a\n image=x\n", "manifest:2: unknown keyword 'image=x'" },
	{ "# top\nimage x.elf\ncomponent a\n",
	  "manifest:2: 'image' outside a component (expected 'component NAME' first)" },
	{ "call a.b\n", "manifest:1: 'call' outside a component (expected 'component NAME' first)" },
	{ "\n\n   irq 4 # x\n",
	  "manifest:3: 'irq' outside a component (expected 'component NAME' first)" },
	/* component */
	{ "component\n", "manifest:1: missing value after 'component'" },
	{ "component # a\n", "manifest:1: missing value after 'component'" },
	{ "component a b\n", "manifest:1: trailing junk 'b'" },
	{ "component a\ncomponent b\ncomponent a\n", "manifest:3: component 'a' declared twice" },
	{ "component A\n", "manifest:1: bad component name 'A' (a-z, then a-z, 0-9, _ or -; at "
	  "most 15 characters)" },
	{ "component 1a\n", "manifest:1: bad component name '1a' (a-z, then a-z, 0-9, _ or -; at "
	  "most 15 characters)" },
	{ "component _a\n", "manifest:1: bad component name '_a' (a-z, then a-z, 0-9, _ or -; at "
	  "most 15 characters)" },
	{ "component a.b\n", "manifest:1: bad component name 'a.b' (a-z, then a-z, 0-9, _ or -; "
	  "at most 15 characters)" },
	{ "component abcdefghijklmnop\n", "manifest:1: bad component name 'abcdefghijklmnop' "
	  "(a-z, then a-z, 0-9, _ or -; at most 15 characters)" },
	/* image */
	{ "component a\n image\n", "manifest:2: missing value after 'image'" },
	{ "component a\n image a.elf b.elf\n", "manifest:2: trailing junk 'b.elf'" },
	{ "component a\n image a.elf\n image b.elf\n",
	  "manifest:3: 'image' given twice for component 'a'" },
	/* call */
	{ "component a\n call\n", "manifest:2: missing value after 'call'" },
	{ "component a\n call world\n",
	  "manifest:2: bad capability 'world' (expected TARGET.METHOD or TARGET.*)" },
	{ "component a\n call world.\n",
	  "manifest:2: bad capability 'world.' (expected TARGET.METHOD or TARGET.*)" },
	{ "component a\n call .ping\n",
	  "manifest:2: bad capability '.ping' (expected TARGET.METHOD or TARGET.*)" },
	{ "component a\n call world.Ping\n",
	  "manifest:2: bad capability 'world.Ping' (expected TARGET.METHOD or TARGET.*)" },
	{ "component a\n call World.ping\n",
	  "manifest:2: bad capability 'World.ping' (expected TARGET.METHOD or TARGET.*)" },
	{ "component a\n call w.p.q\n",
	  "manifest:2: bad capability 'w.p.q' (expected TARGET.METHOD or TARGET.*)" },
	{ "component a\n call w.**\n",
	  "manifest:2: bad capability 'w.**' (expected TARGET.METHOD or TARGET.*)" },
	{ "component a\n call w.abcdefghijklmnopqrstuvwx\n", "manifest:2: bad capability "
	  "'w.abcdefghijklmnopqrstuvwx' (expected TARGET.METHOD or TARGET.*)" },
	{ "component a\n call w.ok w.p,q\n",
	  "manifest:2: bad capability 'w.p,q' (expected TARGET.METHOD or TARGET.*)" },
	{ "component hello\n call world.ping hello.ping\n",
	  "manifest:2: component 'hello' calls itself ('hello.ping')" },
	{ "component hello\n call hello.*\n",
	  "manifest:2: component 'hello' calls itself ('hello.*')" },
	/* ports */
	{ "component a\n ports\n", "manifest:2: missing value after 'ports'" },
	{ "component a\n ports x\n",
	  "manifest:2: bad port range 'x' (expected PORT or FIRST-LAST)" },
	{ "component a\n ports 0x\n",
	  "manifest:2: bad port range '0x' (expected PORT or FIRST-LAST)" },
	{ "component a\n ports 1-2-3\n",
	  "manifest:2: bad port range '1-2-3' (expected PORT or FIRST-LAST)" },
	{ "component a\n ports -5\n",
	  "manifest:2: bad port range '-5' (expected PORT or FIRST-LAST)" },
	{ "component a\n ports 5-\n",
	  "manifest:2: bad port range '5-' (expected PORT or FIRST-LAST)" },
	{ "component a\n ports 0x3f8..0x3ff\n",
	  "manifest:2: bad port range '0x3f8..0x3ff' (expected PORT or FIRST-LAST)" },
	{ "component a\n ports 99999999999999999999\n",
	  "manifest:2: bad port range '99999999999999999999' (expected PORT or FIRST-LAST)" },
	{ "component a\n ports 0x3ff-0x3f8\n",
	  "manifest:2: bad port range '0x3ff-0x3f8' (first port above the last)" },
	{ "component a\n ports 0x10000\n",
	  "manifest:2: port range '0x10000' is out of range (0..0xffff)" },
	{ "component a\n ports 0x3f8-65536\n",
	  "manifest:2: port range '0x3f8-65536' is out of range (0..0xffff)" },
	{ "component a\n ports 0x3f8-0x3ff\ncomponent b\n ports 0x60 0x3fc\n",
	  "manifest:4: ports 0x3fc-0x3fc overlap ports 0x3f8-0x3ff of 'a'" },
	{ "component a\n ports 0x3f8-0x3ff\ncomponent b\ncomponent c\n ports 0-0xffff\n",
	  "manifest:5: ports 0x0-0xffff overlap ports 0x3f8-0x3ff of 'a'" },
	{ "component a\n ports 0x3fa\ncomponent b\n ports 0x3f8-0x3ff\n",
	  "manifest:4: ports 0x3f8-0x3ff overlap ports 0x3fa-0x3fa of 'a'" },
	/* irq */
	{ "component a\n irq\n", "manifest:2: missing value after 'irq'" },
	{ "component a\n irq x\n", "manifest:2: bad number 'x' for irq" },
	{ "component a\n irq -1\n", "manifest:2: bad number '-1' for irq" },
	{ "component a\n irq 4,5\n", "manifest:2: bad number '4,5' for irq" },
	{ "component a\n irq 256\n", "manifest:2: irq 256 is out of range (0..255)" },
	{ "component a\n irq 0x100\n", "manifest:2: irq 0x100 is out of range (0..255)" },
	{ "component a\n irq 4\ncomponent b\n irq 5 4\n",
	  "manifest:4: irq 4 is already owned by 'a'" },
	/* pci */
#define BAD_PCI "VENDOR:DEVICE in hex, e.g. 8086:2922, or VENDOR:DEVICE@BUS:DEVICE.FUNCTION)"
#define BAD_LOCATION "(expected BUS:DEVICE.FUNCTION in hex, e.g. 00:1f.2)"
	{ "component a\n pci\n", "manifest:2: missing value after 'pci'" },
	{ "component a\n pci 1234\n", "manifest:2: bad pci device '1234' (expected "
	  BAD_PCI },
	{ "component a\n pci 12345:1\n", "manifest:2: bad pci device '12345:1' (expected "
	  BAD_PCI },
	{ "component a\n pci 1234:\n", "manifest:2: bad pci device '1234:' (expected "
	  BAD_PCI },
	{ "component a\n pci :1\n", "manifest:2: bad pci device ':1' (expected "
	  BAD_PCI },
	{ "component a\n pci 0x12:34\n", "manifest:2: bad pci device '0x12:34' (expected "
	  BAD_PCI },
	{ "component a\n pci 12:3g\n", "manifest:2: bad pci device '12:3g' (expected "
	  BAD_PCI },
	{ "component a\n pci 1:2:3\n", "manifest:2: bad pci device '1:2:3' (expected "
	  BAD_PCI },
	{ "component a\n pci 1234:11e8\ncomponent b\n pci 1234:11E8\n",
	  "manifest:4: pci device 1234:11e8 is already owned by 'a'" },
	/* pci locations: each part 1-4 hex digits, then range-checked */
	{ "component a\n pci 1234@00:02.0\n", "manifest:2: bad pci device '1234@00:02.0' "
	  "(expected " BAD_PCI },
	{ "component a\n pci :11e8@00:02.0\n", "manifest:2: bad pci device ':11e8@00:02.0' "
	  "(expected " BAD_PCI },
	{ "component a\n pci 1234:11g8@00:02.0\n", "manifest:2: bad pci device "
	  "'1234:11g8@00:02.0' (expected " BAD_PCI },
	{ "component a\n pci @00:02.0\n", "manifest:2: bad pci device '@00:02.0' (expected "
	  BAD_PCI },
	{ "component a\n pci 1234:11e8@\n", "manifest:2: bad pci location '' " BAD_LOCATION },
	{ "component a\n pci 1234:11e8@00\n", "manifest:2: bad pci location '00' "
	  BAD_LOCATION },
	{ "component a\n pci 1234:11e8@00:02\n", "manifest:2: bad pci location '00:02' "
	  BAD_LOCATION },
	{ "component a\n pci 1234:11e8@00.02:0\n", "manifest:2: bad pci location '00.02:0' "
	  BAD_LOCATION },
	{ "component a\n pci 1234:11e8@:02.0\n", "manifest:2: bad pci location ':02.0' "
	  BAD_LOCATION },
	{ "component a\n pci 1234:11e8@00:.0\n", "manifest:2: bad pci location '00:.0' "
	  BAD_LOCATION },
	{ "component a\n pci 1234:11e8@00:02.\n", "manifest:2: bad pci location '00:02.' "
	  BAD_LOCATION },
	{ "component a\n pci 1234:11e8@0g:02.0\n", "manifest:2: bad pci location '0g:02.0' "
	  BAD_LOCATION },
	{ "component a\n pci 1234:11e8@00:0x2.0\n", "manifest:2: bad pci location '00:0x2.0' "
	  BAD_LOCATION },
	{ "component a\n pci 1234:11e8@00:02.0.1\n", "manifest:2: bad pci location "
	  "'00:02.0.1' " BAD_LOCATION },
	{ "component a\n pci 1234:11e8@00:02.0@1\n", "manifest:2: bad pci location "
	  "'00:02.0@1' " BAD_LOCATION },
	{ "component a\n pci 1234:11e8@@00:02.0\n", "manifest:2: bad pci location "
	  "'@00:02.0' " BAD_LOCATION },
	{ "component a\n pci 1234:11e8@00:02.-1\n", "manifest:2: bad pci location "
	  "'00:02.-1' " BAD_LOCATION },
	{ "component a\n pci 1234:11e8@00000:02.0\n", "manifest:2: bad pci location "
	  "'00000:02.0' " BAD_LOCATION },
	{ "component a\n pci 1234:11e8@100:02.0\n", "manifest:2: pci bus 0x100 is out of "
	  "range (0..ff) in '1234:11e8@100:02.0'" },
	{ "component a\n pci 1234:11e8@ffff:02.0\n", "manifest:2: pci bus 0xffff is out of "
	  "range (0..ff) in '1234:11e8@ffff:02.0'" },
	{ "component a\n pci 1234:11e8@00:20.0\n", "manifest:2: pci device number 0x20 is "
	  "out of range (0..1f) in '1234:11e8@00:20.0'" },
	{ "component a\n pci 1234:11e8@00:02.8\n", "manifest:2: pci function 0x8 is out of "
	  "range (0..7) in '1234:11e8@00:02.8'" },
	/* Overlapping claims: on the line that makes them, whichever way round. */
	{ "component a\n pci 1234:11e8@00:02.0\ncomponent b\n pci 1234:11e8@0:2.0\n",
	  "manifest:4: pci device 1234:11e8@00:02.0 is already owned by 'a'" },
	{ "component a\n pci 1234:11e8\ncomponent b\n pci 1234:11e8@00:03.0\n",
	  "manifest:4: pci device 1234:11e8@00:03.0 overlaps pci device 1234:11e8 of 'a' "
	  "(without a location an entry means every such device)" },
	{ "component a\n pci 1234:11e8@00:02.0\ncomponent b\n irq 3\n pci 1:2 1234:11e8\n",
	  "manifest:5: pci device 1234:11e8 overlaps pci device 1234:11e8@00:02.0 of 'a' "
	  "(without a location an entry means every such device)" },
	{ "component a\n pci 1234:11e8@00:02.0 1234:11e8@00:03.0\ncomponent b\n"
	  " pci 1234:11e8@00:04.0\ncomponent c\n pci 1234:11e8@00:03.0\n",
	  "manifest:6: pci device 1234:11e8@00:03.0 is already owned by 'a'" },
	/* restart */
	{ "component a\n restart\n", "manifest:2: missing value after 'restart'" },
	{ "component a\n restart foo=1\n", "manifest:2: unknown restart setting 'foo=1' "
	  "(expected max=N, window=MS or backoff=MS)" },
	{ "component a\n restart max\n", "manifest:2: unknown restart setting 'max' "
	  "(expected max=N, window=MS or backoff=MS)" },
	{ "component a\n restart =5\n", "manifest:2: unknown restart setting '=5' "
	  "(expected max=N, window=MS or backoff=MS)" },
	{ "component a\n restart max=\n", "manifest:2: bad number '' for max" },
	{ "component a\n restart max=x\n", "manifest:2: bad number 'x' for max" },
	{ "component a\n restart max=1=2\n", "manifest:2: bad number '1=2' for max" },
	{ "component a\n restart max=1001\n", "manifest:2: max 1001 is out of range (0..1000)" },
	{ "component a\n restart window=0\n",
	  "manifest:2: window 0 is out of range (1..86400000)" },
	{ "component a\n restart backoff=60001\n",
	  "manifest:2: backoff 60001 is out of range (0..60000)" },
	{ "component a\n restart max=1\n restart max=2\n",
	  "manifest:3: 'restart' given twice for component 'a'" },
	/* stacks, priority, heap */
	{ "component a\n stacks\n", "manifest:2: missing value after 'stacks'" },
	{ "component a\n stacks 0\n", "manifest:2: stacks 0 is out of range (1..16)" },
	{ "component a\n stacks 17\n", "manifest:2: stacks 17 is out of range (1..16)" },
	{ "component a\n stacks 4 5\n", "manifest:2: trailing junk '5'" },
	{ "component a\n stacks four\n", "manifest:2: bad number 'four' for stacks" },
	{ "component a\n stacks 4\n stacks 4\n",
	  "manifest:3: 'stacks' given twice for component 'a'" },
	{ "component a\n priority 32\n", "manifest:2: priority 32 is out of range (0..31)" },
	{ "component a\n priority\n", "manifest:2: missing value after 'priority'" },
	{ "component a\n priority 1\n priority 2\n",
	  "manifest:3: 'priority' given twice for component 'a'" },
	{ "component a\n heap 65537\n", "manifest:2: heap 65537 is out of range (0..65536)" },
	{ "component a\n heap 18446744073709551616\n",
	  "manifest:2: bad number '18446744073709551616' for heap" },
	{ "component a\n heap 1\n heap 1\n", "manifest:3: 'heap' given twice for component 'a'" },
	/* characters */
	{ "component a\x01\n", "manifest:1: unexpected byte 0x01" },
	{ "component \xc3\xa9\n", "manifest:1: unexpected byte 0xc3" },
	{ "component a\n\x7f\n", "manifest:2: unexpected byte 0x7f" },
	/* The first problem wins. */
	{ "component a\n stacks 99\n bogus\n", "manifest:2: stacks 99 is out of range (1..16)" },
	{ "component a\n irq 300 bogus\n", "manifest:2: irq 300 is out of range (0..255)" },
};

TEST(manifest_every_error_has_its_message)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_STR(parse(bad[i].text), bad[i].error);
	/* Anything goes in a comment; once-only keywords are per component. */
	CHECK(parse("component a # \x01\xff\xc3\xa9 image\n image a\ncomponent b\n image b\n")
	      == NULL);
	CHECK(manifest_is_name("a-_9", 4));
	CHECK(!manifest_is_name("", 0));
	CHECK(!manifest_is_name(NULL, 1));
	CHECK(!manifest_is_name("-a", 2));
	CHECK(manifest_is_name("abcdefghijklmno", 15));
	CHECK(!manifest_is_name("abcdefghijklmnop", 16));
}

TEST(manifest_error_buffer_is_bounded)
{
	char small[14];
	const char *r = manifest_parse("image x", 7, &man, small, sizeof small);
	CHECK(r == small);
	CHECK_STR(small, "manifest:1: '");
	r = manifest_parse("image x", 7, &man, NULL, 0);
	CHECK(r != NULL);
	r = manifest_parse("image x", 7, &man, small, 0);
	CHECK(r != NULL && r != small);
	CHECK(manifest_parse(NULL, 10, &man, small, sizeof small) == NULL);

	CHECK(parse("component a\n call b.f\ncomponent b\n") == NULL);
	const struct idl *none[2] = { NULL, NULL };
	r = manifest_resolve(&man, none, small, sizeof small);
	CHECK(r == small);
	CHECK_STR(small, "manifest: a c");
	r = manifest_resolve(&man, none, NULL, 0);
	CHECK(r != NULL);
}

TEST(manifest_resolve_capabilities)
{
	static struct idl bi, ci, full;
	static char text[2048];

	parse_idl(&bi, "interface b\n x()\n y()\n z()\n");
	parse_idl(&ci, "interface c\n p()\ninterface c2\n q()\n r()\n");
	size_t len = (size_t)snprintf(text, sizeof text, "interface f\n");
	for (unsigned k = 0; k < IDL_MAX_METHODS; k++)
		len += (size_t)snprintf(text + len, sizeof text - len, " m%u()\n", k);
	parse_idl(&full, text);

	CHECK(parse("component a\n"
		    " call b.x c.* b.z\n"
		    " call b.x d.m31 d.m0\n"
		    "component b\n"
		    " call c.q\n"
		    "component c\n"
		    "component d\n"
		    " call a.* b.y\n") == NULL);
	const struct idl *idls[] = { &bi, &bi, &ci, &full };
	CHECK_STR(manifest_resolve(&man, idls, err, sizeof err), NULL);
	const struct manifest_component *a = &man.components[0];
	CHECK_EQ(a->ncaps, 3);
	CHECK_EQ(a->caps[0].target, 1);
	CHECK_EQ(a->caps[0].methods, 0x5);         /* x and z */
	CHECK_EQ(a->caps[1].target, 2);
	CHECK_EQ(a->caps[1].methods, 0x7);         /* every method of both interfaces */
	CHECK_EQ(a->caps[2].target, 3);
	CHECK_EQ(a->caps[2].methods, 0x80000001u);
	CHECK_EQ(man.components[1].ncaps, 1);
	CHECK_EQ(man.components[1].caps[0].target, 2);
	CHECK_EQ(man.components[1].caps[0].methods, 0x2);
	CHECK_EQ(man.components[2].ncaps, 0);
	CHECK_EQ(man.components[3].ncaps, 2);
	CHECK_EQ(man.components[3].caps[0].target, 0);
	CHECK_EQ(man.components[3].caps[0].methods, 0x7);
	CHECK_EQ(man.components[3].caps[1].methods, 0x2);
	CHECK_EQ(manifest_cap_find(&man, 0, "d"), 2);
	CHECK_EQ(manifest_cap_find(&man, 3, "b"), 1);

	/* Resolving again gives the same tables. */
	CHECK_STR(manifest_resolve(&man, idls, err, sizeof err), NULL);
	CHECK_EQ(man.components[0].ncaps, 3);
	CHECK_EQ(man.components[0].caps[0].methods, 0x5);

	/* A callee with all 32 methods: TARGET.* is every bit. */
	CHECK(parse("component a\n call d.*\ncomponent d\n") == NULL);
	const struct idl *idls2[] = { NULL, &full };
	CHECK_STR(manifest_resolve(&man, idls2, err, sizeof err), NULL);
	CHECK_EQ(man.components[0].caps[0].methods, 0xffffffffu);
}

TEST(manifest_resolve_errors_change_nothing)
{
	static struct idl wi;
	static struct manifest before;
	parse_idl(&wi, world_idl);

	CHECK(parse("component hello\n call world.ping nosuch.ping\ncomponent world\n") == NULL);
	const struct idl *idls[] = { NULL, &wi };
	memcpy(&before, &man, sizeof man);
	CHECK_STR(manifest_resolve(&man, idls, err, sizeof err),
		  "manifest: hello calls 'nosuch', which is not a component");
	CHECK(memcmp(&before, &man, sizeof man) == 0);

	CHECK(parse(example) == NULL);
	CHECK_STR(manifest_resolve(&man, idls, err, sizeof err), NULL);
	CHECK(parse("component hello\n call world.ping world.pong\ncomponent world\n") == NULL);
	CHECK_STR(manifest_resolve(&man, idls, err, sizeof err),
		  "manifest: hello calls world.pong, but world has no method 'pong'");
	CHECK_EQ(man.components[0].ncaps, 0);

	/* A callee that declares no interface. */
	const struct idl *no_idls[] = { NULL, NULL };
	CHECK_STR(manifest_resolve(&man, no_idls, err, sizeof err),
		  "manifest: hello calls world.ping, but world has no method 'ping'");
	CHECK_STR(manifest_resolve(&man, NULL, err, sizeof err),
		  "manifest: hello calls world.ping, but world has no method 'ping'");
	CHECK(parse("component hello\n call world.*\ncomponent world\n") == NULL);
	CHECK_STR(manifest_resolve(&man, no_idls, err, sizeof err),
		  "manifest: hello calls world.*, but world declares no methods");

	/* The first bad entry in manifest order wins. */
	CHECK(parse("component a\n call b.ping\ncomponent b\n call a.x\n") == NULL);
	const struct idl *both[] = { &wi, &wi };
	CHECK_STR(manifest_resolve(&man, both, err, sizeof err),
		  "manifest: b calls a.x, but a has no method 'x'");
}

/* The fuzz loop: xorshift32 with a fixed seed, so a failure reproduces. */
static uint32_t seed = 0x6d616e69;

static uint32_t rnd(void)
{
	return xorshift32(&seed);
}

static bool overlap(const struct manifest_ports *a, const struct manifest_ports *b)
{
	return a->first <= b->last && b->first <= a->last;
}

/* Whether one device could match both entries (the test's own statement of the rule). */
static bool pci_claims_overlap(const struct manifest_pci *a, const struct manifest_pci *b)
{
	if (a->vendor != b->vendor || a->device != b->device)
		return false;
	return !a->located || !b->located || a->bdf == b->bdf;
}

/* What must hold of any successful parse. */
static bool well_formed(const struct manifest *m)
{
	if (m->ncomponents > MANIFEST_MAX_COMPONENTS)
		return false;
	for (unsigned i = 0; i < m->ncomponents; i++) {
		const struct manifest_component *c = &m->components[i];
		if (!manifest_is_name(c->name, strnlen(c->name, sizeof c->name)) ||
		    manifest_find(m, c->name) != (int)i ||
		    strnlen(c->image, sizeof c->image) == sizeof c->image || !c->image[0] ||
		    c->ncalls > MANIFEST_MAX_CALLS || c->nports > MANIFEST_MAX_PORTS ||
		    c->nirqs > MANIFEST_MAX_IRQS || c->npci > MANIFEST_MAX_PCI ||
		    c->nsupervise > MANIFEST_MAX_SUPERVISE ||
		    c->stacks < 1 || c->stacks > MANIFEST_MAX_STACKS ||
		    c->priority > MANIFEST_MAX_PRIORITY || c->heap_kib > MANIFEST_MAX_HEAP_KIB ||
		    c->restart_window < 1 || c->ncaps)
			return false;
		for (unsigned k = 0; k < c->ncalls; k++)
			if (strcmp(c->calls[k].target, c->name) == 0)
				return false;
		for (unsigned k = 0; k < c->nports; k++) {
			if (c->ports[k].first > c->ports[k].last)
				return false;
			for (unsigned j = 0; j < i; j++)
				for (unsigned l = 0; l < m->components[j].nports; l++)
					if (overlap(&c->ports[k], &m->components[j].ports[l]))
						return false;
		}
		for (unsigned k = 0; k < c->nirqs; k++)
			for (unsigned j = 0; j < i; j++)
				for (unsigned l = 0; l < m->components[j].nirqs; l++)
					if (c->irqs[k] == m->components[j].irqs[l])
						return false;
		for (unsigned k = 0; k < c->npci; k++) {
			if (!c->pci[k].located && c->pci[k].bdf)
				return false;
			for (unsigned j = 0; j < i; j++)
				for (unsigned l = 0; l < m->components[j].npci; l++)
					if (pci_claims_overlap(&c->pci[k], &m->components[j].pci[l]))
						return false;
		}
	}
	return true;
}

/* Resolution of a parsed manifest against a random choice of interfaces. */
static void fuzz_resolve(const struct idl *const pool[3], unsigned *resolved)
{
	const struct idl *idls[MANIFEST_MAX_COMPONENTS];

	for (unsigned i = 0; i < MANIFEST_MAX_COMPONENTS; i++)
		idls[i] = pool[rnd() % 3];
	if (manifest_resolve(&man, idls, err, sizeof err)) {
		CHECK(strncmp(err, "manifest: ", 10) == 0);
		return;
	}
	++*resolved;
	for (unsigned i = 0; i < man.ncomponents; i++) {
		const struct manifest_component *c = &man.components[i];
		CHECK(c->ncaps <= c->ncalls);
		for (unsigned k = 0; k < c->ncaps; k++) {
			CHECK(c->caps[k].target < man.ncomponents);
			CHECK(c->caps[k].target != i);
			CHECK(c->caps[k].methods != 0);
			CHECK(manifest_cap_find(&man, i, man.components[c->caps[k].target].name)
			      == (int)k);
			/* Marked supervised exactly when a supervise entry names the callee. */
			bool named = false;
			for (unsigned n = 0; n < c->nsupervise; n++)
				named |= strcmp(c->supervise[n], man.components[c->caps[k].target].name) == 0;
			CHECK(c->caps[k].supervise == named);
		}
	}
}

static void check_outcome(const char *r, const struct idl *const pool[3], unsigned *ok,
			  unsigned *resolved)
{
	if (r) {
		CHECK(strnlen(err, sizeof err) < sizeof err);
		CHECK(strncmp(err, "manifest:", 9) == 0);
		return;
	}
	CHECK(well_formed(&man));
	++*ok;
	fuzz_resolve(pool, resolved);
}

TEST(manifest_fuzz)
{
	static const char *const pieces[] = {
		"component ", "hello", "world", "a", "\n", "\n", "\n ", " ", "\t", "# x", "image ",
		"call ", "world.ping", "hello.*", "a.f", "world.add", "ports ", "0x3f8-0x3ff",
		"0x60", "-", "irq ", "4", "255", "pci ", "1234:11e8", "@00:02.0", "@0:3.0", "@", "restart ", "max=5",
		"window=0", "stacks ", "priority ", "heap ", "1024", "\r\n", "\x01", "\xff", ".",
		"=", ":", "0x", "99999999999999999999", "supervise ",
	};
	static struct idl wi, bi;
	static char buf[1024];
	const struct idl *pool[3] = { NULL, &wi, &bi };
	unsigned ok = 0, resolved = 0;

	parse_idl(&wi, world_idl);
	parse_idl(&bi, "interface x\n f()\n");
	/* Every truncation of the example, and random damage to it. */
	for (size_t len = 0; len <= sizeof example - 1; len++)
		check_outcome(parse_n(example, len), pool, &ok, &resolved);
	for (unsigned i = 0; i < 2000; i++) {
		memcpy(buf, example, sizeof example - 1);
		for (unsigned n = 1 + rnd() % 3; n; n--)
			buf[rnd() % (sizeof example - 1)] = (char)(rnd() % 3 ? 0x20 + rnd() % 95
								      : rnd());
		check_outcome(parse_n(buf, sizeof example - 1 - rnd() % 16), pool, &ok,
			      &resolved);
	}
	/* Random bytes and random printable text. */
	for (unsigned i = 0; i < 3000; i++) {
		size_t len = rnd() % sizeof buf;
		for (size_t k = 0; k < len; k++)
			buf[k] = i % 2 ? (char)rnd() : (char)(0x20 + rnd() % 95);
		check_outcome(parse_n(buf, len), pool, &ok, &resolved);
	}
	/* Random sequences of the manifest's own words. */
	for (unsigned i = 0; i < 4000; i++) {
		size_t len = 0;
		for (unsigned n = rnd() % 60; n; n--) {
			const char *p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
			size_t plen = strlen(p);
			if (len + plen > sizeof buf)
				break;
			memcpy(buf + len, p, plen);
			len += plen;
		}
		check_outcome(parse_n(buf, len), pool, &ok, &resolved);
	}
	CHECK(ok > 200);
	CHECK(resolved > 50);
}

TEST(manifest_watchdog_keyword)
{
	static struct manifest m;
	char err[160];
	const char *ok = "component a\n    watchdog 250\ncomponent b\n";
	CHECK(manifest_parse(ok, strlen(ok), &m, err, sizeof err) == NULL);
	CHECK_EQ(m.components[0].watchdog_ms, 250);
	CHECK_EQ(m.components[1].watchdog_ms, MANIFEST_DEFAULT_WATCHDOG);
	const char *zero = "component a\n    watchdog 0\n";
	CHECK(manifest_parse(zero, strlen(zero), &m, err, sizeof err) != NULL);
	const char *twice = "component a\n    watchdog 5\n    watchdog 6\n";
	CHECK(manifest_parse(twice, strlen(twice), &m, err, sizeof err) != NULL);
}

TEST(manifest_storm_keyword)
{
	static struct manifest m;
	char err[160];
	const char *ok = "component a\n    storm 100000\ncomponent b\n";
	CHECK(manifest_parse(ok, strlen(ok), &m, err, sizeof err) == NULL);
	CHECK_EQ(m.components[0].storm_limit, 100000);
	CHECK_EQ(m.components[1].storm_limit, MANIFEST_DEFAULT_STORM);
	const char *zero = "component a\n    storm 0\n";
	CHECK(manifest_parse(zero, strlen(zero), &m, err, sizeof err) != NULL);
	const char *huge = "component a\n    storm 1000001\n";
	CHECK(manifest_parse(huge, strlen(huge), &m, err, sizeof err) != NULL);
	const char *twice = "component a\n    storm 5\n    storm 6\n";
	CHECK(manifest_parse(twice, strlen(twice), &m, err, sizeof err) != NULL);
}

TEST(manifest_control_keyword)
{
	static struct manifest m;
	char err[160];
	const char *ok = "component a\n    control\ncomponent b\n";
	CHECK(manifest_parse(ok, strlen(ok), &m, err, sizeof err) == NULL);
	CHECK(m.components[0].control);
	CHECK(!m.components[1].control);
	const char *junk = "component a\n    control yes\n";
	CHECK(manifest_parse(junk, strlen(junk), &m, err, sizeof err) != NULL);
	CHECK_STR(err, "manifest:2: trailing junk 'yes'");
}

TEST(manifest_chipset_keyword)
{
	static struct manifest m;
	char err[160];
	const char *ok = "component a\n    chipset\ncomponent b\n";
	CHECK(manifest_parse(ok, strlen(ok), &m, err, sizeof err) == NULL);
	CHECK(m.components[0].chipset);
	CHECK(!m.components[1].chipset);
	const char *two = "component a\n    chipset\ncomponent b\n    chipset\n";
	CHECK(manifest_parse(two, strlen(two), &m, err, sizeof err) != NULL);
	CHECK_STR(err, "manifest:4: 'a' is already the chipset");
	const char *junk = "component a\n    chipset now\n";
	CHECK(manifest_parse(junk, strlen(junk), &m, err, sizeof err) != NULL);
	CHECK_STR(err, "manifest:2: trailing junk 'now'");
}

TEST(manifest_supervise_keyword)
{
	static struct idl bi;
	parse_idl(&bi, "interface b\n x()\n y()\n");
	const struct idl *idls[] = { &bi, &bi, &bi };

	CHECK(parse("component a\n call c.x b.y\n supervise b\ncomponent b\ncomponent c\n") == NULL);
	CHECK_EQ(man.components[0].nsupervise, 1);
	CHECK_STR(man.components[0].supervise[0], "b");
	CHECK_STR(manifest_resolve(&man, idls, err, sizeof err), NULL);
	CHECK_EQ(man.components[0].ncaps, 2);
	CHECK_EQ(man.components[0].caps[0].target, 2);
	CHECK(!man.components[0].caps[0].supervise);    /* c is called, not supervised */
	CHECK_EQ(man.components[0].caps[1].target, 1);
	CHECK(man.components[0].caps[1].supervise);
	CHECK(!man.components[1].nsupervise);

	/* Values accumulate over lines, up to the limit. */
	CHECK(parse("component a\n supervise b c\n supervise d e\ncomponent b\n") == NULL);
	CHECK_EQ(man.components[0].nsupervise, 4);
	CHECK_STR(man.components[0].supervise[3], "e");
	CHECK_STR(parse("component a\n supervise b c d e f\n"),
		  "manifest:2: too many supervised components (at most 4)");
	CHECK_STR(parse("component a\n supervise a\n"), "manifest:2: component 'a' supervises itself");
	CHECK_STR(parse("component a\n supervise\n"), "manifest:2: missing value after 'supervise'");
	CHECK_STR(parse("component a\n supervise B\n"), "manifest:2: bad component name 'B' for supervise");

	/* Only a callee, and only a component. */
	CHECK(parse("component a\n call c.x\n supervise b\ncomponent b\ncomponent c\n") == NULL);
	CHECK_STR(manifest_resolve(&man, idls, err, sizeof err), "manifest: a supervises b, which it does not call");
	CHECK(parse("component a\n call b.x\n supervise nosuch\ncomponent b\n") == NULL);
	CHECK_STR(manifest_resolve(&man, idls, err, sizeof err),
		  "manifest: a supervises 'nosuch', which is not a component");
}
