#!/usr/bin/python3
"""A tiny Paris-style traceroute for checking the lab's topologies without
ecmptrace: UDP probes with one fixed source and destination port, one per
TTL, and the answering address read from the socket's error queue
(IP_RECVERR), so no raw socket is needed.  Prints one address per TTL
('*' for no answer), stopping at the destination (port unreachable).

usage: flowtrace.py [-6] DST SPORT DPORT [MAXTTL]
"""
import select
import socket
import struct
import sys

SO_EE_ORIGIN_ICMP = 2
SO_EE_ORIGIN_ICMP6 = 3
IP_RECVERR = 11
IPV6_RECVERR = 25


def probe(sock, fam, dst, dport, ttl, timeout=1.0):
    """Send one probe with TTL ttl; return (answer address, reached dst)."""
    if fam == socket.AF_INET:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    else:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
    sock.sendto(b"lab-flowtrace", (dst, dport))
    poller = select.poll()
    poller.register(sock, select.POLLERR | select.POLLIN)
    if not poller.poll(int(timeout * 1000)):
        return None, False
    try:
        _, anc, _, _ = sock.recvmsg(512, 512, socket.MSG_ERRQUEUE)
    except BlockingIOError:
        return None, False
    for level, ctype, data in anc:
        if len(data) < 16 + 8:
            continue
        errno_, origin, icmp_type, code = struct.unpack_from("=IBBB", data, 0)
        if origin not in (SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6):
            continue
        # The offender's sockaddr follows the 16-byte sock_extended_err.
        sa_family = struct.unpack_from("=H", data, 16)[0]
        if sa_family == socket.AF_INET:
            addr = socket.inet_ntop(socket.AF_INET, data[20:24])
        elif sa_family == socket.AF_INET6 and len(data) >= 16 + 24:
            addr = socket.inet_ntop(socket.AF_INET6, data[24:40])
        else:
            continue
        # Port unreachable (v4 type 3 code 3, v6 type 1 code 4): the end.
        reached = (icmp_type, code) in ((3, 3), (1, 4))
        return addr, reached
    return None, False


def main(argv):
    fam = socket.AF_INET
    if argv and argv[0] == "-6":
        fam = socket.AF_INET6
        argv = argv[1:]
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    dst, sport, dport = argv[0], int(argv[1]), int(argv[2])
    maxttl = int(argv[3]) if len(argv) > 3 else 16
    sock = socket.socket(fam, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET:
        sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    else:
        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
    sock.bind(("", sport))
    sock.setblocking(False)
    path = []
    for ttl in range(1, maxttl + 1):
        addr, reached = probe(sock, fam, dst, dport, ttl)
        path.append(addr or "*")
        if reached:
            break
    print(" ".join(path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
