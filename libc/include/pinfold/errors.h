/*
 * errors.h — the error values of kernel calls and protected procedure calls.
 *
 * Declared once: the numbers, the names (E_NO_CAP …) and the one-line
 * explanations the shell prints all come from PINFOLD_ERRORS.  Every error is
 * a negative 64-bit value, so a result word that is >= 0 is never an error.
 */
#ifndef PINFOLD_ERRORS_H
#define PINFOLD_ERRORS_H

#define PINFOLD_ERRORS(X)                                                        \
	X(E_NO_CAP,            1, "no such capability")                         \
	X(E_NOT_PERMITTED,     2, "method not permitted by the capability")     \
	X(E_NO_METHOD,         3, "no such method")                             \
	X(E_CALLEE_FAILED,     4, "callee failed")                              \
	X(E_CALLEE_RESTARTING, 5, "callee restarting")                          \
	X(E_DEPTH,             6, "call depth exceeded")                        \
	X(E_INVAL,             7, "invalid argument")                           \
	X(E_FAULT,             8, "bad address")                                \
	X(E_NOMEM,             9, "out of memory")                              \
	X(E_NOSYS,            10, "no such kernel call")                        \
	X(E_NOT_FOUND,        11, "not found")                                  \
	X(E_LIMIT,            12, "limit reached")                              \
	X(E_TIMEOUT,          13, "timed out")                                  \
	X(E_BUSY,             14, "busy")                                       \
	X(E_DENIED,           15, "not allowed")                                \
	X(E_IO,               16, "device error")

enum pinfold_error {
#define PINFOLD_ERROR_ENUM(name, num, text) name = -(num),
	PINFOLD_ERRORS(PINFOLD_ERROR_ENUM)
#undef PINFOLD_ERROR_ENUM
};

/* The explanation of `err` ("no such capability"), or NULL if it is not an error value. */
static inline const char *pinfold_strerror(long err)
{
	switch (err) {
#define PINFOLD_ERROR_TEXT(name, num, text) case -(num): return text;
	PINFOLD_ERRORS(PINFOLD_ERROR_TEXT)
#undef PINFOLD_ERROR_TEXT
	}
	return 0;
}

#endif
