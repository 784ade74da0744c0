/*
 * Test oracle for patchdesk's dpkg version code: answers with libdpkg itself.
 *
 * Compiled by the tests into a temporary directory (gcc ... -ldpkg). Reads requests on stdin,
 * one per line, every version hex-encoded so that any byte (blank, newline) can be sent:
 *   P <hex>          -> "P <ok|warn|error> <hex message> <epoch> <hex upstream> <hex revision>"
 *   C <hex> <hex>    -> "C <-1|0|1>", or "C x" when either version is an error for dpkg
 * Answers one line per request and flushes after every line it reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dpkg/dpkg.h>
#include <dpkg/dpkg-db.h>
#include <dpkg/error.h>
#include <dpkg/version.h>

static char *
unhex(const char *s, size_t n)
{
	char *out = malloc(n / 2 + 1);
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		unsigned int byte;

		sscanf(s + i, "%2x", &byte);
		out[i / 2] = (char)byte;
	}
	out[n / 2] = '\0';
	return out;
}

static void
puthex(const char *s)
{
	if (s == NULL || *s == '\0') {
		fputs("-", stdout);
		return;
	}
	for (; *s; s++)
		printf("%02x", (unsigned char)*s);
}

/* Returns 0 when usable (ok or warning), -1 on error. */
static int
parse(struct dpkg_version *v, const char *text, struct dpkg_error *err)
{
	dpkg_version_blank(v);
	*err = DPKG_ERROR_OBJECT;
	if (parseversion(v, text, err) < 0 && err->type == DPKG_MSG_ERROR)
		return -1;
	return 0;
}

int
main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		char *a_hex, *b_hex, *sp;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		a_hex = line + 2;
		if (line[0] == 'P') {
			struct dpkg_version v;
			struct dpkg_error err;
			char *text = unhex(a_hex, strlen(a_hex));
			int rc = parse(&v, text, &err);
			const char *status = rc < 0 ? "error" :
			                     err.type == DPKG_MSG_WARN ? "warn" : "ok";

			printf("P %s ", status);
			puthex(err.type == DPKG_MSG_NONE ? NULL : err.str);
			printf(" %u ", rc < 0 ? 0 : v.epoch);
			puthex(rc < 0 ? NULL : v.version);
			putchar(' ');
			puthex(rc < 0 ? NULL : v.revision);
			putchar('\n');
			free(text);
		} else {
			struct dpkg_version va, vb;
			struct dpkg_error ea, eb;
			char *ta, *tb;
			int r;

			sp = strchr(a_hex, ' ');
			if (sp == NULL) {
				puts("C bad-request");
				fflush(stdout);
				continue;
			}
			*sp = '\0';
			b_hex = sp + 1;
			ta = unhex(a_hex, strlen(a_hex));
			tb = unhex(b_hex, strlen(b_hex));
			if (parse(&va, ta, &ea) < 0 || parse(&vb, tb, &eb) < 0) {
				puts("C x");
			} else {
				r = dpkg_version_compare(&va, &vb);
				printf("C %d\n", r < 0 ? -1 : r > 0 ? 1 : 0);
			}
			free(ta);
			free(tb);
		}
		fflush(stdout);
	}
	free(line);
	return 0;
}
