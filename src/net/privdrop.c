/*
 * Privilege drop (see privdrop.h), in OpenBSD's order: the caller opened
 * what needs privilege; here we revoke everything and check it held.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#ifdef HAVE_SYS_CAPABILITY_H
#include <sys/capability.h>
#endif

#include "net/privdrop.h"

/* The conventional unprivileged ids; used if "nobody" is not in the user database. */
#define NOBODY_ID 65534

static bool drop_capabilities(char *err, size_t errlen)
{
#if defined(HAVE_SYS_CAPABILITY_H) && defined(HAVE_LIBCAP)
	cap_t none = cap_init();
	int rc;

	if (none == NULL) {
		snprintf(err, errlen, "cap_init: %s", strerror(errno));
		return false;
	}
	rc = cap_set_proc(none);
	cap_free(none);
	if (rc < 0) {
		snprintf(err, errlen, "clearing capabilities: %s", strerror(errno));
		return false;
	}
#else
	(void)err;
	(void)errlen;
#endif
	return true;
}

bool privdrop_all(char *err, size_t errlen)
{
	if (geteuid() == 0 || getuid() == 0) {
		const struct passwd *pw = getpwnam("nobody");
		uid_t uid = pw ? pw->pw_uid : NOBODY_ID;
		gid_t gid = pw ? pw->pw_gid : NOBODY_ID;

		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0) {
			snprintf(err, errlen, "dropping root: %s", strerror(errno));
			return false;
		}
		/* Verify: getting root back must be impossible now. */
		if (setuid(0) == 0 || seteuid(0) == 0) {
			snprintf(err, errlen, "dropping root did not hold");
			return false;
		}
	}
	if (!drop_capabilities(err, errlen))
		return false;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return false;
	}
	return true;
}
