#!/usr/bin/env python3
# Runs a command and writes, as JSON to the file named first, the CPU time and peak RSS of it and of every
# descendant it waited for (getrusage(RUSAGE_CHILDREN)): the daemon plus the journalctl processes it ran.
# SIGTERM and SIGINT are passed on to the command. Usage: rusage_run.py OUT.json CMD [ARGS...]
import json, resource, signal, subprocess, sys, time

out, cmd = sys.argv[1], sys.argv[2:]
started = time.monotonic()
child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
for s in (signal.SIGTERM, signal.SIGINT):
    signal.signal(s, lambda signum, frame: child.send_signal(signum))
code = child.wait()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, 'w') as f:
    json.dump({'code': code, 'user': usage.ru_utime, 'system': usage.ru_stime, 'maxRssKb': usage.ru_maxrss,
               'minorFaults': usage.ru_minflt, 'wall': time.monotonic() - started}, f)
sys.exit(code if code >= 0 else 128 - code)
