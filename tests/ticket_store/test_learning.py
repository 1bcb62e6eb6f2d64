"""Staff corrections teach the store's categorizer, without a restart, and survive one."""
from __future__ import annotations

from ticket_store import create_app

from .conftest import STAFF, if_match

NEW_WORDING = [
    "The Skyline kiosk in the atrium swallowed my token again",
    "Skyline kiosk on floor two keeps swallowing tokens",
    "Skyline kiosk ate my token, third time this week",
    "Token swallowed by the Skyline kiosk near the east stairs",
    "Skyline kiosk took my token and gave nothing back",
]
LATER_TICKET = "The Skyline kiosk by the library swallowed my token"


def correct_all(client, category: str) -> None:
    for text in NEW_WORDING:
        ticket = client.post("/api/v1/tickets", json={"description": text}).get_json()
        response = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"category": category},
                                headers={**STAFF, **if_match(ticket["version"])})
        assert response.status_code == 200


def test_corrections_change_later_tickets_without_restart(app, client):
    before = client.post("/api/v1/categorize", json={"text": LATER_TICKET}).get_json()["category"]
    target = "facility" if before != "facility" else "it"
    correct_all(client, target)
    assert app.extensions["ticket_store"].categorizer.wait(timeout=60)
    ticket = client.post("/api/v1/tickets", json={"description": LATER_TICKET}).get_json()
    assert ticket["category"] == target and ticket["category_source"] == "auto"


def test_corrections_are_kept_across_restarts(app, client, db_path):
    before = client.post("/api/v1/categorize", json={"text": LATER_TICKET}).get_json()["category"]
    target = "facility" if before != "facility" else "it"
    correct_all(client, target)
    app.extensions["ticket_store"].db.close()

    restarted = create_app({"DB_PATH": str(db_path)})
    assert restarted.extensions["ticket_store"].categorizer.wait(timeout=60)
    again = restarted.test_client().post("/api/v1/categorize", json={"text": LATER_TICKET}).get_json()
    assert again["category"] == target
    restarted.extensions["ticket_store"].db.close()
