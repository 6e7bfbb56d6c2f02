"""A small real SMTP server for the job worker's tests and `make loadtest`: it keeps
what it accepts, and can hold a message unanswered (a slow or stuck mail server) to
catch a worker mid-send."""

import contextlib
import socket
import socketserver
import threading
from email import message_from_bytes


class _Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        # A client killed mid-conversation (the load test kills a worker) is a closed
        # connection, as a real server sees it: no traceback.
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            self.converse()

    def converse(self):
        server = self.server
        self.reply("220 test SMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                server.received += 1
                if server.received in server.hold:  # received, never answered: not accepted
                    server.holding.set()
                    server.released.wait()
                    return
                with server.lock:
                    server.accepted.append(message_from_bytes(data))
                self.reply("250 accepted")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("500 what")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Session)
        self.accepted = []
        self.lock = threading.Lock()
        self.received = 0
        self.hold = set()  # which messages (1 for the first received) to hold unanswered
        self.holding = threading.Event()
        self.released = threading.Event()

    @property
    def port(self):
        return self.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        if self.socket.fileno() != -1:
            self.shutdown()
        self.server_close()

    def go_down(self):
        """An outage: stop listening, so connections are refused, as when the mail
        server is stopped."""
        self.shutdown()
        self.socket.close()

    def come_back(self):
        """Listen again on the same port after an outage."""
        self.socket = socket.socket(self.address_family, self.socket_type)
        self.server_bind()
        self.server_activate()
        threading.Thread(target=self.serve_forever, daemon=True).start()
