"""AI for Database workspace resources: dashboards, workflows, connections, team members.
Sync and async side by side; every list across several pages."""

from __future__ import annotations

import pytest

import sqlquarry
from sqlquarry import models
from twins import MODES, call, collect


@pytest.mark.parametrize("mode", MODES)
def test_dashboards(aifordb_client, mode):
    qid = aifordb_client.ask("SELECT 5 AS five", "conn_local").query_id
    widget = {"type": "metric", "query_id": qid, "position": {"x": 0, "y": 0, "w": 6, "h": 4}}
    made = [
        call(
            mode,
            aifordb_client.dashboards,
            "create",
            f"Sales {i}",
            description="d",
            widgets=[widget],
        )
        for i in range(4)
    ]
    assert isinstance(made[0], models.Dashboard) and made[0].widgets[0]["query_id"] == qid
    listed = collect(mode, aifordb_client.dashboards, "list", limit=2)
    assert [d.id for d in listed][-4:] == [d.id for d in made]
    got = call(mode, aifordb_client.dashboards, "get", made[0].id)
    assert got.widgets[0]["data"]["rows"] == [[5]]
    changed = call(mode, aifordb_client.dashboards, "update", made[0].id, name="Renamed")
    assert changed.name == "Renamed" and changed.description == "d"
    call(mode, aifordb_client.dashboards, "delete", made[0].id)
    with pytest.raises(sqlquarry.NotFoundError):
        call(mode, aifordb_client.dashboards, "get", made[0].id)
    with pytest.raises(sqlquarry.BadRequestError) as info:
        call(
            mode,
            aifordb_client.dashboards,
            "create",
            "Bad",
            widgets=[{**widget, "query_id": "q_missing"}],
        )
    assert info.value.code == "validation_error" and info.value.details


@pytest.mark.parametrize("mode", MODES)
def test_workflows_and_their_runs(aifordb_client, mode):
    wf = call(mode, aifordb_client.workflows, "create", "Nightly", schedule="0 3 * * *")
    assert isinstance(wf, models.Workflow) and wf.schedule == "0 3 * * *"
    assert call(mode, aifordb_client.workflows, "get", wf.id).name == "Nightly"
    runs = [call(mode, aifordb_client.workflows, "run", wf.id) for _ in range(5)]
    assert all(isinstance(r, models.WorkflowRun) and r.workflow_id == wf.id for r in runs)
    history = collect(mode, aifordb_client.workflows, "runs", wf.id, limit=2)
    assert sorted(r.id for r in history) == sorted(r.id for r in runs)
    page = aifordb_client.workflows.runs_page(wf.id, limit=2)
    assert len(page.items) == 2 and page.next_cursor
    assert wf.id in [w.id for w in collect(mode, aifordb_client.workflows, "list")]


@pytest.mark.parametrize("mode", MODES)
def test_connections(aifordb_client, mode):
    made = [
        call(
            mode,
            aifordb_client.connections,
            "create",
            "postgresql",
            f"db {i}",
            "db.example.com",
            5432,
            "prod",
            "reader",
            password="hunter2",
            ssl_mode="require",
        )
        for i in range(3)
    ]
    c = made[0]
    assert isinstance(c, models.Connection) and c.ssl_mode == "require" and c.port == 5432
    assert "hunter2" not in repr(c.to_dict())
    listed = collect(mode, aifordb_client.connections, "list", limit=2)
    assert {x.id for x in made} <= {x.id for x in listed}
    test = call(mode, aifordb_client.connections, "test", c.id)
    assert isinstance(test, models.ConnectionTest) and test.success is True
    call(mode, aifordb_client.connections, "delete", c.id)
    with pytest.raises(sqlquarry.NotFoundError):
        call(mode, aifordb_client.connections, "test", c.id)


@pytest.mark.parametrize("mode", MODES)
def test_team_members(aifordb_client, mode):
    invited = [
        call(mode, aifordb_client.team, "invite", f"p{i}@example.com", "viewer") for i in range(4)
    ]
    assert invited[0].role == "viewer" and invited[0].status == "invited"
    emails = [m.email for m in collect(mode, aifordb_client.team, "list", limit=2)]
    assert "owner@example.com" in emails and "p3@example.com" in emails
    assert call(mode, aifordb_client.team, "update_role", invited[0].id, "editor").role == "editor"
    call(mode, aifordb_client.team, "remove", invited[0].id)
    with pytest.raises(sqlquarry.BadRequestError):
        call(mode, aifordb_client.team, "invite", "x@example.com", "overlord")


def test_models_expose_unknown_fields_and_round_trip(aifordb_client):
    m = aifordb_client.team.list_page().items[0]
    assert m.to_dict()["email"] == m.email
    assert m.to_dict() is not m.to_dict()  # a copy: the object stays frozen
    with pytest.raises(AttributeError):
        _ = m.no_such_field
