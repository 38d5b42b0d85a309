/*
 * Privilege drop (see privdrop.h), in OpenBSD's order: the caller opened
 * what needs privilege; here we revoke everything and check it held.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "net/privdrop.h"

/* The conventional unprivileged ids; used if "nobody" is not in the user database. */
#define NOBODY_ID 65534

/* Whether the calling thread holds cap in its effective set. */
static bool have_cap(cap_value_t cap)
{
	cap_t now = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (now != NULL) {
		if (cap_get_flag(now, cap, CAP_EFFECTIVE, &v) != 0)
			v = CAP_CLEAR;
		cap_free(now);
	}
	return v == CAP_SET;
}

/*
 * Empties the bounding set, the ceiling on what any later program could
 * gain.  It takes CAP_SETPCAP, which root has and a binary given only
 * cap_net_raw by setcap does not: that one keeps its set, and the
 * no-new-privileges flag and the seccomp filter (no execve) stand in.
 * Must run before root becomes nobody, which takes CAP_SETPCAP away.
 */
static bool clear_bounding_set(char *err, size_t errlen)
{
	if (!have_cap(CAP_SETPCAP))
		return true;
	/* cap_get_bound() is negative past the last capability this kernel knows. */
	for (cap_value_t c = 0; cap_get_bound(c) >= 0; c++)
		if (cap_get_bound(c) == 1 && cap_drop_bound(c) != 0) {
			snprintf(err, errlen, "clearing the capability bounding set: %s",
				 strerror(errno));
			return false;
		}
	for (cap_value_t c = 0; cap_get_bound(c) >= 0; c++)
		if (cap_get_bound(c) != 0) {
			snprintf(err, errlen, "the capability bounding set did not clear");
			return false;
		}
	return true;
}

static bool drop_capabilities(char *err, size_t errlen)
{
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
	return true;
}

bool privdrop_all(char *err, size_t errlen)
{
	if (!clear_bounding_set(err, errlen))
		return false;
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
