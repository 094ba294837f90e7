"""The platform, one day at a time.

Viewers have a fixed attention budget (impressions per active day), so creators
compete for the same views: whatever raises one creator's recommender weight
takes views from the others. Every effect and incident in `params` acts here,
and `Truth` records what it did.
"""

import datetime as dt

import numpy as np

from simulator import params
from simulator.frame import Frame, Labels
from simulator.reference import Reference
from simulator.scales import Scale
from simulator.truth import Truth
from simulator.world import make_creators, make_viewers

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
EPOCH = dt.date(1970, 1, 1)
# Sessions cluster in the evening (UTC is close enough for a simulator).
HOUR_WEIGHTS = np.array(
    [2, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 5, 6, 5, 5, 5, 6, 7, 8, 9, 10, 10, 8, 5], dtype=float
)
HOUR_WEIGHTS /= HOUR_WEIGHTS.sum()
WINDOW_DAYS = 28  # the rewards program's "recent views" window


def day_start_ms(day: int) -> int:
    return ((params.START_DATE - EPOCH).days + day) * DAY_MS


def ingest_lag_ms(rng: np.random.Generator, n: int) -> np.ndarray:
    """Normal pipeline delay: seconds to a few hours, never a full day."""
    lag = rng.lognormal(np.log(60_000), 1.5, size=n)
    return np.clip(lag, 1_000, 6 * HOUR_MS).astype(np.int64)


def labels(values) -> np.ndarray:
    return np.asarray(list(values), dtype=object)


class Catalog:
    """Every post published so far, as parallel arrays."""

    fields = ("creator", "category", "format", "duration_s", "quality", "published_ms",
              "published_day", "tool", "reach")  # fmt: skip

    def __init__(self) -> None:
        self.columns = {name: np.empty(0) for name in self.fields}

    def __len__(self) -> int:
        return len(self.columns["creator"])

    def append(self, new: dict[str, np.ndarray]) -> None:
        for name in self.fields:
            self.columns[name] = np.concatenate([self.columns[name], new[name]])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]


