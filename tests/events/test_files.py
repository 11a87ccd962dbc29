"""Event files: JSONL and CSV lines become wire events; ids are derived deterministically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.api.events import (
    EventFileError,
    batched,
    count_event_lines,
    derived_unique_id,
    read_event_file,
    usage_event,
)
from reconciler.errors import BillingError, InvalidInputError


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_jsonl_lines_become_events(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "usage.jsonl",
        [
            json.dumps({"customer": "acme", "event_name": "api_call", "properties": {"ms": 12}}),
            "",
            json.dumps(
                {
                    "unique_id": "req-1",
                    "account": "acme",
                    "event": "api_call",
                    "timestamp": "2026-04-01T10:00:00Z",
                }
            ),
        ],
    )
    first, second = read_event_file(path)
    assert first.line == 1 and first.event is not None
    assert first.event["account"] == "acme" and first.event["properties"] == {"ms": 12}
    assert first.event["unique_id"].startswith("evt_") and "timestamp" not in first.event
    assert second.line == 3 and second.event == {
        "unique_id": "req-1",
        "account": "acme",
        "event_name": "api_call",
        "properties": {},
        "timestamp": "2026-04-01T10:00:00Z",
    }
    assert count_event_lines(path) == 2


def test_derived_ids_are_stable_and_keep_identical_lines_apart(tmp_path: Path) -> None:
    line = json.dumps({"customer": "acme", "event_name": "api_call"})
    other = json.dumps({"customer": "acme", "event_name": "api_call", "properties": {"a": 1}})
    before = [
        s.event["unique_id"]
        for s in read_event_file(  # type: ignore[index]
            _write(tmp_path / "a.jsonl", [line, line, other])
        )
    ]
    assert len(set(before)) == 3  # two identical lines are two events
    again = [
        s.event["unique_id"]
        for s in read_event_file(  # type: ignore[index]
            _write(tmp_path / "b.jsonl", [other, line, line, line])
        )
    ]
    # Same content, lines moved and one appended: the first three ids are the same ones.
    assert set(before) < set(again) and len(set(again)) == 4
    assert derived_unique_id({"a": 1}, 1) == derived_unique_id({"a": 1}, 1)
    assert derived_unique_id({"a": 1}, 1) != derived_unique_id({"a": 1}, 2)


def test_csv_columns_and_properties(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(
        "unique_id,customer,event_name,timestamp,region,properties\n"
        'r1,acme,api_call,2026-04-01T10:00:00Z,us-east-1,"{""ms"": 12}"\n'
        ",acme,api_call,,eu,\n"
    )
    first, second = read_event_file(path)
    assert first.event == {
        "unique_id": "r1",
        "account": "acme",
        "event_name": "api_call",
        "properties": {"region": "us-east-1", "ms": 12},
        "timestamp": "2026-04-01T10:00:00Z",
    }
    assert second.line == 3 and second.event is not None
    assert second.event["properties"] == {"region": "eu"}
    assert second.event["unique_id"].startswith("evt_")
    assert count_event_lines(path) == 2


def test_problems_are_reported_per_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.jsonl",
        [
            "{not json",
            "[1]",
            json.dumps({"customer": "acme"}),
            json.dumps({"customer": "acme", "event_name": "x", "colour": "red"}),
            json.dumps({"customer": "acme", "event_name": "x", "properties": {"n": {"deep": 1}}}),
            json.dumps({"customer": "acme", "event_name": "x", "unique_id": "u" * 256}),
            json.dumps({"customer": "acme", "account": "acme", "event_name": "x"}),
        ],
    )
    problems = [(s.line, s.problem) for s in read_event_file(path)]
    assert [line for line, _ in problems] == [1, 2, 3, 4, 5, 6, 7]
    assert problems[0][1] == "not valid JSON"
    assert "event_name is required" in str(problems[2][1])
    assert "unknown field(s) colour" in str(problems[3][1])
    assert "property 'n'" in str(problems[4][1])
    assert "unique_id must be" in str(problems[5][1])
    assert "account given twice" in str(problems[6][1])


def _problem(error: pytest.ExceptionInfo[EventFileError]) -> tuple[str, str, int | None, str]:
    (diagnostic,) = error.value.diagnostics
    return diagnostic.code, diagnostic.file or "", diagnostic.line, diagnostic.message


def test_formats_and_batches(tmp_path: Path) -> None:
    with pytest.raises(EventFileError) as unknown:
        list(read_event_file(tmp_path / "events.txt"))
    code, file, line, message = _problem(unknown)
    assert (code, file, line) == ("events.format", str(tmp_path / "events.txt"), None)
    assert "use .jsonl or .csv" in message
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(EventFileError) as headless:
        list(read_event_file(empty))
    assert _problem(headless) == (
        "events.csv_header",
        str(empty),
        1,
        "the CSV file has no header row",
    )
    events = [usage_event(account="a", event_name="e", unique_id=str(i)) for i in range(250)]
    assert [len(b) for b in batched(events)] == [100, 100, 50]
    assert [len(b) for b in batched(events, 500)] == [100, 100, 50]
    assert [len(b) for b in batched(events[:5], 2)] == [2, 2, 1]


def test_a_file_that_is_not_utf8_names_its_first_bad_line(tmp_path: Path) -> None:
    """Not UTF-8 text is the file's problem, located like a catalog's: every reader of the
    file (the line count for the progress bar, the events) raises the same error."""
    path = tmp_path / "usage.jsonl"
    good = json.dumps({"customer": "acme", "event_name": "x"}).encode()
    path.write_bytes(good + b"\n" + good + b"\n" + b'{"customer": "caf\xe9"}\n' + good + b"\n")
    for read in (count_event_lines, lambda p: list(read_event_file(p))):
        with pytest.raises(EventFileError) as error:
            read(path)
        assert _problem(error) == ("file.encoding", str(path), 3, "not UTF-8 text")
    assert isinstance(error.value, InvalidInputError) and isinstance(error.value, BillingError)
    assert not isinstance(error.value, ValueError)
