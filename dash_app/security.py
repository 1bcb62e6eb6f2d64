"""Security headers for every answer of the web app, with a Content-Security-Policy Dash works under."""
from __future__ import annotations

from dash import Dash
from flask import Response

#: Dash's own inline scripts (the renderer start and the clientside callbacks) are allowed by their
#: hashes, so no other inline script (e.g. from ticket text) could ever run; styles stay inline
#: because React, Bootstrap and Plotly set style attributes.
POLICY = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
#: Callback requests carry a page's inputs and state; the largest is a photo upload (10 MiB, base64 in its callback).
MAX_REQUEST_BYTES = 15 * 1024 * 1024


def add_security_headers(app: Dash) -> None:
    """Send the security headers on every answer and refuse request bodies over MAX_REQUEST_BYTES."""
    policy: list[str] = []
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    @app.server.after_request
    def secure(response: Response) -> Response:
        if not policy:  # the hashes are complete once Dash has set itself up for the first request
            policy.append(POLICY.format(hashes=" ".join(app.csp_hashes())))
        response.headers["Content-Security-Policy"] = policy[0]
        response.headers.update(HEADERS)
        return response
