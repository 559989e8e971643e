#!/usr/bin/env python3
# Sends native-protocol journal entries to a journald socket. Node cannot open AF_UNIX datagram sockets, so
# tests frame each entry (4-byte little-endian length + native payload) on stdin and this script sends it,
# through a memfd (SCM_RIGHTS) when it is too large for one datagram, as sd_journal_send() does.
import os, socket, struct, sys

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(path)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 * 1024 * 1024)
inp = sys.stdin.buffer
sent = 0
while True:
    head = inp.read(4)
    if len(head) < 4:
        break
    (n,) = struct.unpack('<I', head)
    payload = inp.read(n)
    if len(payload) > 128 * 1024:
        fd = os.memfd_create('journal-send', os.MFD_ALLOW_SEALING)
        os.write(fd, payload)
        import fcntl
        fcntl.fcntl(fd, 1033, 0x0001 | 0x0002 | 0x0004 | 0x0008)  # F_ADD_SEALS: seal, shrink, grow, write
        s.sendmsg([], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack('i', fd))])
        os.close(fd)
    else:
        s.send(payload)
    sent += 1
sys.stdout.write(f'{sent}\n')
