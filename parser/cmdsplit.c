/* cmdsplit.c - keepalived's shell-like splitting of script command lines.
 *
 * '…' and "…" quote (quotes removed); outside single quotes a backslash
 * escapes: \a \b \E \f \n \r \t \v, \nnn (up to 3 octal digits), \xHH…,
 * \cC (control character), and \C for any other C.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cf_reader.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the escape after a backslash at *pp; advances *pp. */
static char
unescape(const char **pp)
{
	const char *p = *pp;
	char c = *p++;
	switch (c) {
	case 'a': c = '\a'; break;
	case 'b': c = '\b'; break;
	case 'E': c = 033; break;
	case 'f': c = '\f'; break;
	case 'n': c = '\n'; break;
	case 'r': c = '\r'; break;
	case 't': c = '\t'; break;
	case 'v': c = '\v'; break;
	case 'x': {
		unsigned v = 0;
		int h;
		if (hexval((unsigned char)*p) < 0)
			break;
		while ((h = hexval((unsigned char)*p)) >= 0) {
			v = (v << 4) | (unsigned)h;
			p++;
		}
		c = (char)v;
		break;
	}
	case 'c':
		if (*p) {
			c = (char)(toupper((unsigned char)*p) ^ 0x40);
			p++;
		}
		break;
	default:
		if (c >= '0' && c <= '7') {
			unsigned v = (unsigned)(c - '0');
			for (int i = 0; i < 2 && *p >= '0' && *p <= '7'; i++)
				v = v * 8 + (unsigned)(*p++ - '0');
			c = (char)v;
		}
		break;
	}
	*pp = p;
	return c;
}

char **
cf_split_command(const char *s, int *argc, const char **err)
{
	size_t len = strlen(s);
	/* worst case: every other char a separator */
	size_t maxw = len / 2 + 2;
	char **argv = malloc(maxw * sizeof(char *) + len + maxw);
	if (!argv) {
		*err = "out of memory";
		return NULL;
	}
	char *out = (char *)(argv + maxw);
	int n = 0;
	const char *p = s;
	*err = NULL;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		argv[n++] = out;
		char quote = 0;
		while (*p) {
			char c = *p;
			if (quote) {
				if (c == quote) {
					quote = 0;
					p++;
					continue;
				}
				if (c == '\\' && quote == '"' && p[1]) {
					p++;
					*out++ = unescape(&p);
					continue;
				}
				*out++ = c;
				p++;
				continue;
			}
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
				break;
			if (c == '\'' || c == '"') {
				quote = c;
				p++;
				continue;
			}
			if (c == '\\' && p[1]) {
				p++;
				*out++ = unescape(&p);
				continue;
			}
			*out++ = c;
			p++;
		}
		*out++ = '\0';
		if (quote) {
			*err = "unterminated quote";
			free(argv);
			return NULL;
		}
	}
	argv[n] = NULL;
	if (argc)
		*argc = n;
	return argv;
}
