#!/usr/bin/python3
"""A TCP service for the demo network and the lab: listens on PORT (IPv4 and
IPv6) and resets each connection once the client has closed its side.  A
reset leaves no TIME_WAIT on either side, so a client may try the same
source port again right away (nc -p PORT, run after run).

Usage: tcp-listener.py PORT
"""
import socket
import struct
import sys
import threading


def serve(conn):
    # Wait for the client to close first, then reset: its connect has surely
    # completed by then.
    try:
        conn.settimeout(2.0)
        while conn.recv(512):
            pass
    except OSError:
        pass
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def main():
    port = int(sys.argv[1])
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", port))
    sock.listen(128)
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
