"""When the home page's cached figures may still be shown (home.is_fresh)."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ckanext.thueringen.home import REFRESH_SECONDS, SEARCHABLE_AFTER_SECONDS, is_fresh

moments = st.floats(min_value=1.7e9, max_value=1.8e9, allow_nan=False)
spans = st.floats(min_value=0, max_value=3600, allow_nan=False)


@given(computed_at=moments, age=spans)
def test_figures_without_a_change_since_stay(computed_at, age):
    assert is_fresh(computed_at, None, computed_at + age)


@given(changed_at=moments, after=st.floats(min_value=SEARCHABLE_AFTER_SECONDS, max_value=3600), age=spans)
def test_figures_computed_once_the_change_was_searchable_stay(changed_at, after, age):
    computed_at = changed_at + after
    assert is_fresh(computed_at, changed_at, computed_at + age)


# (a hundredth of a second off the edges, here and below: a time of day as a
# float is exact to about a microsecond)
@given(computed_at=moments, before=st.floats(min_value=-SEARCHABLE_AFTER_SECONDS + 0.01, max_value=3600),
       age=st.floats(min_value=REFRESH_SECONDS + 0.01, max_value=3600))
def test_figures_older_than_a_change_are_computed_again(computed_at, before, age):
    changed_at = computed_at + before
    assert not is_fresh(computed_at, changed_at, computed_at + age)


@given(computed_at=moments, before=spans, age=st.floats(min_value=0, max_value=REFRESH_SECONDS - 0.01))
def test_while_the_index_keeps_changing_figures_are_computed_at_most_every_few_seconds(computed_at, before, age):
    assert is_fresh(computed_at, computed_at + before, computed_at + age)
