#!/usr/bin/python3
"""The reference of the e-mail delivery benchmark (bench/orientation/run.sh).

Usage: smtp_reference.py --port PORT --message FILE --count N --sender ADDRESS --to ADDRESS

Sends the bytes of FILE (a message as pasip builds it: `pasip_orientation_bench sample`) N
times to 127.0.0.1:PORT with Python's standard smtplib, one connection per message as
libcurl does in mail::SmtpTransport (connect, EHLO, MAIL FROM, RCPT TO, DATA, QUIT), no
TLS, and prints "messages=N seconds=S per_s=R". Only the sending loop is timed. The EHLO name
is the host name, as libcurl sends it, given once (smtplib would otherwise ask the resolver
for a fully qualified name at every connection).
"""

import argparse
import smtplib
import socket
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--message", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--sender", required=True)
    parser.add_argument("--to", required=True)
    args = parser.parse_args()
    with open(args.message, "rb") as f:
        message = f.read()
    name = socket.gethostname()
    start = time.perf_counter()
    for _ in range(args.count):
        with smtplib.SMTP("127.0.0.1", args.port, local_hostname=name, timeout=30) as smtp:
            refused = smtp.sendmail(args.sender, [args.to], message)
            if refused:
                print(f"refusé : {refused}", file=sys.stderr)
                return 1
    seconds = time.perf_counter() - start
    print(f"messages={args.count} seconds={seconds:.3f} per_s={args.count / seconds:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
