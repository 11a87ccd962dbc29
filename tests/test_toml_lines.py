"""`TomlLines`: the line where every field path of a TOML text is written."""

from __future__ import annotations

import threading
import tomllib

import pytest

from reconciler.source.toml_lines import TomlLines


def lines(text: str) -> TomlLines:
    tomllib.loads(text)  # every fixture is valid TOML
    return TomlLines(text)


def test_headers_keys_and_dotted_keys() -> None:
    t = lines(
        """# a comment
title = "x"

[metrics.api_calls]
name = "API calls"
aggregation.method = "sum"
aggregation.field = "n"

[ products . "seat" ]
name = "Seat"
"""
    )
    assert t.line_of(("title",)) == 2
    assert t.line_of(("metrics", "api_calls")) == 4
    assert t.line_of(("metrics", "api_calls", "name")) == 5
    assert t.line_of(("metrics", "api_calls", "aggregation")) == 6
    assert t.line_of(("metrics", "api_calls", "aggregation", "method")) == 6
    assert t.line_of(("metrics", "api_calls", "aggregation", "field")) == 7
    assert t.line_of(("products", "seat")) == 9
    assert t.line_of(("products", "seat", "name")) == 10


def test_a_table_is_where_it_is_first_mentioned() -> None:
    t = lines(
        """[metrics.a]
name = "A"

[metrics.b]
name = "B"
"""
    )
    assert t.line_of(("metrics",)) == 1
    assert t.line_of(("metrics", "b")) == 4


def test_unrecorded_paths_fall_back_to_the_longest_prefix() -> None:
    t = lines('[plans.pro]\nname = "Pro"\n')
    assert t.line_of(("plans", "pro", "currency")) == 1
    assert t.line_of(("plans", "pro", "items", 3, "price", "type")) == 1
    assert t.line_of(("bundles", "x")) is None
    assert t.line_of(()) is None


def test_arrays_of_tables_and_their_sub_tables() -> None:
    t = lines(
        """[plans.pro]
name = "Pro"

[[plans.pro.items]]
product = "seat"
price = { type = "fixed", price_per_unit = 1 }

[[plans.pro.items]]
product = "api"

[plans.pro.items.price]
type = "tiered"

[[plans.pro.items.price.tiers]]
up_to = 10

[[plans.pro.items.price.tiers]]
price_per_unit = 2

[[plans.pro.items]]
bundle = "team"
"""
    )
    assert t.line_of(("plans", "pro", "items")) == 4
    assert t.line_of(("plans", "pro", "items", 0)) == 4
    assert t.line_of(("plans", "pro", "items", 0, "price", "type")) == 6
    assert t.line_of(("plans", "pro", "items", 1)) == 8
    assert t.line_of(("plans", "pro", "items", 1, "product")) == 9
    assert t.line_of(("plans", "pro", "items", 1, "price")) == 11
    assert t.line_of(("plans", "pro", "items", 1, "price", "type")) == 12
    assert t.line_of(("plans", "pro", "items", 1, "price", "tiers", 0)) == 14
    assert t.line_of(("plans", "pro", "items", 1, "price", "tiers", 0, "up_to")) == 15
    assert t.line_of(("plans", "pro", "items", 1, "price", "tiers", 1, "price_per_unit")) == 18
    assert t.line_of(("plans", "pro", "items", 2, "bundle")) == 21


def test_nested_arrays_of_tables_restart_per_parent_element() -> None:
    t = lines(
        """[[subscriptions.s.versions]]
effective = 2025-01-01
[[subscriptions.s.versions.items]]
product = "a"
[[subscriptions.s.versions]]
effective = 2025-02-01
[[subscriptions.s.versions.items]]
product = "b"
[[subscriptions.s.versions.items]]
product = "c"
"""
    )
    versions = ("subscriptions", "s", "versions")
    assert t.line_of((*versions, 0, "items", 0, "product")) == 4
    assert t.line_of((*versions, 1, "effective")) == 6
    assert t.line_of((*versions, 1, "items", 0, "product")) == 8
    assert t.line_of((*versions, 1, "items", 1, "product")) == 10


