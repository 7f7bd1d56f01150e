"""Bootstrap intervals against cases computed by hand."""

from __future__ import annotations

import pytest

from workbench.reports.stats import bootstrap_mean, paired_difference, win_loss_tie


def test_a_constant_sample_has_a_zero_width_interval() -> None:
    e = bootstrap_mean([0.8, 0.8, 0.8])
    assert (e.mean, e.low, e.high, e.n) == (
        pytest.approx(0.8),
        pytest.approx(0.8),
        pytest.approx(0.8),
        3,
    )


def test_interval_of_a_small_sample_matches_the_exact_bootstrap_distribution() -> None:
    # Resampling [0, 0, 0, 1] gives means k/4 with k ~ Binomial(4, 1/4):
    # P(0) = .316, P(.25) = .422, P(.5) = .211, P(.75) = .047, P(1) = .004.
    # Cumulative: .316, .738, .949, .996, 1 -> the 2.5% point is 0, the 97.5% point is .75.
    e = bootstrap_mean([0, 0, 0, 1], resamples=20000, seed=0)
    assert (e.mean, e.low, e.high) == (0.25, 0.0, 0.75)


def test_two_values_give_the_full_range() -> None:
    # Means of resampled [0, 1]: 0 (1/4), .5 (1/2), 1 (1/4): 2.5% -> 0, 97.5% -> 1.
    e = bootstrap_mean([0, 1], resamples=20000, seed=1)
    assert (e.low, e.high) == (0.0, 1.0)


def test_the_same_seed_gives_the_same_interval_and_tiny_samples_give_none() -> None:
    data = [0.1, 0.5, 0.9, 0.7, 0.3]
    assert bootstrap_mean(data, seed=3) == bootstrap_mean(data, seed=3)
    assert bootstrap_mean([0.5]).low is None and bootstrap_mean([]).mean is None
    assert str(bootstrap_mean([])) == "–"


def test_paired_difference_resamples_pairs() -> None:
    # b - a is exactly 0.2 for every pair: the interval is the point itself.
    e = paired_difference([0.1, 0.5, 0.7], [0.3, 0.7, 0.9])
    assert e.mean == pytest.approx(0.2) and e.low == pytest.approx(0.2)
    assert e.high == pytest.approx(0.2)
    with pytest.raises(ValueError, match="differ in length"):
        paired_difference([1.0], [1.0, 2.0])


def test_win_loss_tie() -> None:
    result = win_loss_tie([0.5, 0.5, 0.5], [0.7, 0.5, 0.2])
    assert (result.wins, result.losses, result.ties) == (1, 1, 1)


def test_bootstrap_in_blocks_gives_the_interval_of_one_draw(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import workbench.reports.stats as stats

    values = [float(v % 7) / 7 for v in range(301)]
    whole = stats.bootstrap_mean(values)
    monkeypatch.setattr(stats, "_BLOCK", 301 * 3)  # three resamples per block
    assert stats.bootstrap_mean(values) == whole
