# Command-line tests of the built binary: bad input gives status 2 and one
# line on stderr; output that cannot be written gives status 1 and a message;
# without CAP_NET_RAW the message says how to grant it.
TESTS += tests/cli/t_bad_input.sh tests/cli/t_privilege.sh tests/cli/t_write_errors.sh \
	tests/cli/t_targets.sh
EXTRA_DIST += tests/cli/t_bad_input.sh tests/cli/t_privilege.sh tests/cli/t_write_errors.sh \
	tests/cli/t_targets.sh
# The shell completions offer every option of --help, and complete in a real bash and zsh.
TESTS += tests/cli/t_completion.sh
EXTRA_DIST += tests/cli/t_completion.sh
# Every option of --help is in the man page (SYNOPSIS, OPTIONS) and in the JSON's settings.
TESTS += tests/cli/t_documented.sh
EXTRA_DIST += tests/cli/t_documented.sh
