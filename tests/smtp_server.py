#!/usr/bin/python3
"""A real SMTP server on 127.0.0.1 for pasip's mail tests (Debian's python3-aiosmtpd).

Usage: smtp_server.py --port PORT --dir DIR [--reject RCPT]... [--reject-sender ADDRESS]...
                      [--auth USER:PASSWORD]

Listens on 127.0.0.1:PORT (0 picks a free port) and prints the port actually used as the
first line of standard output once it accepts connections. Every message accepted is written
as one file in DIR (its raw bytes, headers included, as received after DATA), named
<n>.eml in arrival order; a file appears complete (written aside, then renamed) before the
server answers 250. `--reject RCPT` answers 550 to that recipient, `--reject-sender` to
that MAIL FROM (both may be repeated);
`--auth` requires that login (AUTH PLAIN or LOGIN, allowed without TLS for the test).
Stops on SIGTERM or SIGINT. Run it with /usr/bin/python3: the package is Debian's.
"""

import argparse
import itertools
import logging
import os
import signal
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Store:
    def __init__(self, directory, rejected, rejected_senders):
        self.directory = directory
        self.rejected = {address.lower() for address in rejected}
        self.rejected_senders = {address.lower() for address in rejected_senders}
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if address.lower() in self.rejected_senders:
            return "550 5.7.1 Expediteur refuse"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
            while os.path.exists(os.path.join(self.directory, f"{n}.eml")):
                n = next(self.counter)
            partial = os.path.join(self.directory, f".{n}.eml.part")
            with open(partial, "wb") as out:
                out.write(envelope.original_content)
            os.rename(partial, os.path.join(self.directory, f"{n}.eml"))
        return "250 2.0.0 Message accepte"


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = getattr(auth_data, "login", None) == self.user and auth_data.password == self.password
        # handled=False: aiosmtpd answers 535 itself when the login is refused.
        return AuthResult(success=ok, handled=False)


class LocalController(Controller):
    """A Controller that may listen on port 0: it learns the port the system chose before
    start() connects to the server to check that it is up."""

    async def _listen(self):
        server = await self.loop.create_server(
            self._factory_invoker, host=self.hostname, port=self.port, reuse_address=True
        )
        self.port = server.sockets[0].getsockname()[1]
        return server

    def _create_server(self):
        return self._listen()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--reject-sender", action="append", default=[])
    parser.add_argument("--auth", default="")
    args = parser.parse_args()

    # Quiet about what is deliberate here (login without TLS, on 127.0.0.1 only).
    warnings.filterwarnings("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    smtp_options = {}
    if args.auth:
        user, _, password = args.auth.partition(":")
        smtp_options = {
            "authenticator": Authenticator(user, password),
            "auth_required": True,
            "auth_require_tls": False,
        }
    controller = LocalController(
        Store(args.dir, args.reject, args.reject_sender), hostname="127.0.0.1", port=args.port, **smtp_options
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    print(controller.port, flush=True)
    while not stop.wait(0.1):
        pass
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
