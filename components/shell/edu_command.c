/*
 * edu_command.c — the shell's `edu` command: QEMU's edu devices through their drivers.
 *
 *     edu                      every edu instance: its device's location, and whether it is alive
 *     edu NAME                 the same for one instance
 *     edu [NAME] fact N        N! computed by the device (0 <= N <= 12)
 *     edu [NAME] dma LEN       a DMA round trip of LEN bytes (1..4095): bytes that came back right
 *     edu [NAME] live VALUE    the liveness register: the device answers ~VALUE (32 bits)
 *
 * NAME defaults to edu.  An edu instance is a component whose manifest lists
 * the edu device (1234:11e8, with or without a location): several components
 * run the one driver image, each for its own device (boot/manifest), and the
 * shell learns which from the kernel (INFO_MANIFEST_PCI), not from a list of
 * its own.  Where an instance's device is comes from the chipset, which knows
 * what the driver claimed; for an instance without a device, from its
 * manifest entry.  Arguments are checked here for clear messages; the driver
 * checks them again, as it must for any caller.
 */
#include "components/shell/edu_command.h"
#include "components/shell/error.h"

#include <pinfold/kcall.h>
#include <stdio.h>
#include <string.h>

#include "chipset_client.h"
#include "edu_client.h"

#define EDU_IDS          0x123411e8ull  /* VENDOR << 16 | DEVICE: QEMU docs/specs/edu.txt */
#define EDU_FACT_MAX     12             /* 13! does not fit the 32-bit factorial register */
#define EDU_DMA_MAX      4095           /* the device's buffer is 4 KiB, a transfer strictly inside */
#define NO_LOCATION      -1

#define STATE_RUNNING    1              /* struct component_info's state */

#define FAIL(...) do { shell_error(__VA_ARGS__); return; } while (0)

/* Whether component `id`'s manifest lists an edu device; *bdf: the location it names, or NO_LOCATION. */
static bool is_edu_instance(unsigned id, int *bdf)
{
	bool listed = false;
	*bdf = NO_LOCATION;
	for (unsigned k = 0; k < 256; k++) {
		struct kcall_result r = kernel_info_of(INFO_MANIFEST_PCI, (uint64_t)id << 8 | k);
		if (r.status < 0)
			break;
		if (MANIFEST_PCI_IDS(r.value) != EDU_IDS)
			continue;
		listed = true;
		if (r.value & MANIFEST_PCI_LOCATED)
			*bdf = (int)MANIFEST_PCI_BDF(r.value);
	}
	return listed;
}

/* The location of the edu device component `id` has claimed, or NO_LOCATION. */
static int claimed_location(unsigned id)
{
	int64_t cap = cap_lookup("chipset");
	uint64_t bdf, info;
	if (cap < 0)
		return NO_LOCATION;
	for (uint64_t i = 0; chipset_device((cap_t)cap, i, &bdf, &info) == 0; i++)
		if ((info >> 32) == EDU_IDS && (info & 0xffff) == (uint64_t)id + 1)
			return (int)bdf;
	return NO_LOCATION;
}

static void location_text(int bdf, char *buf, size_t size)
{
	if (bdf == NO_LOCATION)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%02x:%02x.%x", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
}

/* The error's text, for any status an invoke may return. */
static const char *why(int64_t err)
{
	const char *text = pinfold_strerror(err);
	return text ? text : "failed";
}

/* One line: NAME LOCATION STATE, STATE from a liveness round trip through the driver. */
static void show_instance(const struct component_info *info, int manifest_bdf)
{
	static const char *const down[] = { "starting", "running", "restarting", "failed", "stopped" };
	char where[16];
	int bdf = claimed_location(info->id);
	location_text(bdf != NO_LOCATION ? bdf : manifest_bdf, where, sizeof where);
	if (info->state != STATE_RUNNING) {
		log_printf("%-8s %-8s down (%s)\n", info->name, where, info->state < 5 ? down[info->state] : "?");
		return;
	}
	int64_t cap = cap_lookup(info->name);
	if (cap < 0) {
		log_printf("%-8s %-8s unknown (the shell may not call it)\n", info->name, where);
		return;
	}
	/* A value that changes from call to call, so a stale register cannot pass for an answer. */
	uint32_t value = (uint32_t)(clock_ns() >> 10) ^ 0x5a5a5a5au;
	uint64_t inverse = 0;
	int64_t r = edu_liveness((cap_t)cap, value, &inverse);
	if (r == E_NOT_FOUND)
		log_printf("%-8s %-8s no device\n", info->name, where);
	else if (r < 0)
		log_printf("%-8s %-8s not answering (%s)\n", info->name, where, why(r));
	else if (inverse != (uint32_t)~value)
		log_printf("%-8s %-8s not alive (liveness 0x%x gave 0x%lx)\n", info->name, where, value, inverse);
	else
		log_printf("%-8s %-8s alive\n", info->name, where);
}

