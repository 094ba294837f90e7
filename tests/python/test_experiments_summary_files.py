"""`pgc experiment --summary FILE.csv`: a published worked example, every kind of malformed
file (one line naming file, row and column; exit 2), the JSON fields, and the round trip
from `--export-summary`."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from python_checks import cli
from python_checks.experiments.summary_files import SummaryFileError, read_summary_file

HEADER = "metric,variant,n,sum,sum_squares\n"


def _write(tmp_path, text: str, name: str = "summary.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _json(capsys, *args) -> list[dict]:
    assert cli.main(["experiment", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_conversion_test_matches_the_textbook_z_and_welch(tmp_path, capsys):
    """Conversions as 0/1 values (sum = sum_squares = conversions): Welch's t on
    proportions is the unpooled two-proportion z-test with n - 1 variances; scipy's Welch
    test on the expanded 0/1 samples is the reference."""
    path = _write(
        tmp_path, HEADER + "signup,control,10000,500,500\nsignup,treatment,10000,580,580\n"
    )
    (row,) = _json(capsys, "--summary", str(path))
    control = np.r_[np.ones(500), np.zeros(9500)]
    treatment = np.r_[np.ones(580), np.zeros(9420)]
    reference = stats.ttest_ind(treatment, control, equal_var=False)
    assert row["absolute_effect"] == pytest.approx(0.008, rel=1e-12)
    assert row["relative_effect"] == pytest.approx(0.16, rel=1e-12)
    assert row["absolute_p_value"] == pytest.approx(reference.pvalue, rel=1e-8)
    assert row["ci_low"] < row["relative_effect"] < row["ci_high"]
    assert (row["ci_low"] > 0) == (row["p_value"] < 0.05)
    assert row["adjusted_p_value"] == pytest.approx(row["p_value"])  # one test
    assert set(row) >= {"absolute_effect", "relative_effect", "ci_low", "ci_high", "p_value",
                        "adjusted_p_value", "method"}  # fmt: skip


def test_alpha_widens_the_interval_and_holm_adjusts(tmp_path, capsys):
    text = HEADER + "".join(
        f"m{i},control,400,{400 * 10},{400 * 104}\nm{i},treatment,400,{400 * (10 + 0.2 * i)},"
        f"{400 * (104 + 4 * i)}\n"
        for i in range(3)
    )
    path = _write(tmp_path, text)
    wide = _json(capsys, "--summary", str(path), "--alpha", "0.01", "--adjustment", "holm")
    narrow = _json(capsys, "--summary", str(path))
    assert wide[2]["ci_high"] - wide[2]["ci_low"] > narrow[2]["ci_high"] - narrow[2]["ci_low"]
    holm = sorted(min(1, (3 - k) * p) for k, p in enumerate(sorted(r["p_value"] for r in wide)))
    assert sorted(r["adjusted_p_value"] for r in wide) == pytest.approx(np.maximum.accumulate(holm))
    assert "holm" in wide[0]["method"]


def test_ratio_and_pre_period_columns_and_several_treatments(tmp_path, capsys):
    text = (
        "metric,variant,n,sum,sum_squares,denominator_sum,denominator_sum_squares,sum_product,"
        "pre_sum,pre_sum_squares,sum_product_pre,role,direction\n"
        "vtr,control,1000,5000,30000,10000,110000,55000,,,,primary,\n"
        "vtr,b,1000,5300,32000,10000,110000,57500,,,,,\n"
        "vtr,c,1000,4900,29000,10000,110000,53900,,,,,\n"
        "spend,control,1000,2000,6000,,,,1900,5500,5400,guardrail,lower_is_better\n"
        "spend,b,1000,2100,6500,,,,1900,5500,5600,,\n"
        "spend,c,1000,2000,6000,,,,1900,5500,5400,,\n"
    )
    rows = _json(capsys, "--summary", str(_write(tmp_path, text)))
    assert [(r["metric"], r["variant"]) for r in rows] == [
        ("vtr", "b"),
        ("vtr", "c"),
        ("spend", "b"),
        ("spend", "c"),
    ]
    assert rows[0]["relative_effect"] == pytest.approx(0.53 / 0.5 - 1)
    assert rows[2]["variance_reduction"] is not None


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("metric,variant,n,sum\nm,control,10,1\n", "no column 'sum_squares'"),
        (HEADER + "m,control,ten,1,1\nm,treatment,10,1,1\n", "row 1 (line 2), column 'n'"),
        (HEADER + "m,control,10,5,1\nm,treatment,10,1,1\n", "row 1 (line 2), column 'sum_squares'"),
        (HEADER + "m,control,10,1,1\nm,treatment,1,1,1\n", "row 2 (line 3), column 'n'"),
        (HEADER + "m,control,10,1,1\nm,treatment,10,1\n", "row 2 (line 3): 4 cells"),
        (HEADER + "m,control,10,1,1\nm,control,10,1,1\n", "row 2 (line 3), column 'variant'"),
        (HEADER + "m,a,10,1,1\nm,b,10,1,1\n", "no row for the control variant 'control'"),
        (HEADER + "m,control,10,1,1\n", "has no treatment row"),
        (HEADER + "m,control,10.5,1,1\nm,treatment,10,1,1\n", "row 1 (line 2), column 'n'"),
        (HEADER + "m,control,10,inf,1\nm,treatment,10,1,1\n", "row 1 (line 2), column 'sum'"),
        ("metric,variant,n,sum,sum_squares,role\nm,control,10,1,1,boss\nm,treatment,10,1,1,\n",
         "row 1 (line 2), column 'role'"),
        ("metric,variant,n,sum,sum_squares,denominator_sum\nm,control,10,1,1,5\n"
         "m,treatment,10,1,1,5\n", "column 'denominator_sum_squares'"),
        ("", "empty file"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_one_line_naming_file_row_and_column(tmp_path, capsys, text, where):
    path = _write(tmp_path, text, "bad.csv")
    assert cli.main(["experiment", "--summary", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and where in err, err
    assert "Traceback" not in err


def test_a_missing_file_and_no_arguments_exit_2(tmp_path, capsys):
    assert cli.main(["experiment", "--summary", str(tmp_path / "none.csv")]) == 2
    assert "none.csv" in capsys.readouterr().err
    assert cli.main(["experiment"]) == 2
    assert "EXPERIMENT_ID, --all or --summary" in capsys.readouterr().err
    assert cli.main(["experiment", "--all", "--summary", str(tmp_path / "none.csv")]) == 2
    assert "one of them" in capsys.readouterr().err


def test_extra_columns_are_ignored_and_reported(tmp_path):
    path = _write(tmp_path, "metric,variant,n,sum,sum_squares,note\nm,control,10,1,1,x\n"
                  "m,treatment,10,2,2,y\n")  # fmt: skip
    summary = read_summary_file(path)
    assert summary.ignored_columns == ("note",)
    with pytest.raises(SummaryFileError, match="control variant 'base'"):
        read_summary_file(path, control="base")


def test_the_printed_readout_puts_the_sample_ratio_and_decision_first(tmp_path, capsys):
    path = _write(tmp_path, HEADER + "m,control,10000,500,500\nm,treatment,9000,540,540\n")
    assert cli.main(["experiment", "--summary", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.index("Sample ratio") < out.index("Decision") < out.index("Primary metric")
    assert "BLOCKED" in out and math.isfinite(stats.chisquare([10000, 9000]).statistic)


def test_the_worked_example_of_the_docs_prints_what_the_docs_quote(capsys):
    root = Path(__file__).resolve().parents[2]
    example = root / "docs/examples/experiment_summary.csv"
    assert cli.main(["experiment", "--summary", str(example)]) == 0
    out = capsys.readouterr().out
    docs = (root / "docs/experiments.md").read_text()
    for quoted in (
        "chi-square 0.56, p = 0.45",
        "DON'T SHIP  (rule 2. a guardrail is significantly worse)",
        "completion_rate -1.04% (adjusted p = 9.2e-08)",
        "+2.19%  [+1.40%, +2.98%]",
        "[+0.89%, +3.48%]",
        "74%",
    ):
        assert quoted in out and quoted.split("  ")[0] in docs, quoted
