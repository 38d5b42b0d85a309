#!/usr/bin/python3
"""Run a command and write its wall time and resource usage to a file.

bench/run.sh wraps every tool run in this so that ecmptrace, scamper and
mtr are measured the same way: wall time from a monotonic clock, CPU time
and peak memory from wait4() (microsecond CPU resolution; the child's own
usage plus that of every child it waited for, such as mtr's mtr-packet).

Usage: rusage.py OUTFILE CMD [ARG]...
OUTFILE gets one line: "wall_s user_s sys_s maxrss_kib exit_status".
The command's stdout and stderr are left as they are.
"""
import os
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: rusage.py OUTFILE CMD [ARG]...\n")
        return 2
    out, argv = sys.argv[1], sys.argv[2:]
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            sys.stderr.write("rusage.py: %s: %s\n" % (argv[0], e))
        os._exit(127)
    while True:
        try:
            _, status, ru = os.wait4(pid, 0)
            break
        except InterruptedError:
            continue
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    with open(out, "w") as f:
        f.write("%.6f %.6f %.6f %d %d\n" % (wall, ru.ru_utime, ru.ru_stime,
                                            ru.ru_maxrss, code))
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