def test_inline_tables_and_multi_line_arrays() -> None:
    t = lines(
        """[plans.pro.items.0]
tiers = [
  # first tier
  { up_to = 10, price_per_unit = 1 },

  { up_to = 20, price_per_unit = 2 }, { up_to = 30, price_per_unit = 2.5 },
  { price_per_unit = 3, fixed_fee = { amount = 1, nested = [1, [2,
    3]] } }
]
after = 1
"""
    )
    base = ("plans", "pro", "items", "0", "tiers")
    assert t.line_of(base) == 2
    assert t.line_of((*base, 0)) == 4
    assert t.line_of((*base, 0, "price_per_unit")) == 4
    assert t.line_of((*base, 1)) == 6
    assert t.line_of((*base, 2, "price_per_unit")) == 6
    assert t.line_of((*base, 3)) == 7
    assert t.line_of((*base, 3, "fixed_fee", "nested", 1, 0)) == 7
    assert t.line_of((*base, 3, "fixed_fee", "nested", 1, 1)) == 8
    assert t.line_of(("plans", "pro", "items", "0", "after")) == 10


def test_quoted_keys() -> None:
    t = lines(
        """[subscriptions."acme pro".metadata]
"deal id" = "1"
'literal.key' = "2"
"esc\\u0061ped" = "3"
"with \\"quote\\"" = "4"
"""
    )
    meta = ("subscriptions", "acme pro", "metadata")
    assert t.line_of(meta) == 1
    assert t.line_of((*meta, "deal id")) == 2
    assert t.line_of((*meta, "literal.key")) == 3
    assert t.line_of((*meta, "escaped")) == 4
    assert t.line_of((*meta, 'with "quote"')) == 5


def test_multi_line_strings_do_not_confuse_the_scanner() -> None:
    t = lines(
        '''[a]
text = """
[not.a.header]
x = "not a key"
"""
literal = \'\'\'
[[also.not]]
\'\'\'
quotes = """ends with two quotes"""""
escaped = "a \\" [b] \\\\"
next = 1
'''
    )
    assert t.line_of(("not",)) is None
    assert t.line_of(("also",)) is None
    assert t.line_of(("a", "literal")) == 6
    assert t.line_of(("a", "quotes")) == 9
    assert t.line_of(("a", "escaped")) == 10
    assert t.line_of(("a", "next")) == 11


def test_values_of_every_scalar_type() -> None:
    t = lines(
        """a = 1979-05-27 07:32:00Z
b = 1_000
c = -inf
d = true # comment with = and [brackets]
e = [1, 2,]
f = 0x1F
"""
    )
    assert [t.line_of((k,)) for k in "abcdef"] == [1, 2, 3, 4, 5, 6]


def test_crlf_line_endings() -> None:
    t = lines('[a]\r\nx = 1\r\n\r\n[b]\r\ny = "2"\r\n')
    assert t.line_of(("a", "x")) == 2
    assert t.line_of(("b", "y")) == 5


@pytest.mark.parametrize(
    "text",
    ["[", "[[a", 'a = "', "a = {", "a = [1,", "= 1", "[a]\nb = '''", "\x00", "a.=1", "[a.]"],
)
def test_never_raises_on_broken_text(text: str) -> None:
    found = TomlLines(text)
    assert isinstance(found.lines, dict)
    found.line_of(("a", "b"))