/* The instance called `name`: false, with the error printed, if there is none. */
static bool find_instance(const char *name, struct component_info *info, int *manifest_bdf)
{
	if (component_find(name, info) >= 0 && is_edu_instance(info->id, manifest_bdf))
		return true;
	shell_error("'%s' is not an edu instance (edu alone lists them)", name);
	return false;
}

static void list_instances(void)
{
	struct component_info info;
	int bdf;
	unsigned n = 0;
	for (uint64_t id = 0; kcall(SYS_COMPONENT_INFO, id, (uint64_t)&info, 0, 0).status == 0; id++)
		if (is_edu_instance(info.id, &bdf)) {
			show_instance(&info, bdf);
			n++;
		}
	if (!n)
		log_printf("no edu instances in the manifest\n");
}

/* `word` as a number in [min, max], or false with the error printed. */
static bool number_arg(const char *op, const char *word, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!words_number(word, out)) {
		shell_error("edu %s: '%s' is not a number", op, word);
		return false;
	}
	if (*out < min || *out > max) {
		shell_error("edu %s: %s is out of range (%lu..%lu)", op, word, min, max);
		return false;
	}
	return true;
}

static const char usage[] = "usage: edu [NAME] [fact N | dma LEN | live VALUE]";

void shell_edu(const struct words *w)
{
	struct component_info info;
	int manifest_bdf;
	const char *name = "edu";
	int at = 1;                     /* the word that names the operation */

	if (w->count == 1)
		return list_instances();
	const char *first = w->v[1];
	if (strcmp(first, "fact") != 0 && strcmp(first, "dma") != 0 && strcmp(first, "live") != 0) {
		name = first;
		at = 2;
	}
	if (w->count != at && w->count != at + 2)
		FAIL("%s", usage);
	if (!find_instance(name, &info, &manifest_bdf))
		return;
	if (w->count == at)
		return show_instance(&info, manifest_bdf);

	const char *op = w->v[at], *arg = w->v[at + 1];
	uint64_t value, result = 0;
	int64_t r;
	if (strcmp(op, "fact") == 0) {
		if (!number_arg(op, arg, 0, EDU_FACT_MAX, &value))
			return;
	} else if (strcmp(op, "dma") == 0) {
		if (!number_arg(op, arg, 1, EDU_DMA_MAX, &value))
			return;
	} else if (strcmp(op, "live") == 0) {
		if (!number_arg(op, arg, 0, UINT32_MAX, &value))
			return;
	} else {
		FAIL("edu: unknown operation '%s' (%s)", op, usage);
	}
	int64_t cap = cap_lookup(info.name);
	if (cap < 0)
		FAIL("the shell holds no capability for %s", info.name);
	if (op[0] == 'f')
		r = edu_factorial((cap_t)cap, value, &result);
	else if (op[0] == 'd')
		r = edu_dma((cap_t)cap, value, &result);
	else
		r = edu_liveness((cap_t)cap, value, &result);
	if (r == E_NOT_FOUND)
		FAIL("%s %s: %s has no device", info.name, op, info.name);
	if (r < 0)
		FAIL("%s %s: %s", info.name, op, why(r));
	if (op[0] == 'f')
		log_printf("%s: %lu! = %lu\n", info.name, value, result);
	else if (op[0] == 'd')
		log_printf("%s: dma %lu bytes: %lu matched\n", info.name, value, result);
	else
		log_printf("%s: live 0x%lx -> 0x%lx (%s)\n", info.name, value, result,
			   result == (uint32_t)~value ? "the inverse: alive" : "not the inverse");
}
