"""Nested journeys: sub-maps by id (a workspace) or by file, found, refused when missing or
when they open a cycle, with the line of the ``submap:`` that is wrong."""

from __future__ import annotations

import pytest

import parcours
from parcours.errors import MapError, NotFoundError
from parcours.maps import JourneyMap, nesting
from tests.cli.test_cli import run


def text(map_id: str, stage_submap: str = "", touchpoint_submap: str = "") -> str:
    return (
        f"map: {map_id}\n"
        f"title: {map_id.upper()}\n"
        "channels: [web]\n"
        "conversion: {event: buy}\n"
        "stages:\n"
        "  - id: s\n"
        "    title: S\n"
        + (f"    submap: {stage_submap}\n" if stage_submap else "")
        + "touchpoints:\n"
        "  - id: t\n"
        "    stage: s\n"
        "    channel: web\n"
        "    match: {event: view}\n"
        + (f"    submap: {touchpoint_submap}\n" if touchpoint_submap else "")
    )


def finder(maps: dict[str, str]):
    def find(map_id: str) -> JourneyMap:
        if map_id not in maps:
            raise NotFoundError(f"no map '{map_id}' in this workspace; maps: {', '.join(maps)}")
        return JourneyMap.loads(maps[map_id], f"{map_id}@v1")

    return find


def test_submap_by_id_or_file_round_trips():
    jm = JourneyMap.loads(text("a", "livraison", "{file: retours.yaml}"))
    assert jm.stages[0].submap.map == "livraison"
    assert jm.touchpoints[0].submap.file == "retours.yaml"
    assert jm.model_dump(mode="json")["stages"][0]["submap"] == "livraison"
    assert [link.key for link in nesting.links(jm)] == ["stage:s", "touchpoint:t"]


def test_a_submap_names_a_map_or_a_file_not_both():
    with pytest.raises(MapError, match="a sub-map has either map or file"):
        JourneyMap.loads(text("a", "{map: b, file: b.yaml}"))


def test_tree_resolved_depth_first():
    maps = {"b": text("b", "c"), "c": text("c")}
    found = nesting.resolve(JourneyMap.loads(text("a", "b")), finder(maps))
    assert [(n.parent, n.link.key, n.child.map) for n in found] == [
        ("a", "stage:s", "b"),
        ("b", "stage:s", "c"),
    ]
    assert [
        n.child.map for n in nesting.children(JourneyMap.loads(text("a", "b")), finder(maps))
    ] == ["b"]


def test_cycle_refused_with_its_path_and_line():
    maps = {"b": text("b", "c"), "c": text("c", touchpoint_submap="a")}
    with pytest.raises(MapError) as caught:
        nesting.resolve(JourneyMap.loads(text("a", "b"), "a.yaml"), finder(maps))
    (problem,) = caught.value.problems
    assert (
        problem.file == "c@v1" and problem.field == "touchpoints[0].submap" and problem.line == 13
    )
    assert problem.message == (
        "touchpoint 't' opens map 'a', which is already open above it (a → b → c → a): a "
        "sub-map cannot contain the map that opens it; point to another map"
    )


def test_a_map_opening_itself_is_a_cycle():
    with pytest.raises(MapError, match=r"opens map 'a', which is already open above it \(a → a\)"):
        nesting.resolve(JourneyMap.loads(text("a", "a")), finder({}))


def test_missing_map_refused_naming_the_maps_there():
    with pytest.raises(MapError) as caught:
        nesting.resolve(
            JourneyMap.loads(text("a", "livraison"), "a.yaml"), finder({"b": text("b")})
        )
    (problem,) = caught.value.problems
    assert (problem.line, problem.field) == (8, "stages[0].submap")
    assert (
        "stage 's' opens map 'livraison', which is not saved in this workspace" in problem.message
    )
    assert "maps: b" in problem.message


def test_files_found_next_to_the_parent_and_cycles_refused(tmp_path):
    (tmp_path / "maps").mkdir()
    (tmp_path / "a.yaml").write_text(text("a", "{file: maps/b.yaml}"))
    (tmp_path / "maps" / "b.yaml").write_text(text("b"))
    found = nesting.resolve(JourneyMap.load(tmp_path / "a.yaml"))
    assert [n.child.map for n in found] == ["b"]
    # b opens a back: a file path is relative to its own map's folder
    (tmp_path / "maps" / "b.yaml").write_text(text("b", "{file: ../a.yaml}"))
    with pytest.raises(MapError, match=r"\(a → b → a\)"):
        nesting.resolve(JourneyMap.load(tmp_path / "a.yaml"))
    (tmp_path / "maps" / "b.yaml").unlink()
    with pytest.raises(MapError, match="file 'maps/b.yaml', which does not exist"):
        nesting.resolve(JourneyMap.load(tmp_path / "a.yaml"))


def test_validate_refuses_a_cycle_of_files(tmp_path):
    (tmp_path / "a.yaml").write_text(text("a", "{file: b.yaml}"))
    (tmp_path / "b.yaml").write_text(text("b", touchpoint_submap="{file: a.yaml}"))
    result = run("validate", "a.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "b.yaml:13" in result.stderr and "(a → b → a)" in result.stderr
    (tmp_path / "b.yaml").write_text(text("b"))
    assert run("validate", "a.yaml", cwd=tmp_path).returncode == 0


def test_workspace_refuses_saving_a_missing_submap_or_a_cycle():
    ws = parcours.open(":memory:")
    with pytest.raises(MapError, match="opens map 'b', which is not saved in this workspace"):
        ws.save_map(JourneyMap.loads(text("a", "b")))
    ws.save_map(JourneyMap.loads(text("a")))
    ws.save_map(JourneyMap.loads(text("b", "a")))  # b opens the saved a
    with pytest.raises(MapError, match=r"\(a → b → a\)"):
        ws.save_map(JourneyMap.loads(text("a", "b")))  # a's next version would open b
    with pytest.raises(MapError, match="opens sub-maps by id only"):
        ws.save_map(JourneyMap.loads(text("c", "{file: b.yaml}")))
    assert ws.map_versions("a").version.tolist() == [1]