class Platform:
    def __init__(self, scale: Scale, days: int, seed: int, ref: Reference) -> None:
        self.scale, self.days, self.seed, self.ref = scale, days, seed, ref
        rng = self.rng(-1_000, 0)
        self.viewers = make_viewers(rng, scale, days, ref)
        self.creators = make_creators(rng, scale, days, ref)
        self.viewer_signup_offset_ms = rng.integers(0, DAY_MS, size=scale.viewers)
        self.creator_signup_offset_ms = rng.integers(0, 6 * HOUR_MS, size=scale.creators)
        n_creators = scale.creators
        self.followers = self.creators.baseline_followers.copy()
        self.creator_active = rng.random(n_creators) < 0.85
        self.enrolled_day = np.full(n_creators, np.iinfo(np.int32).max)
        self.enrollments: list[tuple[int, int]] = []  # (creator, enrolled_ts_ms)
        self.recent_views = np.zeros((WINDOW_DAYS, n_creators), dtype=np.int64)
        self.logged_units = {
            (experiment_id, unit): np.zeros(len(arm), dtype=bool)
            for unit, population in (("viewer", self.viewers), ("creator", self.creators))
            for experiment_id, arm in population.arm.items()
        }
        self.catalog = Catalog()
        self._content_ids = np.empty(0, dtype=object)
        self.truth = Truth(scale, days, seed, ref)
        for day in range(-params.BACKLOG_DAYS, 0):
            self.post(day, self.rng(day, 1))

    # ----------------------------------------------------------------- helpers
    def rng(self, day: int, stream: int) -> np.random.Generator:
        # One generator per (day, stream): a day's output does not depend on
        # how many numbers earlier days drew, and days can be re-run alone.
        return np.random.default_rng([self.seed, day + 10_000, stream])

    def in_window(self, experiment_id: str, day: int) -> bool:
        experiment = self.ref.experiments[experiment_id]
        date = params.START_DATE + dt.timedelta(days=day)
        return experiment.start_date <= date <= experiment.end_date

    def incident_on(self, incident_id: str, day: int) -> bool:
        incident = next(i for i in params.INCIDENTS if i.incident_id == incident_id)
        return incident.first_day <= day <= incident.last_day

    def rule_array(self, attribute: str) -> np.ndarray:
        regions = self.ref.regions
        values = [
            getattr(self.ref.rewards_rules[regions[r]], attribute) for r in range(len(regions))
        ]
        return np.asarray(values)[self.creators.region]

    # ----------------------------------------------------------------- supply
    def update_creator_states(self, day: int, rng: np.random.Generator) -> None:
        creators = self.creators
        churn = np.array([params.CREATOR_TYPES[t].daily_churn for t in self.ref.creator_types])
        churn = churn[creators.creator_type] * np.exp(
            params.MOTIVATION_ON_CHURN * creators.motivation
        )
        draws = rng.random(len(churn))
        goes_dormant = self.creator_active & (draws < churn)
        comes_back = ~self.creator_active & (draws < params.CREATOR_RESURRECTION_RATE)
        self.creator_active = (self.creator_active & ~goes_dormant) | comes_back
        self.creator_active |= creators.signup_day == day

    def post(self, day: int, rng: np.random.Generator) -> None:
        creators, ref = self.creators, self.ref
        can_post = (creators.signup_day <= day) & self.creator_active
        base_rate = np.array(
            [params.CREATOR_TYPES[t].posts_per_active_day for t in ref.creator_types]
        )
        motivation_lift = np.exp(
            params.MOTIVATION_ON_POSTING * creators.motivation - params.MOTIVATION_ON_POSTING**2 / 2
        )
        scheduler = creators.tool_adoption_day["scheduler"] <= day
        enrolled = self.enrolled_day < day
        rate = (
            base_rate[creators.creator_type]
            * motivation_lift
            * np.where(scheduler, params.TOOLS.scheduler_posting_rate_multiplier, 1.0)
            * np.where(enrolled, params.REWARDS.posting_rate_multiplier, 1.0)
            * can_post
        )
        counts = rng.poisson(rate)
        creator = np.repeat(np.arange(len(rate)), counts)
        n = len(creator)

        global_category = rng.choice(
            len(ref.categories), size=n, p=_normalised(params.CATEGORY_WEIGHTS, ref.categories)
        )
        category = np.where(rng.random(n) < 0.8, creators.main_category[creator], global_category)
        format_names = tuple(params.FORMAT_DURATION_SECONDS)
        format_probabilities = np.array(
            [[params.CREATOR_TYPES[t].formats[f] for f in format_names] for t in ref.creator_types]
        )
        cumulative = format_probabilities.cumsum(axis=1)[creators.creator_type[creator]]
        content_format = (rng.random(n)[:, None] > cumulative).sum(axis=1)
        bounds = np.array([params.FORMAT_DURATION_SECONDS[f] for f in format_names])
        duration = rng.integers(bounds[content_format, 0], bounds[content_format, 1] + 1)

        tool_names = ref.tools  # none, scheduler, editor
        has_scheduler = creators.tool_adoption_day["scheduler"][creator] <= day
        has_editor = creators.tool_adoption_day["editor"][creator] <= day
        uses_tool = rng.random(n) < params.TOOLS.share_of_posts_with_tool
        prefers_editor = rng.random(n) < 0.5
        tool = np.where(
            uses_tool & has_editor & (~has_scheduler | prefers_editor),
            tool_names.index("editor"),
            np.where(
                uses_tool & has_scheduler, tool_names.index("scheduler"), tool_names.index("none")
            ),
        )
        reach = np.where(
            tool == tool_names.index("editor"), params.TOOLS.editor_reach_multiplier, 1.0
        )
        earliest = self.creator_signup_offset_ms[creator] * (creators.signup_day[creator] == day)
        offset = rng.integers(6 * HOUR_MS, DAY_MS, size=n)
        published_ms = day_start_ms(day) + np.maximum(offset, earliest)

        self.catalog.append(
            {
                "creator": creator, "category": category, "format": content_format,
                "duration_s": duration, "quality": creators.quality[creator]
                * rng.lognormal(0.0, 0.25, size=n), "published_ms": published_ms,
                "published_day": np.full(n, day), "tool": tool, "reach": reach,
            }
        )  # fmt: skip
        self.truth.count_posts(day, n)

    # ---------------------------------------------------------------- demand
    def recommender_weights(self, day: int, live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weights of the live posts for the For You feed and for other surfaces."""
        catalog, creators = self.catalog, self.creators
        creator = catalog["creator"][live].astype(np.int64)
        age_days = (day_start_ms(day) + 12 * HOUR_MS - catalog["published_ms"][live]) / DAY_MS
        recency = np.exp(-np.maximum(age_days, 0) / 4.0) + 0.03
        recency *= np.where(catalog["published_day"][live] == day, 0.5, 1.0)
        weight = creators.popularity[creator] * catalog["quality"][live] * recency
        weight *= catalog["reach"][live]
        weight *= np.where(self.enrolled_day[creator] < day, params.REWARDS.reach_multiplier, 1.0)
        if self.in_window("exp_editor_boost", day):
            treated = creators.arm["exp_editor_boost"][creator]
            weight *= np.where(treated, params.EXPERIMENTS.editor_boost_reach_multiplier, 1.0)
        for_you = weight
        if self.incident_on("rec_v8_new_creator_exposure", day):
            is_new = creators.signup_day[creator] > day - params.NEW_CREATOR_DAYS
            magnitude = params.INCIDENTS[2].magnitude
            for_you = weight * np.where(is_new, magnitude, 1.0)
        return for_you, weight

    def choose_content(
        self, rng, live: np.ndarray, weights: np.ndarray, category: np.ndarray
    ) -> np.ndarray:
        live_category = self.catalog["category"][live]
        chosen = np.empty(len(category), dtype=np.int64)
        for code in np.unique(category):
            rows = np.flatnonzero(category == code)
            members = np.flatnonzero(live_category == code)
            if len(members) == 0:  # no live post in this category: any post will do
                members = np.arange(len(live))
            cumulative = np.cumsum(weights[members])
            picks = np.searchsorted(
                cumulative, rng.random(len(rows)) * cumulative[-1], side="right"
            )
            chosen[rows] = live[members[np.minimum(picks, len(members) - 1)]]
        return chosen

    def simulate_day(self, day: int) -> dict[str, Frame]:
        ref, viewers, creators, catalog = self.ref, self.viewers, self.creators, self.catalog
        truth = self.truth
        rng = self.rng(day, 0)
        self.update_creator_states(day, self.rng(day, 2))
        self.post(day, self.rng(day, 1))
        start = day_start_ms(day)
        weekday = (params.START_DATE + dt.timedelta(days=day)).weekday()
        spike = self.incident_on("sports_traffic_spike", day)

        # Who shows up, and how much attention they bring.
        signed_up = viewers.signup_day <= day
        propensity = viewers.activity * params.DAY_OF_WEEK_ACTIVITY[weekday]
        propensity *= (1 + params.DAILY_ACTIVITY_GROWTH) ** day
        active = np.flatnonzero(
            signed_up & (rng.random(len(signed_up)) < np.minimum(propensity, 1))
        )
        attention = viewers.attention[active] * (
            params.SPIKE_ATTENTION_MULTIPLIER if spike else 1.0
        )
        impressions_per_viewer = rng.poisson(attention) + 1
        viewer = np.repeat(active, impressions_per_viewer)
        n = len(viewer)

        # What the surfaces serve.
        surface_names = ref.surfaces
        surface = rng.choice(
            len(surface_names), size=n, p=_normalised(params.SURFACE_WEIGHTS, surface_names)
        )
        favourite = viewers.favourite_category[viewer]
        other = rng.choice(
            len(ref.categories), size=n, p=_normalised(params.CATEGORY_WEIGHTS, ref.categories)
        )
        category = np.where(rng.random(n) < 0.5, favourite, other)
        if spike:
            category = np.where(
                rng.random(n) < params.INCIDENTS[1].magnitude,
                ref.categories.index("sports"),
                category,
            )
        live = np.flatnonzero(
            (catalog["published_day"] >= day - params.CONTENT_SHELF_LIFE_DAYS)
            & (catalog["published_day"] <= day)
        )
        for_you_weights, other_weights = self.recommender_weights(day, live)
        is_for_you = surface == surface_names.index("for_you")
        content = np.empty(n, dtype=np.int64)
        content[is_for_you] = self.choose_content(rng, live, for_you_weights, category[is_for_you])
        content[~is_for_you] = self.choose_content(rng, live, other_weights, category[~is_for_you])
        creator = catalog["creator"][content].astype(np.int64)
        rank = rng.geometric(0.15, size=n)
        hour = rng.choice(24, size=n, p=HOUR_WEIGHTS)
        served = start + hour * HOUR_MS + rng.integers(0, HOUR_MS, size=n)
        published = catalog["published_ms"][content].astype(np.int64)
        too_early = served < published + 60_000
        room = np.maximum(start + DAY_MS - published - 60_000, 1)
        served = np.where(too_early, published + 60_000 + rng.integers(0, room), served)
        served = np.minimum(served, start + DAY_MS - 1)
        model_names = labels(["rec_v7", "rec_v8", "search_v3", "chrono_v1"])
        surface_model = np.array([0, 0, 2, 3])[surface]
        if self.incident_on("rec_v8_new_creator_exposure", day):
            surface_model = np.where(is_for_you, 1, surface_model)

        # Which impressions become views.
        quality = catalog["quality"][content]
        base_rate = np.array([params.SURFACE_BASE_VIEW_RATE[s] for s in surface_names])[surface]
        base_rate = (
            base_rate * np.clip(np.sqrt(quality), 0.3, 1.5) * (1 - 0.015 * np.minimum(rank - 1, 20))
        )
        rank_lift = np.ones(n)
        if self.in_window("exp_rank_v2", day):
            treated = viewers.arm["exp_rank_v2"][viewer] & is_for_you
            rank_lift[treated] = params.EXPERIMENTS.rank_v2_for_you_view_rate_multiplier
        match_lift = np.ones(n)
        if self.in_window("exp_two_sided_match", day):
            both = (
                viewers.arm["exp_two_sided_match"][viewer]
                & creators.arm["exp_two_sided_match"][creator]
            )
            match_lift[both] = params.EXPERIMENTS.two_sided_match_view_rate_multiplier
        view_rate = np.minimum(base_rate * rank_lift * match_lift, 0.97)
        # Expected views with each experiment switched off: the exact counterfactual.
        truth.record_view_rates(
            day,
            self,
            viewer,
            creator,
            view_rate,
            without_rank=np.minimum(base_rate * match_lift, 0.97),
            without_match=np.minimum(base_rate * rank_lift, 0.97),
        )
        viewed = rng.random(n) < view_rate

        impression_ids = _ids(day, "impressions", n)
        impressions = {
            "impression_id": impression_ids,
            "viewer_id": Labels(viewer, viewers.ids),
            "content_id": Labels(content, self.content_ids()),
            "surface_code": Labels(surface, labels(surface_names)),
            "rank_position": rank.astype(np.int32),
            "model_version": Labels(surface_model, model_names),
            "served_ts_ms": served,
            "ingest_ts_ms": served + ingest_lag_ms(rng, n),
        }

        # How the views play out.
        v_rows = np.flatnonzero(viewed)
        v_viewer, v_content, v_creator = viewer[v_rows], content[v_rows], creator[v_rows]
        format_logit = np.array(
            [params.FORMAT_COMPLETION_LOGIT[f] for f in params.FORMAT_DURATION_SECONDS]
        )
        logit = (
            format_logit[catalog["format"][v_content].astype(np.int64)]
            + 0.8 * np.log(quality[v_rows])
            + 0.3
        )
        completed = rng.random(len(v_rows)) < 1 / (1 + np.exp(-logit))
        duration_ms = catalog["duration_s"][v_content].astype(np.int64) * 1000
        fraction = np.where(
            completed, 1 + rng.uniform(0, 0.5, len(v_rows)), rng.uniform(0.05, 0.95, len(v_rows))
        )
        watch_ms = np.maximum((duration_ms * fraction).astype(np.int64), params.MIN_WATCH_MS)
        # A play starts a moment after its impression; one served just before
        # midnight is logged on the same day, so a view's date is its impression's.
        viewed_ts = np.minimum(
            served[v_rows] + rng.integers(200, 3_000, size=len(v_rows)), start + DAY_MS - 1
        )
        device = viewers.device[v_viewer]
        app_version = self.app_versions(day, v_viewer)
        view_ids = _ids(day, "views", len(v_rows))

        logged = np.ones(len(v_rows), dtype=bool)
        if self.incident_on("logging_bug_br_31_2", day):
            lost = (
                completed
                & (viewers.region[v_viewer] == ref.regions.index("BR"))
                & (app_version == APP_VERSIONS.index("31.2"))
            )
            logged = ~lost
            truth.record_incident_effect(
                "logging_bug_br_31_2", day, "views_not_logged", int(lost.sum())
            )
        keep = np.flatnonzero(logged)
        views = {
            "view_id": view_ids[keep],
            "impression_id": impression_ids[v_rows][keep],
            "viewer_id": Labels(v_viewer[keep], viewers.ids),
            "content_id": Labels(v_content[keep], self.content_ids()),
            "surface_code": Labels(surface[v_rows][keep], labels(surface_names)),
            "watch_ms": watch_ms[keep],
            "is_completed": completed[keep],
            "device_os": Labels(device[keep], labels(params.DEVICE_WEIGHTS)),
            "app_version": Labels(app_version[keep], labels(APP_VERSIONS)),
            "viewed_ts_ms": viewed_ts[keep],
            "ingest_ts_ms": viewed_ts[keep] + ingest_lag_ms(rng, len(keep)),
        }

        engagements = self.engage(
            day, rng, view_ids, v_viewer, v_content, quality[v_rows], viewed_ts + watch_ms
        )
        follows = self.follow(
            day, rng, v_viewer, v_creator, quality[v_rows], completed, viewed_ts + watch_ms
        )

        logged_views_per_creator = np.bincount(v_creator[keep], minlength=len(creators.ids))
        self.recent_views[day % WINDOW_DAYS] = logged_views_per_creator
        qualified = np.bincount(
            v_creator[keep],
            weights=(watch_ms[keep] >= self.rule_array("min_qualified_watch_ms")[v_creator[keep]]),
            minlength=len(creators.ids),
        ).astype(np.int64)
        payouts = self.pay(day, rng, qualified)
        self.enroll(day, rng)
        assignments = self.log_assignments(day, rng, active, viewer, served)

        truth.record_day(
            day,
            impressions=n,
            views=len(keep),
            completed_views=int(completed[keep].sum()),
            watch_ms=int(watch_ms[keep].sum()),
            active_viewers=len(np.unique(v_viewer[keep])),
            sports_views=int(
                (catalog["category"][v_content[keep]] == ref.categories.index("sports")).sum()
            ),
            new_creator_for_you_impressions=int(
                (is_for_you & (creators.signup_day[creator] > day - params.NEW_CREATOR_DAYS)).sum()
            ),
            for_you_impressions=int(is_for_you.sum()),
        )
        truth.record_experiment_traffic(day, self, viewer, creator, viewed, is_for_you)
        return {
            "impressions": impressions,
            "views": views,
            "engagements": engagements,
            "follows": follows,
            "rewards_payouts": payouts,
            "experiment_assignments": assignments,
        }

    def app_versions(self, day: int, viewer: np.ndarray) -> np.ndarray:
        """Index into APP_VERSIONS: each viewer updates a few days after release."""
        lag = self.viewers.update_lag_days[viewer]
        version = np.zeros(len(viewer), dtype=np.int64)
        for position, name in enumerate(APP_VERSIONS[:3]):
            version = np.where(
                day >= params.APP_VERSION_RELEASE_DAYS[name] + lag, position, version
            )
        is_web = self.viewers.device[viewer] == list(params.DEVICE_WEIGHTS).index("web")
        return np.where(is_web, APP_VERSIONS.index("web"), version)

    def content_ids(self) -> np.ndarray:
        known = len(self._content_ids)
        if known != len(self.catalog):  # label only the posts added since the last call
            new = labels(f"p{i:08d}" for i in range(known + 1, len(self.catalog) + 1))
            self._content_ids = np.concatenate([self._content_ids, new])
        return self._content_ids

    def engage(self, day, rng, view_ids, viewer, content, quality, after_ms) -> Frame:
        kinds = tuple(params.ENGAGEMENT_RATES)
        rates = np.array([params.ENGAGEMENT_RATES[k] for k in kinds])
        draws = (
            rng.random((len(view_ids), len(kinds))) < rates * np.clip(quality, 0.3, 2.0)[:, None]
        )
        rows, kind = np.nonzero(draws)
        engaged = after_ms[rows] + rng.integers(0, 10_000, size=len(rows))
        return {
            "engagement_id": _ids(day, "engagements", len(rows)),
            "view_id": view_ids[rows],
            "viewer_id": Labels(viewer[rows], self.viewers.ids),
            "content_id": Labels(content[rows], self.content_ids()),
            "engagement_type": Labels(kind, labels(kinds)),
            "engaged_ts_ms": engaged,
            "ingest_ts_ms": engaged + ingest_lag_ms(rng, len(rows)),
        }

    def follow(self, day, rng, viewer, creator, quality, completed, after_ms) -> Frame:
        rate = (
            params.FOLLOW_RATE_PER_VIEW
            * np.clip(np.sqrt(quality), 0.3, 1.5)
            * np.where(completed, 1.5, 1.0)
        )
        rows = np.flatnonzero(rng.random(len(viewer)) < rate)
        n_creators = len(self.creators.ids)
        losses = np.minimum(
            rng.poisson(self.followers * params.UNFOLLOW_RATE_PER_FOLLOWER_DAY), self.followers
        )
        unfollowed = np.repeat(np.arange(n_creators), losses)
        signed_up = np.flatnonzero(self.viewers.signup_day <= day)
        unfollower = signed_up[rng.integers(0, len(signed_up), size=len(unfollowed))]
        gains = np.bincount(creator[rows], minlength=n_creators)
        self.followers = self.followers + gains - losses
        event_ts = np.concatenate(
            [
                after_ms[rows] + 500,
                day_start_ms(day) + rng.integers(0, DAY_MS, size=len(unfollowed)),
            ]
        )
        action = np.concatenate(
            [np.zeros(len(rows), dtype=np.int64), np.ones(len(unfollowed), dtype=np.int64)]
        )
        return {
            "follow_event_id": _ids(day, "follows", len(event_ts)),
            "viewer_id": Labels(np.concatenate([viewer[rows], unfollower]), self.viewers.ids),
            "creator_id": Labels(np.concatenate([creator[rows], unfollowed]), self.creators.ids),
            "action": Labels(action, labels(["follow", "unfollow"])),
            "event_ts_ms": event_ts,
            "ingest_ts_ms": event_ts + ingest_lag_ms(rng, len(event_ts)),
        }

    # ----------------------------------------------------------- monetization
    def enroll(self, day: int, rng: np.random.Generator) -> None:
        """Eligible creators join voluntarily; motivated ones join sooner."""
        date = params.START_DATE + dt.timedelta(days=day)
        launch = self.rule_array("launch_date")
        effects = params.REWARDS
        eligible = (
            (np.array([d <= date for d in launch]))
            & (self.creators.signup_day <= day)
            & (self.followers >= self.rule_array("min_followers"))
            & (self.recent_views.sum(axis=0) >= self.rule_array("min_views_28d"))
        )
        self.truth.count_eligible(day, int(eligible.sum()))
        hazard = effects.base_daily_enrollment_hazard * np.exp(
            effects.motivation_on_enrollment * self.creators.motivation
            - effects.motivation_on_enrollment**2 / 2
        )
        joins = np.flatnonzero(
            eligible & (self.enrolled_day > day) & (rng.random(len(hazard)) < np.minimum(hazard, 1))
        )
        self.enrolled_day[joins] = day
        for creator, offset in zip(joins, rng.integers(0, DAY_MS, size=len(joins)), strict=True):
            self.enrollments.append((int(creator), day_start_ms(day) + int(offset)))

    def pay(self, day: int, rng: np.random.Generator, qualified: np.ndarray) -> Frame:
        """One payout row per creator enrolled before today."""
        paid = np.flatnonzero(self.enrolled_day < day)
        rpm = self.rule_array("rpm_usd")[paid].astype(float)
        views = qualified[paid]
        ingest = day_start_ms(day + 1) + 2 * HOUR_MS + rng.integers(0, HOUR_MS, size=len(paid))
        return {
            "payout_id": _ids(day, "rewards_payouts", len(paid)),
            "creator_id": Labels(paid, self.creators.ids),
            "program_id": Labels(np.zeros(len(paid), dtype=np.int64), labels(["creator_rewards"])),
            "payout_date": np.full(
                len(paid), np.datetime64(params.START_DATE + dt.timedelta(days=day), "D")
            ),
            "qualified_views": views,
            "rpm_usd": rpm,
            "payout_usd": np.round(views / 1000 * rpm, 4),
            "ingest_ts_ms": ingest,
        }

    # ------------------------------------------------------------ experiments
    def log_assignments(self, day, rng, active, viewer, served) -> Frame:
        """Exposure logs: viewers on their first active day in the window,
        creators on the window's first day (or the day they sign up)."""
        unit_type, unit, experiment, variant, when = [], [], [], [], []
        first_served = np.full(len(self.viewers.ids), np.iinfo(np.int64).max)
        np.minimum.at(first_served, viewer, served)
        experiment_names = list(self.ref.experiments)
        for (experiment_id, kind), logged in self.logged_units.items():
            if not self.in_window(experiment_id, day):
                continue
            if kind == "viewer":
                exposed = active[~logged[active]]
                ts = first_served[exposed]
                arm = self.viewers.arm[experiment_id][exposed]
            else:
                exposed = np.flatnonzero(~logged & (self.creators.signup_day <= day))
                ts = day_start_ms(day) + self.creator_signup_offset_ms[exposed] * (
                    self.creators.signup_day[exposed] == day
                )
                arm = self.creators.arm[experiment_id][exposed]
            logged[exposed] = True
            written = np.ones(len(exposed), dtype=bool)
            if experiment_id == "exp_rank_v2":
                lost = arm & (
                    rng.random(len(exposed)) < params.EXPERIMENTS.rank_v2_lost_treatment_log_rate
                )
                written = ~lost
                self.truth.record_assignments(experiment_id, kind, arm, lost)
            else:
                self.truth.record_assignments(experiment_id, kind, arm, ~written)
            unit_offset = 0 if kind == "viewer" else len(self.viewers.ids)
            unit_type.append(np.full(written.sum(), 0 if kind == "viewer" else 1))
            unit.append(exposed[written] + unit_offset)
            experiment.append(np.full(written.sum(), experiment_names.index(experiment_id)))
            variant.append(arm[written].astype(np.int64))
            when.append(ts[written])
        unit_labels = np.concatenate([self.viewers.ids, self.creators.ids])
        ts_all = np.concatenate(when) if when else np.empty(0, dtype=np.int64)
        return {
            "assignment_id": _ids(day, "experiment_assignments", len(ts_all)),
            "experiment_id": Labels(_cat(experiment), labels(experiment_names)),
            "unit_type": Labels(_cat(unit_type), labels(["viewer", "creator"])),
            "unit_id": Labels(_cat(unit), unit_labels),
            "variant": Labels(_cat(variant), labels(["control", "treatment"])),
            "assigned_ts_ms": ts_all,
            "ingest_ts_ms": ts_all + ingest_lag_ms(rng, len(ts_all)),
        }

    # -------------------------------------------------------- dimension tables
    def dimension_tables(self, rng: np.random.Generator) -> dict[str, Frame]:
        viewers, creators, catalog, ref = self.viewers, self.creators, self.catalog, self.ref
        viewer_signup = (
            np.array([day_start_ms(d) for d in viewers.signup_day]) + self.viewer_signup_offset_ms
        )
        creator_signup = (
            np.array([day_start_ms(d) for d in creators.signup_day]) + self.creator_signup_offset_ms
        )
        published = catalog["published_ms"].astype(np.int64)
        enrolled_creator = np.array([c for c, _ in self.enrollments], dtype=np.int64)
        enrolled_ts = np.array([t for _, t in self.enrollments], dtype=np.int64)
        return {
            "viewers": {
                "viewer_id": Labels(np.arange(len(viewers.ids)), viewers.ids),
                "signup_ts_ms": viewer_signup,
                "region_code": Labels(viewers.region, labels(ref.regions)),
                "ingest_ts_ms": viewer_signup + ingest_lag_ms(rng, len(viewers.ids)),
            },
            "creators": {
                "creator_id": Labels(np.arange(len(creators.ids)), creators.ids),
                "creator_type": Labels(creators.creator_type, labels(ref.creator_types)),
                "region_code": Labels(creators.region, labels(ref.regions)),
                "signup_ts_ms": creator_signup,
                "is_verified": creators.is_verified,
                "baseline_follower_count": creators.baseline_followers,
                "ingest_ts_ms": creator_signup + ingest_lag_ms(rng, len(creators.ids)),
            },
            "content": {
                "content_id": Labels(np.arange(len(catalog)), self.content_ids()),
                "creator_id": Labels(catalog["creator"].astype(np.int64), creators.ids),
                "category_code": Labels(
                    catalog["category"].astype(np.int64), labels(ref.categories)
                ),
                "format": Labels(
                    catalog["format"].astype(np.int64), labels(params.FORMAT_DURATION_SECONDS)
                ),
                "duration_seconds": catalog["duration_s"].astype(np.int32),
                "tool_code": Labels(catalog["tool"].astype(np.int64), labels(ref.tools)),
                "published_ts_ms": published,
                "ingest_ts_ms": published + ingest_lag_ms(rng, len(catalog)),
            },
            "rewards_enrollments": {
                "enrollment_id": np.arange(1, len(enrolled_creator) + 1, dtype=np.int64),
                "creator_id": Labels(enrolled_creator, creators.ids),
                "program_id": Labels(
                    np.zeros(len(enrolled_creator), dtype=np.int64), labels(["creator_rewards"])
                ),
                "enrolled_ts_ms": enrolled_ts,
                "ingest_ts_ms": enrolled_ts + ingest_lag_ms(rng, len(enrolled_ts)),
            },
        }


APP_VERSIONS = ("31.0", "31.1", "31.2", "web")
TABLE_ID_PREFIX = {
    "impressions": 1, "views": 2, "engagements": 3, "follows": 4,
    "rewards_payouts": 5, "experiment_assignments": 6,
}  # fmt: skip


def _ids(day: int, table: str, n: int, start: int = 0) -> np.ndarray:
    """Event ids: table prefix, day, then a sequence, like a snowflake id."""
    base = (TABLE_ID_PREFIX[table] * 1_000 + day + params.BACKLOG_DAYS) * 1_000_000_000
    return base + start + np.arange(1, n + 1, dtype=np.int64)


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)


def _normalised(weights: dict[str, float], keys: tuple[str, ...]) -> np.ndarray:
    values = np.array([weights[key] for key in keys], dtype=float)
    return values / values.sum()
