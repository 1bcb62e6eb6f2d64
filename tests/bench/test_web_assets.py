"""The web assets bench's rows and table from what the browser measured."""
from __future__ import annotations

from bench.web_assets import PageAssets, asset_rows, report


def measured() -> dict[str, PageAssets]:
    return {"ticket list": PageAssets(js_wire=[900_000, 950_000, 920_000], js_bytes=[3_500_000] * 3,
                                      js_files=[22] * 3, css_bytes=[240_000] * 3, callbacks=[8, 8, 9],
                                      first_paint=[200.0, 250.0, 300.0], first_contentful=[210.0, 260.0, 310.0],
                                      ready=[900.0, 1000.0, 1400.0])}


def test_each_page_gets_its_script_bytes_and_first_paint():
    rows = {row.key: row for row in asset_rows(measured())}
    js, paint = rows["web.js.ticket_list"], rows["web.paint.ticket_list"]
    assert js.value == 3500 and js.unit == "KB" and js.extra["wire_kb"] == 920 and js.extra["callbacks_before_ready"] == 8
    assert paint.p50_ms == 260 and paint.samples == 3


def test_the_table_gives_medians_and_the_slowest_visit():
    table = report(measured(), "1.0 before")
    assert "load average 1.0 before" in table
    assert "| ticket list | 920 | 3500 | 22 | 240 | 8 | 250 | 260 | 1000 | 1400 | 3 |" in table
