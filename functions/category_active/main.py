"""category_active: how many tickets are active in each category right now (or at `now`).

A functions-framework HTTP function whose folder deploys on its own: analysis_function.py beside it holds
what the analysis functions share, and nothing else of the repository is imported.
"""
import flask
import functions_framework

from analysis_function import AnalysisFunction, json_response, read_now, utc_text

ANALYSIS = AnalysisFunction("category_active", parameters=("now",), takes="only now",
                            answer="active tickets cannot be counted", store_timeout=(2, 10))
ANALYSIS.answer_errors()

LABELS = {"facility": "Facility management", "it": "Technical IT", "services": "Services complaints"}


@functions_framework.http
def category_active(request: flask.Request) -> flask.Response:
    """Count the tickets active at `now` in each category, all three listed, zeros included."""
    args = ANALYSIS.check_request(request)
    now = read_now(args)
    figures = ANALYSIS.ask_store("/api/v1/analytics/active", {"at": utc_text(now)})
    categories = [{"category": category, "label": label, "active": figures["by_category"].get(category, 0)}
                  for category, label in LABELS.items()]
    return json_response({"now": utc_text(now), "categories": categories,
                          "total_active": sum(item["active"] for item in categories)})
