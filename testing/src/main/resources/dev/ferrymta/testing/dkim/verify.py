#!/usr/bin/env python3
"""Verifies every DKIM-Signature of a message with dkimpy (Debian's python3-dkim), an
independent implementation, looking the public keys up through the given DNS server.

    verify.py DNS_HOST DNS_PORT < message

Prints one line per signature, "pass d=... s=..." or "fail d=... s=...: why", and exits 0 when
every signature passes, 1 otherwise, 2 when the message has none.
"""
import sys

import dkim
import dns.resolver


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = port

    def dnsfunc(name, timeout=5):
        try:
            answer = resolver.resolve(name.decode() if isinstance(name, bytes) else name, "TXT", lifetime=timeout)
        except Exception:
            return None
        return b"".join(b"".join(r.strings) for r in answer)

    message = sys.stdin.buffer.read()
    checker = dkim.DKIM(message)
    count = sum(1 for line in message.split(b"\r\n\r\n", 1)[0].split(b"\r\n") if line.lower().startswith(b"dkim-signature:"))
    if count == 0:
        print("no DKIM-Signature")
        return 2
    ok = True
    for index in range(count):
        try:
            passed = checker.verify(idx=index, dnsfunc=dnsfunc)
        except Exception as error:  # a broken signature is a failure, not a crash
            passed = False
            print("fail signature %d: %s" % (index, error))
            ok = False
            continue
        tags = checker.signature_fields if hasattr(checker, "signature_fields") else {}
        domain = tags.get(b"d", b"?").decode()
        selector = tags.get(b"s", b"?").decode()
        print("%s d=%s s=%s" % ("pass" if passed else "fail", domain, selector))
        ok = ok and passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
