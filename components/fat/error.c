/*
 * error.c — error codes, their names, and the message of the last failure.
 *
 * A code says what kind of failure it was, for programs; the message says
 * exactly what was wrong, for people, and names the values that were bad.
 * The strings are indexed by the codes with designated initialisers, so a
 * code added to fat.h without a string here shows up as "unknown error".
 */
#include <stdarg.h>
#include <stdio.h>

#include "components/fat/error.h"

static const char *const error_names[FAT_ERROR_COUNT] = {
	[FAT_OK] = "success",
	[FAT_E_IO] = "disk I/O error",
	[FAT_E_NOT_FAT] = "not a FAT file system",
	[FAT_E_UNSUPPORTED] = "unsupported FAT variant",
	[FAT_E_CORRUPT] = "corrupt file system",
	[FAT_E_NOT_FOUND] = "no such file or directory",
	[FAT_E_EXISTS] = "file exists",
	[FAT_E_NOT_DIR] = "not a directory",
	[FAT_E_IS_DIR] = "is a directory",
	[FAT_E_NOT_EMPTY] = "directory not empty",
	[FAT_E_NO_SPACE] = "no space left on the volume",
	[FAT_E_DIR_FULL] = "directory full",
	[FAT_E_BAD_NAME] = "invalid name",
	[FAT_E_TOO_BIG] = "file too big for FAT",
	[FAT_E_READ_ONLY] = "read-only",
	[FAT_E_INVALID] = "invalid argument",
};

const char *fat_strerror(int error)
{
	if (error < 0)
		error = -error;
	if (error >= FAT_ERROR_COUNT || !error_names[error])
		return "unknown error";
	return error_names[error];
}

const char *fat_message(const struct fat_volume *vol)
{
	return vol ? vol->message : "no volume";
}

int fat_fail(struct fat_volume *vol, enum fat_error code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vol->message, sizeof vol->message, fmt, ap);
	va_end(ap);
	return -(int)code;
}
