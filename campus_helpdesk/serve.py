"""Run a WSGI app under waitress, configured in code rather than on a command line.

waitress reads each request whole (headers and body, a large body into a temporary file) in one
event loop before a worker thread sees it, so a client that sends slowly, or opens a connection and
waits, holds no thread: 200 such clients do not delay anybody else. It is one process with threads,
which is what the store must be (DuckDB lets one process open the database file).
"""
from __future__ import annotations

import json
import logging
import os
import signal
import time
from typing import Any, Callable

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

#: The request line and headers together; ordinary long search queries must reach the app (and get
#: the API's error shape) instead of being refused by the server.
REQUEST_HEADER_LIMIT = 64 * 1024
#: Open connections per service; more wait in the listen backlog. Each costs at most its headers plus
#: BODY_IN_MEMORY of body in memory (a longer body goes to a temporary file).
CONNECTION_LIMIT = 1000
BODY_IN_MEMORY = 128 * 1024
IDLE_SECONDS = 75  # people pause longer than a few seconds between clicks on a kept-alive connection
STOP_WAIT_SECONDS = 10.0
LOOP_SECONDS = 0.2
DEFAULT_BODY_LIMIT = 16 * 1024 * 1024
SENTENCES = {
    400: "The request is not valid HTTP ({reason}).",
    413: "The request body is larger than this service accepts ({limit}).",
    431: "The request's address and headers are larger than the 64 KiB this service accepts; "
         "shorten the address (a search text, for instance) or send fewer headers.",
    500: "The server hit an unexpected problem while answering.",
    501: "The server does not support this request ({reason}).",
}
log = logging.getLogger("campus_helpdesk.serve")


class JsonErrorTask(ErrorTask):
    """Answer what the server refuses itself (bad request line, headers too large) in the API's error shape."""

    def execute(self) -> None:
        error = self.request.error
        limit = self.channel.server.adj.max_request_body_size
        sentence = SENTENCES.get(error.code, "The server refused the request ({reason}).").format(
            reason=str(error.body).rstrip(". ") or error.reason, limit=f"{limit / 1024 / 1024:g} MiB")
        body = json.dumps({"status": error.code, "error": sentence,
                           "details": [{"field": "", "message": str(error.body)}]}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class Channel(HTTPChannel):
    """A waitress connection whose own error answers are JSON."""

    error_task_class = JsonErrorTask


def serve(load_app: Callable[[], Any], host: str, port: int, *, threads: int = 8,
          body_limit: int = DEFAULT_BODY_LIMIT, name: str = "campus-helpdesk") -> None:
    """Serve the app built by *load_app* on host:port until SIGTERM or SIGINT, then stop gracefully."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s")
    app = load_app()  # before listening: a health check answers only once the app is ready
    sockets: dict[int, Any] = {}
    server = create_server(
        app, map=sockets, host=host, port=port, threads=threads, ident=name,
        connection_limit=CONNECTION_LIMIT, channel_timeout=IDLE_SECONDS, asyncore_use_poll=True,
        max_request_header_size=REQUEST_HEADER_LIMIT, max_request_body_size=body_limit,
        inbuf_overflow=BODY_IN_MEMORY, expose_tracebacks=False,
    )
    listeners = [item for item in sockets.values() if isinstance(item, BaseWSGIServer)]
    for listener in listeners:
        listener.channel_class = Channel

    received: list[str] = []

    def stop(signum: int, _frame: Any) -> None:
        received.append(signal.Signals(signum).name)  # the loop notices within LOOP_SECONDS

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("%s listening on http://%s:%s with %d threads", name, host, port, threads)
    while not received:
        wasyncore.loop(timeout=LOOP_SECONDS, map=sockets, use_poll=True, count=1)
    log.info("%s received; finishing the requests under way", received[0])
    finish_requests(server, listeners, sockets)
    log.info("%s stopped", name)


def finish_requests(server: Any, listeners: list[BaseWSGIServer], sockets: dict[int, Any]) -> None:
    """Stop accepting, let the requests under way be read and answered (for a while), then close everything.

    A request still running after STOP_WAIT_SECONDS is cut off as by a crash (os._exit): letting the
    interpreter shut down under a thread that is inside DuckDB aborts the process instead. What was
    committed stays committed either way.
    """
    for listener in listeners:
        listener.accepting = False
        listener.del_channel()
        listener.socket.close()
    dispatcher = server.task_dispatcher
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while time.monotonic() < deadline and (dispatcher.active_count or dispatcher.queue or any(
            isinstance(item, HTTPChannel) and (item.total_outbufs_len or item.requests or item.request is not None)
            for item in sockets.values())):
        wasyncore.loop(timeout=0.05, map=sockets, use_poll=True, count=1)
    dispatcher.shutdown(cancel_pending=True, timeout=1)
    if dispatcher.threads:
        log.warning("%d request(s) still running after %g s; stopping without them", len(dispatcher.threads),
                    STOP_WAIT_SECONDS)
        logging.shutdown()
        os._exit(0)
    wasyncore.close_all(sockets)
