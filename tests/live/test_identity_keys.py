"""Keys derived for unmanaged objects: valid, unique, and linear in the number of objects
that share a name (10,000 customers called "Test customer" are an ordinary sandbox).

Linearity is shown by counting the membership tests the allocator makes, not by timing
(a busy machine makes timings noisy): n colliding names must cost at most a constant
times n tests, where a search from `_2` for every object costs about n^2 / 2.
"""

from __future__ import annotations

from reconciler.live.identity import DerivedKeys, derived_key


class CountingSet(set[str]):
    """A set that counts `in` tests."""

    tests = 0

    def __contains__(self, item: object) -> bool:
        self.tests += 1
        return super().__contains__(item)


def allocate(names: list[str], taken: set[str] | None = None) -> tuple[list[str], int]:
    counting = CountingSet(taken or set())
    keys = DerivedKeys(counting)
    return [keys.key(n) for n in names], counting.tests


def test_colliding_names_get_numbered_keys() -> None:
    keys, _ = allocate(["Test customer", "Test customer", "test-customer", "1st", "Ω"])
    assert keys == ["test_customer", "test_customer_2", "test_customer_3", "x_1st", "object"]


def test_a_declared_key_or_a_numbered_one_is_never_reused() -> None:
    keys, _ = allocate(["a", "a_2", "a", "a"], taken={"a"})
    assert keys == ["a_2", "a_2_2", "a_3", "a_4"]
    assert len(set(keys)) == len(keys)


def test_the_cost_of_n_colliding_names_is_linear() -> None:
    costs = {n: allocate(["Test customer"] * n)[1] for n in (1_000, 2_000, 4_000)}
    for n, tests in costs.items():
        assert tests <= 2 * n + 1, (n, tests)
    # Doubling n doubles the work (a quadratic search would quadruple it).
    assert costs[4_000] <= 2.1 * costs[2_000] <= 4.41 * costs[1_000]


def test_many_distinct_names_cost_one_test_each() -> None:
    _, tests = allocate([f"customer {i}" for i in range(5_000)])
    assert tests == 5_000


def test_the_one_off_function_agrees_with_the_allocator() -> None:
    taken = {"test_customer"}
    assert derived_key("Test customer", taken) == "test_customer_2"
    assert "test_customer_2" in taken
