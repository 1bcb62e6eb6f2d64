"""The ticket store: the only component that opens the helpdesk's DuckDB database."""
from __future__ import annotations

import logging
import os
from typing import Any

import orjson
from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from . import bulk
from .access import check_token, read_name, read_role
from .analytics_api import analytics_api
from .api import Store, api
from .attachment_store import Attachments
from .attachments import attachments_api
from .duplicate_store import Duplicates
from .duplicates import duplicates_api
from .notice_store import Notices
from .notices import notices_api
from .backup import backup_api
from .categorizer import load_categorizer, ticket_text
from .categorizer.embedding import StaticEmbedding
from .db import Database
from .errors import BadRequest, register_error_handlers
from .follow_api import follow_api
from .follow_photos import follow_photos_api
from .index_sorting import IndexSorting
from .outbox_api import outbox_api
from .service_levels import read_targets
from .staff_api import staff_api
from .tickets import Tickets

log = logging.getLogger(__name__)
#: A refused body up to this size is read to its end, so the connection can serve the client's next request.
DRAIN_LIMIT = 16 * 1024 * 1024
READ_METHODS = ("GET", "HEAD", "OPTIONS")  # every other request may write (Database.announce_write)
DEFAULTS: dict[str, Any] = {
    "DB_PATH": "./var/helpdesk.duckdb",
    "API_TOKEN": None,
    "MEMORY_LIMIT": "512MB",
    "LOCK_WAIT": 15.0,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SLA": None,
    "CLOCK": None,
}


def end_request(db: Database) -> None:
    """Take back the request's announced write, and close its thread's cursor (see Database.release)."""
    db.withdraw_write()
    db.release()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the store: defaults first, then the environment, then *config* (tests)."""
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    # Before any route is added: ids in ASCII digits only (\\d takes １２ too), and no 308 redirect for "//"
    # (an HTML page pointing at the Host header); such paths are the JSON 404.
    app.url_map.converters["int"] = AsciiIntegerConverter
    app.url_map.merge_slashes = False
    app.config.update(DEFAULTS)
    app.config.update({
        key: value for key, value in {
            "DB_PATH": os.environ.get("HELPDESK_DB_PATH"),
            "API_TOKEN": os.environ.get("HELPDESK_API_TOKEN"),
            "MEMORY_LIMIT": os.environ.get("HELPDESK_DB_MEMORY_LIMIT"),
            "SLA": os.environ.get("HELPDESK_SLA"),
            "LOCK_WAIT": float(os.environ.get("HELPDESK_DB_LOCK_WAIT") or DEFAULTS["LOCK_WAIT"]),
        }.items() if value
    })
    app.config.update(config or {})

    targets = read_targets(app.config["SLA"])  # a wrong HELPDESK_SLA stops the store before it opens the file
    db = Database(app.config["DB_PATH"], app.config["MEMORY_LIMIT"], app.config["LOCK_WAIT"])
    left = bulk.remove_spooled(db.path)  # the database is ours now: no other store is importing into it
    if left:
        log.warning("removed %d import or export file(s) a stopped store left beside %s", left, db.path)
    categorizer = load_categorizer()
    # CLOCK (tests only) is a callable answering the current naive UTC instant.
    tickets = Tickets(db, categorizer.review_threshold, targets, app.config["CLOCK"])
    corrections = tickets.staff_corrections()
    if corrections:
        categorizer.learn([(ticket_text(title, description), category) for title, description, category in corrections])
    sorting = IndexSorting(db)
    db.when_closing(sorting.close)
    sorting.start()
    app.extensions["ticket_store"] = Store(db, tickets, categorizer, sorting)
    app.extensions["attachments"] = Attachments(tickets)
    app.extensions["duplicates"] = Duplicates(tickets, sentence_embedding(categorizer))
    app.extensions["notices"] = Notices(tickets)

    app.before_request(check_token)
    app.before_request(read_role)
    app.before_request(refuse_repeated_parameters)
    app.before_request(read_name)
    app.before_request(lambda: db.announce_write() if request.method not in READ_METHODS else None)
    app.teardown_request(lambda _error: end_request(db))
    app.after_request(drain_unread_body)
    app.register_blueprint(api)
    app.register_blueprint(analytics_api)
    app.register_blueprint(backup_api)
    app.register_blueprint(staff_api)
    app.register_blueprint(follow_api)
    app.register_blueprint(follow_photos_api)
    app.register_blueprint(outbox_api)
    app.register_blueprint(attachments_api)
    app.register_blueprint(duplicates_api)
    app.register_blueprint(notices_api)
    register_error_handlers(app)
    log.info("ticket store ready on %s (schema version %s)", app.config["DB_PATH"], db.schema_version)
    return app


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON, written by orjson: a page of 100 tickets in 0.03 ms instead of 0.4.

    Keys keep their order; a datetime or any other value orjson does not write itself goes to
    Flask's own conversion, so answers read as before.
    """

    sort_keys = False
    OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj, default=self.default, option=self.OPTIONS).decode()

    def response(self, *args: Any, **kwargs: Any) -> Response:
        return self._app.response_class(orjson.dumps(self._prepare_response_obj(args, kwargs), default=self.default,
                                                     option=self.OPTIONS), mimetype=self.mimetype)


def sentence_embedding(categorizer: object) -> StaticEmbedding:
    """Return the categorizer's sentence embedding (loaded anew for a categorizer without one)."""
    model = getattr(categorizer, "model", None)
    embedding = getattr(getattr(model, "resources", None), "embedding", None)
    return embedding if isinstance(embedding, StaticEmbedding) else StaticEmbedding.load()


def drain_unread_body(response: Response) -> Response:
    """Read what is left of a refused request's body (e.g. a 413) before answering.

    A server may answer "keep-alive" but then close the connection when much of the body was left
    unread (gunicorn did past 64 KiB), so the client's next request on that connection would fail.
    """
    length = request.content_length
    if response.status_code >= 400 and length and length <= DRAIN_LIMIT:
        stream = request.environ["wsgi.input"]
        while stream.read(64 * 1024):
            pass
    return response


class AsciiIntegerConverter(IntegerConverter):
    """A whole number in ASCII digits below 2**63 (Flask's own converter also takes other scripts' digits, and any
    size: no id is that large, and DuckDB cannot compare a larger number with one, a 500); others do not match: 404."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def refuse_repeated_parameters() -> None:
    """Refuse a query parameter given more than once (which one would count is a guess), as the functions do."""
    for name, values in request.args.lists():
        if len(values) > 1:
            message = f"The query parameter {name} is given {len(values)} times; give it once."
            raise BadRequest(message, [{"field": name, "message": message}])
