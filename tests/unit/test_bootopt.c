/* test_bootopt.c — the kernel command line (kernel/bootopt.c). */
#include "unit.h"

#include <string.h>

#include "kernel/bootopt.h"

struct complaints {
	int count;
	char last[128];
};

static void collect(const char *msg, void *ctx)
{
	struct complaints *c = ctx;
	c->count++;
	strlcpy(c->last, msg, sizeof c->last);
}

TEST(bootopt_defaults)
{
	struct boot_options o;
	struct complaints c = { 0 };
	CHECK_EQ(bootopt_parse("", &o, collect, &c), 0);
	CHECK_EQ(o.fault, BOOT_FAULT_NONE);
	CHECK_EQ(o.tick_hz, 100);
	CHECK_EQ(bootopt_parse(NULL, &o, collect, &c), 0);
	CHECK_EQ(c.count, 0);
}

TEST(bootopt_known_options)
{
	struct boot_options o;
	struct complaints c = { 0 };
	CHECK_EQ(bootopt_parse("  fault=gp   tick=1000 ", &o, collect, &c), 0);
	CHECK_EQ(o.fault, BOOT_FAULT_GP);
	CHECK_EQ(o.tick_hz, 1000);
	CHECK_EQ(bootopt_parse("fault=page", &o, collect, &c), 0);
	CHECK_EQ(o.fault, BOOT_FAULT_PAGE);
	CHECK_EQ(bootopt_parse("fault=ud fault=assert", &o, collect, &c), 0);
	CHECK_EQ(o.fault, BOOT_FAULT_ASSERT);   /* the last one wins */
	CHECK_EQ(bootopt_parse("iommu=noqi", &o, collect, &c), 0);
	CHECK_STR(o.iommu, "noqi");
	CHECK_EQ(bootopt_parse("iommu=qi", &o, collect, &c), 1);   /* noqi is the only value */
	CHECK_EQ(c.count, 1);
}

TEST(bootopt_bad_input_is_reported_and_ignored)
{
	struct boot_options o;
	struct complaints c = { 0 };
	CHECK_EQ(bootopt_parse("fault=bogus", &o, collect, &c), 1);
	CHECK_STR(c.last, "bad value in boot option 'fault=bogus'");
	CHECK_EQ(o.fault, BOOT_FAULT_NONE);
	CHECK_EQ(bootopt_parse("nonsense tick=abc tick=5 tick=99999999999999999999 fault= =x", &o, collect, &c), 6);
	CHECK_EQ(o.tick_hz, 100);
	CHECK_EQ(bootopt_parse("faulty=page", &o, collect, &c), 1);
	CHECK_STR(c.last, "unknown boot option 'faulty=page'");
	char longword[300];
	memset(longword, 'x', sizeof longword - 1);
	longword[sizeof longword - 1] = 0;
	CHECK_EQ(bootopt_parse(longword, &o, collect, &c), 1);
	CHECK(strncmp(c.last, "boot option too long", 20) == 0);
}

TEST(bootopt_idle_polling)
{
	struct boot_options o;
	struct complaints c = { 0 };
	CHECK_EQ(bootopt_parse("", &o, collect, &c), 0);
	CHECK_EQ(o.idle_poll_us, IDLE_POLL_US_DEFAULT);
	CHECK_EQ(bootopt_parse("idle=halt", &o, collect, &c), 0);
	CHECK_EQ(o.idle_poll_us, 0);
	CHECK_EQ(bootopt_parse("idle=poll:250", &o, collect, &c), 0);
	CHECK_EQ(o.idle_poll_us, 250);
	CHECK_EQ(bootopt_parse("idle=poll idle=poll: idle=poll:20000 idle=poll:1x idle=spin", &o, collect, &c), 5);
	CHECK_EQ(o.idle_poll_us, IDLE_POLL_US_DEFAULT);
}
