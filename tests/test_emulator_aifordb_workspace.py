"""The AI for Database emulator's workspace endpoints over real HTTP: dashboards,
workflows, connections and team members (helpers from test_emulator_aifordb)."""

from __future__ import annotations

import time

import pytest

from test_emulator_aifordb import CONNECTION, TIMESTAMP, all_pages, ask, call, check_error


def test_dashboards(aifordb_server):
    qid = ask(aifordb_server, "SELECT 7 AS sales").data["query_id"]
    widget = {"type": "metric", "query_id": qid, "position": {"x": 0, "y": 0, "w": 6, "h": 4}}
    text_widget = {"type": "text", "content": "hello"}
    body = {"name": "Sales Overview", "description": "Daily", "widgets": [widget, text_widget]}
    created = call(aifordb_server, "POST", "/dashboards", body)
    assert created.status == 201
    dash = created.data
    assert (dash["name"], dash["description"]) == ("Sales Overview", "Daily")
    first, second = dash["widgets"]
    assert first["data"] == {"columns": ["sales"], "rows": [[7]], "row_count": 1}
    assert first["position"] == widget["position"] and first["id"]
    assert second["data"] is None and second["content"] == "hello"
    assert second["position"] == {"x": 0, "y": 0, "w": 6, "h": 4}
    got = call(aifordb_server, "GET", f"/dashboards/{dash['id']}")
    assert got.status == 200 and got.data == dash
    listed = call(aifordb_server, "GET", "/dashboards")
    assert [d["id"] for d in listed.data] == [dash["id"]]
    assert "data" not in listed.data[0]["widgets"][0]
    patched = call(aifordb_server, "PATCH", f"/dashboards/{dash['id']}", {"name": "Renamed"})
    assert patched.status == 200 and patched.data["name"] == "Renamed"
    assert patched.data["description"] == "Daily" and len(patched.data["widgets"]) == 2
    assert patched.data["updated_at"] >= dash["updated_at"]
    patched = call(aifordb_server, "PATCH", f"/dashboards/{dash['id']}", {"widgets": [widget]})
    assert [w["query_id"] for w in patched.data["widgets"]] == [qid]
    call(aifordb_server, "DELETE", f"/queries/{qid}")
    after = call(aifordb_server, "GET", f"/dashboards/{dash['id']}")
    assert after.data["widgets"][0]["data"] is None
    deleted = call(aifordb_server, "DELETE", f"/dashboards/{dash['id']}")
    assert deleted.data == {"id": dash["id"], "deleted": True}
    check_error(call(aifordb_server, "GET", f"/dashboards/{dash['id']}"), 404, "not_found")
    check_error(call(aifordb_server, "PATCH", f"/dashboards/{dash['id']}", {}), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "no name"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "d", "description": 5}, "description"),
        ({"name": "d", "widgets": {}}, "widgets"),
        ({"name": "d", "widgets": [{"query_id": "q"}]}, "widgets[0].type"),
        ({"name": "d", "widgets": [{"type": "metric", "query_id": "q_nope"}]},
         "widgets[0].query_id"),
        ({"name": "d", "widgets": [{"type": "metric", "position": {"x": 0, "y": 0, "w": 0,
                                                                    "h": 1}}]},
         "widgets[0].position"),
    ],
)  # fmt: skip
def test_dashboard_validation(aifordb_server, body, field):
    err = check_error(call(aifordb_server, "POST", "/dashboards", body), 422, "validation_error")
    assert err["details"]["field"] == field


