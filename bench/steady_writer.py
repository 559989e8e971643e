#!/usr/bin/env python3
# Writes Docker-like entries to a journald socket at a steady rate, each MESSAGE carrying its write time
# (wts=<ms since epoch>) so the bench can measure latency from journal write to destination acceptance.
# Usage: steady_writer.py SOCKET RATE SECONDS; prints the number of entries sent.
import json, random, socket, sys, time

path, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(path)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 * 1024 * 1024)
rnd = random.Random(11)
families = ['api', 'web', 'worker', 'billing', 'search', 'auth', 'cart', 'orders', 'payments', 'inventory',
            'notify', 'gateway', 'reports', 'users', 'media', 'ledger', 'export', 'import', 'scheduler', 'metrics']
containers = []
for c in range(200):
    fam = families[c % 20] + '-svc'
    full = '%064x' % rnd.getrandbits(256)
    rev = 1 + c % 9
    containers.append(('CONTAINER_ID=%s\nCONTAINER_ID_FULL=%s\nCONTAINER_NAME=ecs-%s-%d-%s-%020x\nCONTAINER_TAG=%s\n'
                       'IMAGE_NAME=123456789012.dkr.ecr.us-east-1.amazonaws.com/%s:1.%d.0\nSYSLOG_IDENTIFIER=%s\n'
                       % (full[:12], full, fam, rev, fam.split('-')[0], rnd.getrandbits(80), full[:12], fam, rev, full[:12])).encode())
words = ['request', 'handled', 'cache', 'miss', 'upstream', 'retry', 'timeout', 'user', 'session', 'queue']

def message(i, now):
    iso = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(now)) + '.%03dZ' % (int(now * 1000) % 1000)
    text = ' '.join(rnd.choice(words) for _ in range(2 + i % 30))
    wts = int(now * 1000)
    k = i % 10
    if k < 4:
        return '{"level":"info","time":"%s","msg":"%s","path":"/api/v1/items","status":200,"wts":%d}' % (iso, text, wts)
    if k < 7:
        return 'ts=%s level=info caller=server.go:%d msg="%s" status=200 wts=%d' % (iso, i % 900, text, wts)
    return '%s INFO worker-%d %s wts=%d' % (iso, i % 16, text, wts)

# Sent in slices of 10 ms so the rate is even within each second.
SLICE = 0.01
per_slice = rate * SLICE
start = time.monotonic()
sent = 0
i = 0
due = 0.0
while True:
    elapsed = time.monotonic() - start
    if elapsed >= seconds:
        break
    due += per_slice
    now = time.time()
    while sent < int(due):
        c = containers[(i * 7919) % 200]
        payload = b'PRIORITY=6\n' + c + b'MESSAGE=' + message(i, now).encode() + b'\n'
        s.send(payload)
        sent += 1
        i += 1
    pause = start + (sent / rate) - time.monotonic()
    if pause > 0:
        time.sleep(pause)
sys.stdout.write('%d\n' % sent)
