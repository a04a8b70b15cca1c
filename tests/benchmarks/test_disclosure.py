"""Peer benchmarks: worked examples with exact numbers, and disclosure rules as properties."""

import dataclasses
import json
import math
import re
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.disclosure import (
    HIGHEST_QUARTER,
    LOWEST_QUARTER,
    MIN_FOR_DISTRIBUTION,
    MIN_FOR_MEDIAN,
    NOT_ENOUGH_FOR_DISTRIBUTION,
    NOT_ENOUGH_PEERS,
    QUARTER_BANDS,
    SECOND_HIGHEST_QUARTER,
    SECOND_LOWEST_QUARTER,
    PeerSummary,
    peer_summary,
    position_phrase,
    quarter_band,
    summarise,
)

SCALE = (1, 2, 3, 4, 5)
VIEWER = 0

# Twelve peers, three at each of levels 1-4: every rule passes, so everything is published.
TWELVE = [1.0, 1.2, 1.6, 2.0, 2.4, 2.6, 3.0, 3.2, 3.6, 4.0, 4.2, 4.8]


def pairs(values, start=1):
    return [(org_id, value) for org_id, value in enumerate(values, start=start)]


def published_floats(summary: PeerSummary) -> list[float]:
    return [
        v for v in (summary.median, summary.lower_quartile, summary.upper_quartile) if v is not None
    ]


# ---------------------------------------------------------------------------------------------
# Worked examples


def test_peer_summary_five_bodies_show_nothing():
    """Each of five bodies would see only four others: nothing, not even the count."""
    summary = peer_summary(peers=pairs([1.0, 2.0, 3.0, 3.0, 4.0]), scale_values=SCALE)
    assert summary == PeerSummary(
        n=None,
        median=None,
        lower_quartile=None,
        upper_quartile=None,
        reason=NOT_ENOUGH_PEERS,
        distribution_reason=NOT_ENOUGH_PEERS,
    )
    assert not summary.has_median
    assert not summary.has_distribution


def test_peer_summary_six_bodies_give_the_median_only():
    summary = peer_summary(peers=pairs([1.0, 1.0, 2.0, 3.0, 4.0, 5.0]), scale_values=SCALE)
    assert summary.n == 6
    assert summary.median == 2.5
    assert summary.has_median
    assert summary.lower_quartile is None
    assert summary.upper_quartile is None
    assert summary.reason is None
    assert summary.distribution_reason == NOT_ENOUGH_FOR_DISTRIBUTION


def test_summarise_twelve_spread_peers_publishes_everything():
    summary = summarise(TWELVE, scale_values=SCALE)
    # Inclusive quartiles at positions 2.75, 5.5 and 8.25 of the sorted values:
    # 1.6 + 0.75 * (2.0 - 1.6) = 1.9; (2.6 + 3.0) / 2 = 2.8; 3.6 + 0.25 * (4.0 - 3.6) = 3.7.
    assert summary.n == 12
    assert summary.lower_quartile == 1.9
    assert summary.median == 2.8
    assert summary.upper_quartile == 3.7
    assert summary.reason is None
    assert summary.distribution_reason is None
    assert summary.has_distribution


def test_summarise_median_rounds_to_one_decimal_place():
    values = [1.0, 1.5, 2.0, 2.0, 2.5, 3.0, 3.0, 3.5, 4.0, 4.5, 5.0, 5.0]
    summary = summarise(values, scale_values=SCALE)
    # Inclusive quartiles at positions 2.75, 5.5 and 8.25: 2.0, (3.0 + 3.0) / 2 = 3.0 and
    # 4.0 + 0.25 * 0.5 = 4.125. The median of 12 is 3.0; shown to one place: 2.0, 3.0, 4.1.
    assert (summary.lower_quartile, summary.median, summary.upper_quartile) == (2.0, 3.0, 4.1)
    odd = summarise([1.0, 2.0, 2.0, 2.0, 2.5, 2.75, 3.0, 3.0, 4.0, 4.0, 5.0], scale_values=SCALE)
    assert odd.median == 2.8  # 2.75, shown to one place


def test_peer_summary_drops_unscored_peers():
    peers = [*pairs([2.0, 3.0, 3.0, 4.0, 5.0]), (10, None), (11, None)]
    summary = peer_summary(peers=peers, scale_values=SCALE)
    assert summary.n is None
    assert summary.reason == NOT_ENOUGH_PEERS


def test_peer_summary_counts_every_body():
    assert peer_summary(peers=pairs(TWELVE), scale_values=SCALE) == summarise(
        TWELVE, scale_values=SCALE
    )