def test_workflows_and_runs(aifordb_server):
    check_error(call(aifordb_server, "POST", "/workflows", {"steps": []}), 422, "validation_error")
    body = {"name": "Nightly", "trigger": {"cron": "0 3 * * *"}, "steps": [{"type": "query"}]}
    created = call(aifordb_server, "POST", "/workflows", body)
    assert created.status == 201
    wf = created.data
    assert {k: wf[k] for k in body} == body and wf["description"] is None
    assert wf["id"].startswith("wf_") and TIMESTAMP.fullmatch(wf["created_at"])
    assert call(aifordb_server, "GET", f"/workflows/{wf['id']}").data == wf
    assert [w["id"] for w in call(aifordb_server, "GET", "/workflows").data] == [wf["id"]]
    run = call(aifordb_server, "POST", f"/workflows/{wf['id']}/run")
    assert run.status == 201 and set(run.data) == {"id", "workflow_id", "status", "started_at",
                                                    "finished_at"}  # fmt: skip
    assert run.data["status"] == "completed" and run.data["finished_at"] is not None
    aifordb_server.workflow_run_seconds = 0.4
    slow = call(aifordb_server, "POST", f"/workflows/{wf['id']}/run").data
    assert slow["status"] == "running" and slow["finished_at"] is None
    for _ in range(3):
        call(aifordb_server, "POST", f"/workflows/{wf['id']}/run")
    other = call(aifordb_server, "POST", "/workflows", {"name": "Other"}).data
    call(aifordb_server, "POST", f"/workflows/{other['id']}/run")
    pages = all_pages(aifordb_server, f"/workflows/{wf['id']}/runs", 2)
    runs = [r for page in pages for r in page]
    assert [len(p) for p in pages] == [2, 2, 1] and {r["workflow_id"] for r in runs} == {wf["id"]}
    assert runs[0]["id"] == run.data["id"] and runs[1]["id"] == slow["id"]
    time.sleep(0.45)
    again = call(aifordb_server, "GET", f"/workflows/{wf['id']}/runs").data
    assert again[1]["status"] == "completed" and again[1]["finished_at"] > again[1]["started_at"]
    check_error(call(aifordb_server, "POST", "/workflows/wf_nope/run"), 404, "not_found")
    check_error(call(aifordb_server, "GET", "/workflows/wf_nope/runs"), 404, "not_found")
    resp = call(aifordb_server, "DELETE", f"/workflows/{wf['id']}")
    check_error(resp, 405, "method_not_allowed")
    assert resp.headers["Allow"] == "GET"


def test_connections_never_echo_the_password(aifordb_server):
    listed = call(aifordb_server, "GET", "/connections")
    assert [c["id"] for c in listed.data] == ["conn_local"]
    created = call(aifordb_server, "POST", "/connections", CONNECTION)
    assert created.status == 201
    conn = created.data
    assert {k: conn[k] for k in CONNECTION if k != "password"} == {
        k: v for k, v in CONNECTION.items() if k != "password"
    }
    responses = [
        created,
        call(aifordb_server, "GET", "/connections"),
        call(aifordb_server, "GET", f"/connections/{conn['id']}"),
        call(aifordb_server, "POST", f"/connections/{conn['id']}/test"),
    ]
    for resp in responses:
        assert resp.status in (200, 201)
        assert b"s3cret-Pa55word" not in resp.raw and b"password" not in resp.raw
    test = responses[-1].data
    assert test["success"] is True and test["latency_ms"] >= 1 and test["message"]
    # Every connection reaches the emulator's chDB.
    assert ask(aifordb_server, "SELECT 3 AS x", conn["id"]).data["results"]["rows"] == [[3]]
    aifordb_server.break_connection(conn["id"])
    test = call(aifordb_server, "POST", f"/connections/{conn['id']}/test")
    assert test.status == 200 and test.data["success"] is False
    assert test.data["latency_ms"] is None and "db.example.com:5432" in test.data["message"]
    check_error(ask(aifordb_server, "SELECT 1", conn["id"]), 502, "connection_error")
    deleted = call(aifordb_server, "DELETE", f"/connections/{conn['id']}")
    assert deleted.data == {"id": conn["id"], "deleted": True}
    for method, suffix in (("GET", ""), ("DELETE", ""), ("POST", "/test")):
        resp = call(aifordb_server, method, f"/connections/{conn['id']}{suffix}")
        check_error(resp, 404, "not_found")