def test_ends_on_mismatched_brackets() -> None:
    """A closing bracket where a value should start was scanned again forever
    (`[1, }]`). Every cut and bracket swap of a sample must end; the scan runs in a
    daemon thread so that a regression fails here instead of hanging the suite."""
    sample = 'a = [1, {b = [2, "x"]}, [3]]\n[t.k]\nc = {d = [4], e = "}"}\n'
    texts = [sample[:cut] + closing for cut in range(len(sample)) for closing in "]}"]
    texts += [sample.replace(old, new) for old, new in (("]", "}"), ("}", "]"), ("[", "{"))]
    texts += ["a = [1, }]", "a = {b = [}, c = 1}", "x = [}]\ny = 2"]
    ended: list[str] = []

    def scan() -> None:
        for text in texts:
            TomlLines(text).line_of(("a", 0))
            ended.append(text)

    worker = threading.Thread(target=scan, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert len(ended) == len(texts), f"no end on {texts[len(ended)]!r}"


def test_values_that_look_like_one_line_pairs_but_are_not() -> None:
    """One-line pairs are taken in one step; anything else (an array after blanks, an
    empty string before a third quote, a comment between key and value) is scanned."""
    t = lines(
        '[a]\nz =   [1,\n  2]\ne = ""\nm = """\n[b]\nx = 1\n"""\n'
        "lit = '''\n[c]\n'''\nq = 'it\"s'\nw = 2 # c\n"
        'i = { k = "v", n = 1, arr = [\n3] }\n'
    )
    assert t.line_of(("a", "z", 0)) == 2
    assert t.line_of(("a", "z", 1)) == 3
    assert t.line_of(("a", "e")) == 4
    assert t.line_of(("a", "m")) == 5
    assert t.line_of(("b",)) is None  # inside a multi-line string
    assert t.line_of(("a", "lit")) == 9
    assert t.line_of(("c",)) is None
    assert t.line_of(("a", "w")) == 13
    assert t.line_of(("a", "i", "n")) == 14
    assert t.line_of(("a", "i", "arr", 0)) == 15


HEADERS_ONLY = """# generated
[plans.pro]
name = "Pro"
meta.extra = 1

[[plans.pro.items]]
product = "a"
price = { type = "tiered", tiers = [{ up_to = 10 }, { up_to = 20 }] }

[plans.basic]   # a comment
name = "Basic"

[[subscriptions.s.versions]]
effective = 2026-01-01
[[subscriptions.s.versions.items]]
product = "a"
[[subscriptions.s.versions]]
effective = 2026-07-01
"""


@pytest.mark.parametrize(
    "text",
    [
        HEADERS_ONLY,
        HEADERS_ONLY.replace("[plans.basic]", "[plans]\nbasic.name = 'B'\n[plans.basic.x]"),
        'title = "x"\n' + HEADERS_ONLY,
        HEADERS_ONLY.replace('name = "Pro"', 'name = """Pro\n[plans.fake]"""'),
        HEADERS_ONLY.replace("meta.extra = 1", "grid = [\n  [1.5],\n]"),
    ],
)
def test_header_answers_equal_the_full_scan(text: str) -> None:
    """Resource and array-of-tables paths may be answered from the header lines alone;
    whatever the text, every answer equals the full scan's."""
    full = lines(text)
    expected = {path: full.line_of(path) for path in full.lines}
    probe = lines(text)
    for path, line in expected.items():
        assert probe.line_of(path) == line, path
        assert probe.line_of((*path, "missing", 0)) == line, path


def test_resource_and_field_lines_do_not_build_the_full_index() -> None:
    t = lines(HEADERS_ONLY)
    assert t.line_of(("plans", "pro")) == 2
    assert t.line_of(("plans", "basic")) == 10
    assert t.line_of(("subscriptions", "s", "versions", 1)) == 17
    assert t.line_of(("subscriptions", "s", "versions", 0, "items", 0)) == 15
    assert t._full is None  # answered from the headers
    assert t.line_of(("plans", "pro", "items", 0, "price", "tiers", 1)) == 8
    assert t.line_of(("plans", "pro", "meta", "extra")) == 4
    assert t._full is None  # a field inside a resource: that resource's text only
    assert list(t._resources) == [("plans", "pro")]