def test_peer_summary_duplicate_organisation_is_refused():
    peers = [*pairs([1.0, 2.0, 3.0, 4.0, 5.0]), (1, 5.0)]
    with pytest.raises(ValueError, match="appears twice"):
        peer_summary(peers=peers, scale_values=SCALE)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (math.nan, "not a finite number"),
        (math.inf, "not a finite number"),
        (True, "not a finite number"),
        ("3.0", "not a finite number"),
        (0.5, "outside the scale"),
        (5.5, "outside the scale"),
    ],
)
def test_summarise_bad_value_is_refused(value, message):
    with pytest.raises(ValueError, match=message):
        summarise([3.0] * 9 + [value], scale_values=SCALE)


@pytest.mark.parametrize(
    ("scale", "message"),
    [
        ((), "no levels"),
        ((1, 3, 2), "ascending"),
        ((1, 1, 2), "ascending"),
        ((1.0, 2.0), "whole number"),
        ((True, 2), "whole number"),
    ],
)
def test_summarise_bad_scale_is_refused(scale, message):
    with pytest.raises(ValueError, match=message):
        summarise([3.0] * 10, scale_values=scale)


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (1.0, LOWEST_QUARTER),
        (1.8, LOWEST_QUARTER),
        (1.9, SECOND_LOWEST_QUARTER),  # on the lower quartile: the higher band
        (2.7, SECOND_LOWEST_QUARTER),
        (2.8, SECOND_HIGHEST_QUARTER),  # on the median
        (2.76, SECOND_HIGHEST_QUARTER),  # shown as 2.8, so placed as 2.8
        (2.74, SECOND_LOWEST_QUARTER),  # shown as 2.7
        (3.6, SECOND_HIGHEST_QUARTER),
        (3.7, HIGHEST_QUARTER),  # on the upper quartile
        (5.0, HIGHEST_QUARTER),
    ],
)
def test_quarter_band_examples(value, band):
    summary = summarise(TWELVE, scale_values=SCALE)
    assert quarter_band(value, summary) == band


def test_quarter_band_all_boundaries_equal_goes_highest():
    summary = summarise([3.0] * 12, scale_values=SCALE)
    assert (summary.lower_quartile, summary.median, summary.upper_quartile) == (3.0, 3.0, 3.0)
    assert quarter_band(3.0, summary) == HIGHEST_QUARTER
    assert quarter_band(2.9, summary) == LOWEST_QUARTER


def test_quarter_band_fewer_than_ten_is_none():
    summary = summarise([1.0, 2.0, 3.0, 4.0, 5.0, 3.0], scale_values=SCALE)
    assert summary.has_median
    assert quarter_band(3.0, summary) is None


def test_position_phrase_names_the_band_and_the_group():
    values = [1.0 + (i % 40) / 10 for i in range(38)]
    summary = summarise(values, scale_values=SCALE)
    assert summary.n == 38
    phrase = position_phrase(
        summary.lower_quartile, summary, group_label_plural="unitary authorities"
    )
    assert phrase == "second lowest quarter of 38 unitary authorities"


def test_quarter_names_count_from_a_named_end():
    """Some read "second quartile" and "third quartile" from the bottom and some from the top;
    each name here says which end it counts from."""
    assert QUARTER_BANDS == (
        "lowest quarter",
        "second lowest quarter",
        "second highest quarter",
        "highest quarter",
    )


def test_position_phrase_six_to_ten_bodies_explains_no_quartiles():
    summary = summarise([1.0, 2.0, 3.0, 3.0, 4.0, 5.0], scale_values=SCALE)
    phrase = position_phrase(3.0, summary, group_label_plural="district councils")
    assert phrase == NOT_ENOUGH_FOR_DISTRIBUTION


def test_position_phrase_fewer_than_six_says_not_enough_peers():
    summary = summarise([1.0, 2.0], scale_values=SCALE)
    phrase = position_phrase(3.0, summary, group_label_plural="district councils")
    assert phrase == "Not enough peers to compare"


def test_as_dict_is_json_ready_and_holds_only_published_fields():
    data = summarise(TWELVE, scale_values=SCALE).as_dict()
    assert json.loads(json.dumps(data)) == {
        "n": 12,
        "median": 2.8,
        "lower_quartile": 1.9,
        "upper_quartile": 3.7,
        "reason": None,
        "distribution_reason": None,
    }


def test_as_dict_not_enough_peers_has_no_numbers():
    data = summarise([3.0], scale_values=SCALE).as_dict()
    assert {k for k, v in data.items() if v is not None} == {
        "reason",
        "distribution_reason",
    }