def test_connection_helpers_and_pagination(aifordb_server):
    hidden = aifordb_server.add_connection(name="Down", reachable=False, password="pw-hidden")
    ids = ["conn_local", hidden]
    for n in range(3):
        body = {**CONNECTION, "name": f"c{n}", "ssl_mode": "disable"}
        ids.append(call(aifordb_server, "POST", "/connections", body).data["id"])
    pages = all_pages(aifordb_server, "/connections", 2)
    assert [[c["id"] for c in page] for page in pages] == [ids[:2], ids[2:4], ids[4:]]
    assert b"pw-hidden" not in call(aifordb_server, "GET", "/connections").raw
    check_error(ask(aifordb_server, "SELECT 1", hidden), 502, "connection_error")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": ""}, "type"), ({"name": None}, "name"), ({"host": 5}, "host"),
        ({"port": "5432"}, "port"), ({"port": 70000}, "port"), ({"port": True}, "port"),
        ({"database": ""}, "database"), ({"username": None}, "username"),
        ({"password": 1}, "password"), ({"ssl_mode": "sometimes"}, "ssl_mode"),
    ],
)  # fmt: skip
def test_connection_validation(aifordb_server, change, field):
    resp = call(aifordb_server, "POST", "/connections", {**CONNECTION, **change})
    assert check_error(resp, 422, "validation_error")["details"]["field"] == field
    assert b"s3cret" not in resp.raw


def test_team_members(aifordb_server):
    (owner,) = call(aifordb_server, "GET", "/team/members").data
    assert (owner["id"], owner["role"], owner["status"]) == ("mem_owner", "admin", "active")
    invited = call(aifordb_server, "POST", "/team/members",
                   {"email": "new.member@company.com", "role": "editor"})  # fmt: skip
    assert invited.status == 201
    member = invited.data
    assert (member["email"], member["role"], member["status"]) == (
        "new.member@company.com", "editor", "invited",
    )  # fmt: skip
    for body, field in (
        ({"email": "x@y.io", "role": "owner"}, "role"),
        ({"email": "not-an-email", "role": "viewer"}, "email"),
        ({"email": "NEW.member@company.com", "role": "viewer"}, "email"),
    ):
        resp = call(aifordb_server, "POST", "/team/members", body)
        assert check_error(resp, 422, "validation_error")["details"]["field"] == field
    path = f"/team/members/{member['id']}"
    updated = call(aifordb_server, "PATCH", path, {"role": "viewer"})
    assert updated.status == 200 and updated.data["role"] == "viewer"
    check_error(call(aifordb_server, "PATCH", path, {"role": "god"}), 422, "validation_error")
    for n in range(3):
        call(aifordb_server, "POST", "/team/members", {"email": f"m{n}@x.io", "role": "viewer"})
    assert [len(p) for p in all_pages(aifordb_server, "/team/members", 2)] == [2, 2, 1]
    assert call(aifordb_server, "DELETE", path).data == {"id": member["id"], "deleted": True}
    check_error(call(aifordb_server, "PATCH", path, {"role": "viewer"}), 404, "not_found")
    check_error(call(aifordb_server, "DELETE", path), 404, "not_found")


def test_reset_restores_the_workspace(aifordb_server):
    call(aifordb_server, "DELETE", "/connections/conn_local")
    call(aifordb_server, "DELETE", "/team/members/mem_owner")
    call(aifordb_server, "POST", "/workflows", {"name": "w"})
    aifordb_server.register_question("q?", "SELECT 1")
    aifordb_server.reset()
    assert [c["id"] for c in call(aifordb_server, "GET", "/connections").data] == ["conn_local"]
    assert [m["id"] for m in call(aifordb_server, "GET", "/team/members").data] == ["mem_owner"]
    assert call(aifordb_server, "GET", "/workflows").data == []
    check_error(ask(aifordb_server, "q?"), 422, "validation_error")