def test_peer_summary_publishes_no_mean_sum_or_extremes():
    # Two groups differing by one body (A = B + x) could be subtracted to give x exactly from a
    # mean or a sum, and a min or max names one body's score. None of them exists to publish.
    forbidden = {"mean", "average", "sum", "total", "min", "max", "minimum", "maximum", "values"}
    fields = {f.name for f in dataclasses.fields(PeerSummary)}
    assert fields == {
        "n",
        "median",
        "lower_quartile",
        "upper_quartile",
        "reason",
        "distribution_reason",
    }
    summary = summarise(TWELVE, scale_values=SCALE)
    assert not forbidden & set(dir(summary))
    assert not forbidden & set(summary.as_dict())


def test_peer_summary_is_frozen():
    summary = summarise(TWELVE, scale_values=SCALE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.median = 1.0  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Properties

# Ties matter (they decide quartile boundaries and bands), so mix whole levels and one-decimal
# scores with arbitrary floats on the scale.
VALUE = st.one_of(
    st.integers(1, 5).map(float),
    st.sampled_from([round(1 + i / 10, 1) for i in range(41)]),
    st.floats(min_value=1.0, max_value=5.0, allow_nan=False, allow_infinity=False),
)


def values_list(min_size=0, max_size=40):
    return st.lists(VALUE, min_size=min_size, max_size=max_size)


def with_viewer(data, peers, viewer_value):
    """The peers' pairs with the viewer's own body's pair inserted somewhere (it counts)."""
    peers = list(peers)
    position = data.draw(st.integers(0, len(peers)), label="viewer position")
    peers.insert(position, (VIEWER, viewer_value))
    return peers


@settings(max_examples=500, deadline=None)
@given(data=st.data(), values=values_list(max_size=MIN_FOR_MEDIAN - 2), viewer_value=VALUE)
def test_peer_summary_fewer_than_six_bodies_has_no_numbers(data, values, viewer_value):
    # The viewer's body counts, as every body does: with it, still fewer than six.
    summary = peer_summary(peers=with_viewer(data, pairs(values), viewer_value), scale_values=SCALE)
    assert summary.n is None
    assert summary.median is None
    assert summary.lower_quartile is None
    assert summary.upper_quartile is None
    assert summary.reason == NOT_ENOUGH_PEERS
    assert quarter_band(viewer_value, summary) is None


@settings(max_examples=500, deadline=None)
@given(
    data=st.data(),
    values=values_list(MIN_FOR_MEDIAN - 1, MIN_FOR_DISTRIBUTION - 2),
    viewer_value=VALUE,
)
def test_peer_summary_six_to_ten_bodies_has_median_only(data, values, viewer_value):
    everyone = [*values, viewer_value]
    summary = peer_summary(peers=with_viewer(data, pairs(values), viewer_value), scale_values=SCALE)
    assert summary.n == len(everyone)
    assert summary.median == round(statistics.median(everyone), 1)
    assert summary.lower_quartile is None
    assert summary.upper_quartile is None
    assert summary.reason is None
    assert quarter_band(viewer_value, summary) is None


@settings(max_examples=500, deadline=None)
@given(data=st.data(), values=values_list(MIN_FOR_DISTRIBUTION - 1, 60), viewer_value=VALUE)
def test_peer_summary_eleven_or_more_bodies_has_quartiles(data, values, viewer_value):
    summary = peer_summary(peers=with_viewer(data, pairs(values), viewer_value), scale_values=SCALE)
    assert summary.n == len(values) + 1
    assert summary.median is not None
    assert summary.lower_quartile is not None
    assert summary.upper_quartile is not None
    assert summary.reason is None
    assert summary.distribution_reason is None
    assert quarter_band(viewer_value, summary) in QUARTER_BANDS


@settings(max_examples=500, deadline=None)
@given(data=st.data(), values=values_list(), viewer_value=VALUE)
def test_peer_summary_is_the_same_whoever_looks(data, values, viewer_value):
    """One population: the viewer's body is a member like any other, so the figures of a group
    are the same for every viewer and for the open data (no viewer at all)."""
    peers = with_viewer(data, pairs(values), viewer_value)
    everyone = [*values, viewer_value]
    assert peer_summary(peers=peers, scale_values=SCALE) == summarise(everyone, scale_values=SCALE)


@settings(max_examples=500, deadline=None)
@given(values=values_list(), unscored=st.integers(0, 5))
def test_peer_summary_unscored_bodies_never_change_the_result(values, unscored):
    peers = pairs(values) + [(1000 + i, None) for i in range(unscored)]
    assert peer_summary(peers=peers, scale_values=SCALE) == summarise(values, scale_values=SCALE)


@settings(max_examples=500, deadline=None)
@given(data=st.data(), values=values_list())
def test_peer_summary_order_of_peers_never_matters(data, values):
    peers = pairs(values)
    shuffled = data.draw(st.permutations(peers), label="shuffled")
    assert peer_summary(peers=peers, scale_values=SCALE) == peer_summary(
        peers=shuffled, scale_values=SCALE
    )


@settings(max_examples=500, deadline=None)
@given(values=values_list())
def test_peer_summary_nothing_published_from_fewer_than_six(values):
    summary = peer_summary(peers=pairs(values), scale_values=SCALE)
    published_anything = summary.n is not None or bool(published_floats(summary))
    assert published_anything == (len(values) >= MIN_FOR_MEDIAN)
    if published_anything:
        assert summary.n == len(values)
    if summary.has_distribution:
        assert len(values) >= MIN_FOR_DISTRIBUTION


@settings(max_examples=500, deadline=None)
@given(values=values_list(MIN_FOR_MEDIAN))
def test_summarise_median_between_quartiles_and_within_peers(values):
    summary = summarise(values, scale_values=SCALE)
    low, high = round(min(values), 1), round(max(values), 1)
    assert summary.median is not None
    assert low <= summary.median <= high
    if summary.has_distribution:
        assert summary.lower_quartile is not None and summary.upper_quartile is not None
        assert low <= summary.lower_quartile <= summary.median <= summary.upper_quartile <= high


@settings(max_examples=500, deadline=None)
@given(values=values_list())
def test_summarise_published_numbers_have_one_decimal_place(values):
    summary = summarise(values, scale_values=SCALE)
    for number in published_floats(summary):
        assert round(number, 1) == number
        assert re.fullmatch(r"\d\.\d", repr(number))


@settings(max_examples=500, deadline=None)
@given(
    data=st.data(),
    values=values_list(MIN_FOR_MEDIAN, 60),
)
def test_summarise_extremes_never_affect_median_or_quartiles(data, values):
    # The two lowest and two highest bodies can move anywhere further out without changing any
    # published statistic, so no minimum, maximum or outlier can be read back from them.
    data_sorted = sorted(values)
    lowered = [
        data.draw(st.floats(min_value=1.0, max_value=data_sorted[2]), label="new low")
        for _ in range(2)
    ]
    raised = [
        data.draw(st.floats(min_value=data_sorted[-3], max_value=5.0), label="new high")
        for _ in range(2)
    ]
    moved = lowered + data_sorted[2:-2] + raised
    before = summarise(values, scale_values=SCALE)
    after = summarise(moved, scale_values=SCALE)
    assert (before.n, before.median, before.lower_quartile, before.upper_quartile) == (
        after.n,
        after.median,
        after.lower_quartile,
        after.upper_quartile,
    )


@settings(max_examples=500, deadline=None)
@given(data=st.data(), values=values_list(), viewer_value=VALUE)
def test_quarter_band_follows_the_published_boundaries(data, values, viewer_value):
    peers = with_viewer(data, pairs(values), viewer_value)
    summary = peer_summary(peers=peers, scale_values=SCALE)
    band = quarter_band(viewer_value, summary)
    if len(values) + 1 < MIN_FOR_DISTRIBUTION:
        assert band is None
        return
    lower, median, upper = summary.lower_quartile, summary.median, summary.upper_quartile
    assert lower is not None and median is not None and upper is not None
    shown = round(viewer_value, 1)
    expected = (
        HIGHEST_QUARTER
        if shown >= upper
        else SECOND_HIGHEST_QUARTER
        if shown >= median
        else SECOND_LOWEST_QUARTER
        if shown >= lower
        else LOWEST_QUARTER
    )
    assert band == expected


@settings(max_examples=500, deadline=None)
@given(data=st.data(), values=values_list(), viewer_value=VALUE)
def test_position_phrase_is_a_band_never_a_rank(data, values, viewer_value):
    peers = with_viewer(data, pairs(values), viewer_value)
    summary = peer_summary(peers=peers, scale_values=SCALE)
    phrase = position_phrase(viewer_value, summary, group_label_plural="fire authorities")
    everyone = len(values) + 1
    if everyone < MIN_FOR_MEDIAN:
        assert phrase == NOT_ENOUGH_PEERS
    elif everyone < MIN_FOR_DISTRIBUTION:
        assert phrase == NOT_ENOUGH_FOR_DISTRIBUTION
    else:
        match = re.fullmatch(
            r"(lowest|second lowest|second highest|highest) quarter of (\d+) fire authorities",
            phrase,
        )
        assert match
        assert int(match.group(2)) == everyone
