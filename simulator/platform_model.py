"""The platform, one day at a time.

Viewers have a fixed attention budget (impressions per active day), so creators
compete for the same views: whatever raises one creator's recommender weight
takes views from the others. Every effect and incident in `params` acts here,
and `Truth` records what it did.

Determinism: each day draws from its own generators, one per stream
(`Platform.rng`), and every step of `Platform.simulate_day` draws in a fixed
order. Reorganise a step only if its draws keep their order, or the output
changes.
"""

import dataclasses
import datetime as dt

import numpy as np

from simulator import params
from simulator.frame import Frame, Labels
from simulator.reference import Reference
from simulator.scales import Scale
from simulator.treatment_effects import (
    creator_totals,
    expected_views_per_post,
    expected_watch_ms_per_view,
)
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
APP_VERSIONS = ("31.0", "31.1", "31.2", "web")
RANKING_MODELS = ("rec_v7", "rec_v8", "search_v3", "chrono_v1")
# The ranking model of each surface (for_you, following, search, profile) before rec_v8.
SURFACE_MODEL_INDEX = np.array([0, 0, 2, 3])
TABLE_ID_PREFIX = {
    "impressions": 1, "views": 2, "engagements": 3, "follows": 4,
    "rewards_payouts": 5, "experiment_assignments": 6,
}  # fmt: skip


def day_start_ms(day: int) -> int:
    return ((params.START_DATE - EPOCH).days + day) * DAY_MS


def ingest_lag_ms(rng: np.random.Generator, n: int) -> np.ndarray:
    """Normal pipeline delay: seconds to a few hours, never a full day."""
    lag = rng.lognormal(np.log(60_000), 1.5, size=n)
    return np.clip(lag, 1_000, 6 * HOUR_MS).astype(np.int64)


def labels(values) -> np.ndarray:
    return np.asarray(list(values), dtype=object)


def event_ids(day: int, table: str, n: int, start: int = 0) -> np.ndarray:
    """Event ids: table prefix, day, then a sequence, like a snowflake id."""
    base = (TABLE_ID_PREFIX[table] * 1_000 + day + params.BACKLOG_DAYS) * 1_000_000_000
    return base + start + np.arange(1, n + 1, dtype=np.int64)


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


@dataclasses.dataclass(frozen=True)
class Served:
    """A day's impressions, one element per impression, in serving order."""

    impression_id: np.ndarray
    viewer: np.ndarray
    content: np.ndarray  # index into the catalog
    creator: np.ndarray
    surface: np.ndarray  # index into reference.surfaces
    is_for_you: np.ndarray
    rank: np.ndarray
    model: np.ndarray  # index into RANKING_MODELS
    served_ms: np.ndarray

    def __len__(self) -> int:
        return len(self.viewer)


@dataclasses.dataclass(frozen=True)
class Plays:
    """A day's views, one element per view: the impressions that were watched."""

    view_id: np.ndarray
    impression_id: np.ndarray
    viewer: np.ndarray
    content: np.ndarray
    creator: np.ndarray
    surface: np.ndarray
    quality: np.ndarray  # the post's hidden quality
    completed: np.ndarray
    watch_ms: np.ndarray
    viewed_ms: np.ndarray
    device: np.ndarray  # index into params.DEVICE_WEIGHTS
    app_version: np.ndarray  # index into APP_VERSIONS

    def __len__(self) -> int:
        return len(self.view_id)

    @property
    def ended_ms(self) -> np.ndarray:
        return self.viewed_ms + self.watch_ms

    def take(self, rows: np.ndarray) -> "Plays":
        return Plays(**{field.name: getattr(self, field.name)[rows] for field in _PLAYS_FIELDS})


_PLAYS_FIELDS = dataclasses.fields(Plays)


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
        # Streams: 0 the day's events, 1 posting, 2 creator states, 100+ and
        # 200+ the writer's defects (generate.py).
        return np.random.default_rng([self.seed, day + 10_000, stream])

    def in_window(self, experiment_id: str, day: int) -> bool:
        experiment = self.ref.experiments[experiment_id]
        date = params.START_DATE + dt.timedelta(days=day)
        return experiment.start_date <= date <= experiment.end_date

    def incident_on(self, incident_id: str, day: int) -> bool:
        incident = _incident(incident_id)
        return incident.first_day <= day <= incident.last_day

    def rule_array(self, attribute: str) -> np.ndarray:
        regions = self.ref.regions
        values = [
            getattr(self.ref.rewards_rules[regions[r]], attribute) for r in range(len(regions))
        ]
        return np.asarray(values)[self.creators.region]

    def content_ids(self) -> np.ndarray:
        known = len(self._content_ids)
        if known != len(self.catalog):  # label only the posts added since the last call
            new = labels(f"p{i:08d}" for i in range(known + 1, len(self.catalog) + 1))
            self._content_ids = np.concatenate([self._content_ids, new])
        return self._content_ids

    # -------------------------------------------------------------------- day
    def simulate_day(self, day: int) -> dict[str, Frame]:
        """One day of the platform: the event tables its logs hold."""
        rng = self.rng(day, 0)
        self.update_creator_states(day, self.rng(day, 2))
        self.post(day, self.rng(day, 1))
        active, viewer = self.choose_active_viewers(day, rng)
        served = self.serve_impressions(day, rng, viewer)
        viewed = self.decide_views(day, rng, served)
        impressions = self.log_impressions(rng, served)
        plays = self.play_views(day, rng, served, viewed)
        logged = self.apply_logging_bug(day, plays)
        views = self.log_views(rng, logged)
        engagements = self.engage(day, rng, plays)
        follows = self.follow(day, rng, plays)
        payouts = self.run_rewards_program(day, rng, logged)
        assignments = self.log_assignments(day, rng, active, served)
        self.record_day(day, served, viewed, logged)
        self.record_treatment_effects(day, served)
        return {
            "impressions": impressions,
            "views": views,
            "engagements": engagements,
            "follows": follows,
            "rewards_payouts": payouts,
            "experiment_assignments": assignments,
        }

    def record_day(self, day: int, served: Served, viewed: np.ndarray, logged: Plays) -> None:
        """The day's exact totals, by the metric catalogue's names (truth.py)."""
        is_new_creator = self.creators.signup_day[served.creator] > day - params.NEW_CREATOR_DAYS
        self.truth.record_day(
            day,
            impressions=len(served),
            views=len(logged),
            completed_views=int(logged.completed.sum()),
            watch_time_ms=int(logged.watch_ms.sum()),
            daily_active_viewers=len(np.unique(logged.viewer)),
        )
        sports = self.ref.categories.index("sports")
        self.truth.record_slice(
            day,
            "content_category",
            "sports",
            views=int((self.catalog["category"][logged.content] == sports).sum()),
        )
        self.truth.record_slice(
            day,
            "surface",
            "for_you",
            impressions=int(served.is_for_you.sum()),
            new_creator_impressions=int((served.is_for_you & is_new_creator).sum()),
        )
        if self.in_window("exp_editor_boost", day):
            treated = self.creators.arm["exp_editor_boost"][served.creator]
            self.truth.record_arm_traffic(treated, viewed)

    def record_treatment_effects(self, day: int, served: Served) -> None:
        """Each treated creator's expected posts, views and watch time today with and
        without the rewards program, the scheduler and the editor; each live region launch's
        expected posts with and without it; on the rewards program's launch day, where each
        creator stood against the eligibility thresholds (truth.py)."""
        creators, catalog = self.creators, self.catalog
        rates = self.posting_rates(day)
        signed_up = creators.signup_day <= day
        self.record_region_launches(day, rates, signed_up)
        self.record_program_launch(day, signed_up)
        self.truth.record_enrollment_days(self.enrolled_day)
        live = np.flatnonzero(
            (catalog["published_day"] >= day - params.CONTENT_SHELF_LIFE_DAYS)
            & (catalog["published_day"] <= day)
        )
        views = self.expected_views(day, served, live)
        watch = views * self.expected_watch_per_view(live)
        post_creator = catalog["creator"][live].astype(np.int64)
        published = catalog["published_day"][live]
        rewards, tools = params.REWARDS, params.TOOLS
        enrolled = self.enrolled_day < day
        keep = np.where(
            enrolled[post_creator],
            np.where(
                published > self.enrolled_day[post_creator],
                1 / (rewards.reach_multiplier * rewards.posting_rate_multiplier),
                1 / rewards.reach_multiplier,
            ),
            1.0,
        )
        without = rates / rewards.posting_rate_multiplier
        self.record_effect(
            "rewards_program", day, enrolled, self.enrolled_day + 1, rates, without,
            views, watch, keep, post_creator,
        )  # fmt: skip
        scheduler = creators.tool_adoption_day["scheduler"]
        adopted = signed_up & (scheduler <= day)
        multiplier = tools.scheduler_posting_rate_multiplier
        made_under_it = adopted[post_creator] & (published >= scheduler[post_creator])
        keep = np.where(made_under_it, 1 / multiplier, 1.0)
        self.record_effect(
            "scheduler", day, adopted, scheduler, rates, rates / multiplier,
            views, watch, keep, post_creator,
        )  # fmt: skip
        editor = creators.tool_adoption_day["editor"]
        adopted = signed_up & (editor <= day)
        made_with_editor = catalog["tool"][live] == self.ref.tools.index("editor")
        keep = np.where(made_with_editor, 1 / tools.editor_reach_multiplier, 1.0)
        self.record_effect(
            "editor", day, adopted, editor, rates, rates, views, watch, keep, post_creator
        )

    def record_effect(
        self,
        treatment: str,
        day: int,
        treated: np.ndarray,
        treated_since: np.ndarray,
        posts_with: np.ndarray,
        posts_without: np.ndarray,
        views: np.ndarray,
        watch: np.ndarray,
        keep: np.ndarray,
        post_creator: np.ndarray,
    ) -> None:
        """One treatment's day: per treated creator, expected outcomes with and without it;
        `keep` is each live post's expected views without the treatment over with it."""
        n = len(self.creators.ids)
        who = np.flatnonzero(treated)
        self.truth.record_treatment_day(
            treatment,
            day,
            who,
            treated_since[who],
            post_count=(posts_with[who], posts_without[who]),
            view_count=(
                creator_totals(post_creator, views, n)[who],
                creator_totals(post_creator, views * keep, n)[who],
            ),
            watch_ms=(
                creator_totals(post_creator, watch, n)[who],
                creator_totals(post_creator, watch * keep, n)[who],
            ),
        )

    def expected_views(self, day: int, served: Served, live: np.ndarray) -> np.ndarray:
        """Expected views today of each live post, given today's impressions
        (simulator.treatment_effects)."""
        catalog = self.catalog
        served_quality = np.clip(np.sqrt(catalog["quality"][served.content]), 0.3, 1.5)
        # The impression's share of the view probability that does not depend on the post.
        slot = self.base_view_rates(served) / served_quality * self.rank_v2_lift(day, served)
        match_id = "exp_two_sided_match"
        match_viewer = self.in_window(match_id, day) & self.viewers.arm[match_id][served.viewer]
        post_creator = catalog["creator"][live].astype(np.int64)
        return expected_views_per_post(
            post_category=catalog["category"][live].astype(np.int64),
            post_weights=self.recommender_weights(day, live),
            post_quality_factor=np.clip(np.sqrt(catalog["quality"][live]), 0.3, 1.5),
            post_match_treated=self.creators.arm[match_id][post_creator],
            impression_category=catalog["category"][served.content].astype(np.int64),
            impression_feed=np.where(served.is_for_you, 0, 1),
            slot_factor=slot,
            match_slot_factor=slot * match_viewer,
            match_multiplier=params.EXPERIMENTS.two_sided_match_view_rate_multiplier,
            n_categories=len(self.ref.categories),
        )

    def expected_watch_per_view(self, live: np.ndarray) -> np.ndarray:
        """E[watch ms | view] of each live post (`draw_completions`, `draw_watch_ms`)."""
        catalog = self.catalog
        format_logit = np.array(
            [params.FORMAT_COMPLETION_LOGIT[f] for f in params.FORMAT_DURATION_SECONDS]
        )
        logit = (
            format_logit[catalog["format"][live].astype(np.int64)]
            + 0.8 * np.log(catalog["quality"][live])
            + 0.3
        )
        return expected_watch_ms_per_view(
            catalog["duration_s"][live] * 1000.0, 1 / (1 + np.exp(-logit)), params.MIN_WATCH_MS
        )

    def region_launch_lift(self, day: int) -> np.ndarray:
        """Posting-rate multiplier of each creator from the region launches live today."""
        lift = np.ones(len(self.creators.ids))
        date = params.START_DATE + dt.timedelta(days=day)
        for launch in self.ref.region_launches.values():
            if date >= launch.launch_date:
                region = self.ref.regions.index(launch.region_code)
                multiplier = params.REGION_LAUNCHES.posting_rate_multiplier[launch.launch_id]
                lift = np.where(self.creators.region == region, lift * multiplier, lift)
        return lift

    def record_region_launches(self, day: int, rates: np.ndarray, signed_up: np.ndarray) -> None:
        """Expected posts of each launch region's creators with and without the launch."""
        date = params.START_DATE + dt.timedelta(days=day)
        for launch in self.ref.region_launches.values():
            in_region = signed_up & (
                self.creators.region == self.ref.regions.index(launch.region_code)
            )
            live = date >= launch.launch_date
            multiplier = params.REGION_LAUNCHES.posting_rate_multiplier[launch.launch_id]
            with_launch = float(rates[in_region].sum())
            self.truth.record_region_launch(
                launch.launch_id,
                day,
                creators=int(in_region.sum()),
                posts_with=with_launch,
                posts_without=with_launch / multiplier if live else with_launch,
            )

    def record_program_launch(self, day: int, signed_up: np.ndarray) -> None:
        """On the day the rewards program launches in a region, each of its signed-up
        creators' followers and 28-day views at the end of the day (as `enroll` sees them)."""
        date = params.START_DATE + dt.timedelta(days=day)
        launched_today = signed_up & np.array([d == date for d in self.rule_array("launch_date")])
        if launched_today.any():
            who = np.flatnonzero(launched_today)
            self.truth.record_program_launch(
                day,
                who,
                followers=self.followers[who],
                views_28d=self.recent_views.sum(axis=0)[who],
                min_followers=self.rule_array("min_followers")[who],
                min_views_28d=self.rule_array("min_views_28d")[who],
            )

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
        """Active creators publish today's posts into the catalog."""
        counts = rng.poisson(self.posting_rates(day))
        creator = np.repeat(np.arange(len(counts)), counts)
        n = len(creator)
        category = self.choose_post_categories(rng, creator)
        content_format, duration = self.choose_formats(rng, creator)
        tool = self.choose_tools(day, rng, creator)
        reach = np.where(
            tool == self.ref.tools.index("editor"), params.TOOLS.editor_reach_multiplier, 1.0
        )
        published_ms = self.publish_times(day, rng, creator)
        self.catalog.append(
            {
                "creator": creator, "category": category, "format": content_format,
                "duration_s": duration, "quality": self.creators.quality[creator]
                * rng.lognormal(0.0, 0.25, size=n), "published_ms": published_ms,
                "published_day": np.full(n, day), "tool": tool, "reach": reach,
            }
        )  # fmt: skip
        self.truth.count_posts(day, n)

    def posting_rates(self, day: int) -> np.ndarray:
        """Expected posts per creator today: type, motivation, scheduler, rewards."""
        creators = self.creators
        can_post = (creators.signup_day <= day) & self.creator_active
        base_rate = np.array(
            [params.CREATOR_TYPES[t].posts_per_active_day for t in self.ref.creator_types]
        )
        motivation_lift = np.exp(
            params.MOTIVATION_ON_POSTING * creators.motivation - params.MOTIVATION_ON_POSTING**2 / 2
        )
        scheduler = creators.tool_adoption_day["scheduler"] <= day
        enrolled = self.enrolled_day < day
        return (
            base_rate[creators.creator_type]
            * motivation_lift
            * np.where(scheduler, params.TOOLS.scheduler_posting_rate_multiplier, 1.0)
            * np.where(enrolled, params.REWARDS.posting_rate_multiplier, 1.0)
            * self.region_launch_lift(day)
            * can_post
        )

    def choose_post_categories(self, rng: np.random.Generator, creator: np.ndarray) -> np.ndarray:
        """Mostly the creator's main category, sometimes any category."""
        categories = self.ref.categories
        n = len(creator)
        global_category = rng.choice(
            len(categories), size=n, p=_normalised(params.CATEGORY_WEIGHTS, categories)
        )
        return np.where(rng.random(n) < 0.8, self.creators.main_category[creator], global_category)

    def choose_formats(
        self, rng: np.random.Generator, creator: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each post's format (by the creator's type) and its duration in seconds."""
        format_names = tuple(params.FORMAT_DURATION_SECONDS)
        format_probabilities = np.array(
            [
                [params.CREATOR_TYPES[t].formats[f] for f in format_names]
                for t in self.ref.creator_types
            ]
        )
        cumulative = format_probabilities.cumsum(axis=1)[self.creators.creator_type[creator]]
        content_format = (rng.random(len(creator))[:, None] > cumulative).sum(axis=1)
        bounds = np.array([params.FORMAT_DURATION_SECONDS[f] for f in format_names])
        duration = rng.integers(bounds[content_format, 0], bounds[content_format, 1] + 1)
        return content_format, duration

    def choose_tools(self, day: int, rng: np.random.Generator, creator: np.ndarray) -> np.ndarray:
        """Index into reference.tools: a tool the creator has adopted, or none."""
        tool_names = self.ref.tools  # none, scheduler, editor
        adoption = self.creators.tool_adoption_day
        has_scheduler = adoption["scheduler"][creator] <= day
        has_editor = adoption["editor"][creator] <= day
        n = len(creator)
        uses_tool = rng.random(n) < params.TOOLS.tool_use_probability_per_adopter_post
        prefers_editor = rng.random(n) < 0.5
        return np.where(
            uses_tool & has_editor & (~has_scheduler | prefers_editor),
            tool_names.index("editor"),
            np.where(
                uses_tool & has_scheduler, tool_names.index("scheduler"), tool_names.index("none")
            ),
        )

    def publish_times(self, day: int, rng: np.random.Generator, creator: np.ndarray) -> np.ndarray:
        """After 06:00, and never before a creator who joins today signs up."""
        creators = self.creators
        earliest = self.creator_signup_offset_ms[creator] * (creators.signup_day[creator] == day)
        offset = rng.integers(6 * HOUR_MS, DAY_MS, size=len(creator))
        return day_start_ms(day) + np.maximum(offset, earliest)

    # ---------------------------------------------------------------- demand
    def choose_active_viewers(
        self, day: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Who shows up today, and one entry per impression their attention buys."""
        viewers = self.viewers
        weekday = (params.START_DATE + dt.timedelta(days=day)).weekday()
        signed_up = viewers.signup_day <= day
        propensity = viewers.activity * params.DAY_OF_WEEK_ACTIVITY[weekday]
        propensity *= (1 + params.DAILY_ACTIVITY_GROWTH) ** day
        active = np.flatnonzero(
            signed_up & (rng.random(len(signed_up)) < np.minimum(propensity, 1))
        )
        attention = viewers.attention[active] * (
            params.SPIKE_ATTENTION_MULTIPLIER
            if self.incident_on("sports_traffic_spike", day)
            else 1.0
        )
        impressions_per_viewer = rng.poisson(attention) + 1
        return active, np.repeat(active, impressions_per_viewer)

    def serve_impressions(self, day: int, rng: np.random.Generator, viewer: np.ndarray) -> Served:
        """What the surfaces show: a surface, a post, a rank and a time per impression."""
        surfaces = self.ref.surfaces
        surface = rng.choice(
            len(surfaces), size=len(viewer), p=_normalised(params.SURFACE_WEIGHTS, surfaces)
        )
        is_for_you = surface == surfaces.index("for_you")
        category = self.choose_categories(day, rng, viewer)
        content = self.choose_posts(day, rng, is_for_you, category)
        rank = rng.geometric(0.15, size=len(viewer))
        served_ms = self.serve_times(day, rng, content)
        return Served(
            impression_id=event_ids(day, "impressions", len(viewer)),
            viewer=viewer,
            content=content,
            creator=self.catalog["creator"][content].astype(np.int64),
            surface=surface,
            is_for_you=is_for_you,
            rank=rank,
            model=self.ranking_models(day, surface, is_for_you),
            served_ms=served_ms,
        )

    def choose_categories(
        self, day: int, rng: np.random.Generator, viewer: np.ndarray
    ) -> np.ndarray:
        """Half the time the viewer's favourite; the sports spike redirects a share."""
        categories = self.ref.categories
        n = len(viewer)
        favourite = self.viewers.favourite_category[viewer]
        other = rng.choice(
            len(categories), size=n, p=_normalised(params.CATEGORY_WEIGHTS, categories)
        )
        category = np.where(rng.random(n) < 0.5, favourite, other)
        if self.incident_on("sports_traffic_spike", day):
            category = np.where(
                rng.random(n) < _incident("sports_traffic_spike").magnitude,
                categories.index("sports"),
                category,
            )
        return category

    def choose_posts(
        self,
        day: int,
        rng: np.random.Generator,
        is_for_you: np.ndarray,
        category: np.ndarray,
    ) -> np.ndarray:
        """A live post of the wanted category, by each surface's recommender weights."""
        catalog = self.catalog
        live = np.flatnonzero(
            (catalog["published_day"] >= day - params.CONTENT_SHELF_LIFE_DAYS)
            & (catalog["published_day"] <= day)
        )
        for_you_weights, other_weights = self.recommender_weights(day, live)
        self.editor_boost_choice = self.editor_boost_choice_probabilities(
            day, live, (for_you_weights, other_weights), is_for_you, category
        )
        content = np.empty(len(category), dtype=np.int64)
        content[is_for_you] = self.choose_content(rng, live, for_you_weights, category[is_for_you])
        content[~is_for_you] = self.choose_content(rng, live, other_weights, category[~is_for_you])
        return content

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
            magnitude = _incident("rec_v8_new_creator_exposure").magnitude
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

    def serve_times(self, day: int, rng: np.random.Generator, content: np.ndarray) -> np.ndarray:
        """Evening-heavy serving times, never before a post is a minute old."""
        start = day_start_ms(day)
        n = len(content)
        hour = rng.choice(24, size=n, p=HOUR_WEIGHTS)
        served = start + hour * HOUR_MS + rng.integers(0, HOUR_MS, size=n)
        published = self.catalog["published_ms"][content].astype(np.int64)
        too_early = served < published + 60_000
        room = np.maximum(start + DAY_MS - published - 60_000, 1)
        served = np.where(too_early, published + 60_000 + rng.integers(0, room), served)
        return np.minimum(served, start + DAY_MS - 1)

    def ranking_models(self, day: int, surface: np.ndarray, is_for_you: np.ndarray) -> np.ndarray:
        """Index into RANKING_MODELS: rec_v8 takes over For You during its rollout."""
        model = SURFACE_MODEL_INDEX[surface]
        if self.incident_on("rec_v8_new_creator_exposure", day):
            model = np.where(is_for_you, RANKING_MODELS.index("rec_v8"), model)
        return model

    def decide_views(self, day: int, rng: np.random.Generator, served: Served) -> np.ndarray:
        """Which impressions become views (and each experiment's exact counterfactual)."""
        base_rate = self.base_view_rates(served)
        rank_lift = self.rank_v2_lift(day, served)
        match_lift = self.two_sided_match_lift(day, served)
        view_rate = np.minimum(base_rate * rank_lift * match_lift, 0.97)
        self.record_expected_views(
            day,
            served,
            view_rate,
            without_rank=np.minimum(base_rate * match_lift, 0.97),
            without_match=np.minimum(base_rate * rank_lift, 0.97),
        )
        return rng.random(len(served)) < view_rate

    def base_view_rates(self, served: Served) -> np.ndarray:
        """View probability by surface, post quality and rank, before experiments."""
        quality = self.catalog["quality"][served.content]
        surfaces = self.ref.surfaces
        base_rate = np.array([params.SURFACE_BASE_VIEW_RATE[s] for s in surfaces])[served.surface]
        return (
            base_rate
            * np.clip(np.sqrt(quality), 0.3, 1.5)
            * (1 - 0.015 * np.minimum(served.rank - 1, 20))
        )

    def rank_v2_lift(self, day: int, served: Served) -> np.ndarray:
        lift = np.ones(len(served))
        if self.in_window("exp_rank_v2", day):
            treated = self.viewers.arm["exp_rank_v2"][served.viewer] & served.is_for_you
            lift[treated] = params.EXPERIMENTS.rank_v2_for_you_view_rate_multiplier
        return lift

    def two_sided_match_lift(self, day: int, served: Served) -> np.ndarray:
        lift = np.ones(len(served))
        if self.in_window("exp_two_sided_match", day):
            lift[self.both_match_treated(served)] = (
                params.EXPERIMENTS.two_sided_match_view_rate_multiplier
            )
        return lift

    def both_match_treated(self, served: Served) -> np.ndarray:
        experiment_id = "exp_two_sided_match"
        return (
            self.viewers.arm[experiment_id][served.viewer]
            & self.creators.arm[experiment_id][served.creator]
        )

    def record_expected_views(
        self,
        day: int,
        served: Served,
        view_rate: np.ndarray,
        without_rank: np.ndarray,
        without_match: np.ndarray,
    ) -> None:
        """Expected views of each experiment's treated units, with and without it."""
        if self.in_window("exp_rank_v2", day):
            treated = self.viewers.arm["exp_rank_v2"][served.viewer]
            self.truth.record_expected_views(
                "exp_rank_v2", view_rate[treated], without_rank[treated]
            )
        if self.in_window("exp_two_sided_match", day):
            both = self.both_match_treated(served)
            self.truth.record_expected_views(
                "exp_two_sided_match", view_rate[both], without_match[both]
            )
            multiplier = params.EXPERIMENTS.two_sided_match_view_rate_multiplier
            self.truth.record_two_sided_match(
                viewer_treated=self.viewers.arm["exp_two_sided_match"][served.viewer],
                creator_treated=self.creators.arm["exp_two_sided_match"][served.creator],
                view_rate=view_rate,
                without_effect=without_match,
                # Every viewer and creator treated; 0.97 is decide_views' cap.
                everyone_treated=np.minimum(without_match * multiplier, 0.97),
            )
        choice = getattr(self, "editor_boost_choice", None)
        if self.in_window("exp_editor_boost", day) and choice is not None:
            treated = self.creators.arm["exp_editor_boost"][served.creator]
            self.truth.record_editor_boost(treated, view_rate, *choice)

    def editor_boost_choice_probabilities(
        self,
        day: int,
        live: np.ndarray,
        weights: tuple[np.ndarray, np.ndarray],
        is_for_you: np.ndarray,
        category: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Per impression to serve, the chance its post is an exp_editor_boost treated
        creator's, with the boost as run and switched off: the recommender picks within the
        wanted category in proportion to the weights, so this is exact. None outside the
        window. Draws no random numbers."""
        if not self.in_window("exp_editor_boost", day):
            return None
        multiplier = params.EXPERIMENTS.editor_boost_reach_multiplier
        creator = self.catalog["creator"][live].astype(np.int64)
        treated = self.creators.arm["exp_editor_boost"][creator]
        live_category = self.catalog["category"][live]
        with_effect = np.zeros(len(category))
        without_effect = np.zeros(len(category))
        surfaces = ((is_for_you, weights[0]), (~is_for_you, weights[1]))
        for rows_of_surface, surface_weights in surfaces:
            for code in np.unique(category[rows_of_surface]):
                members = live_category == code
                if not members.any():  # choose_content then picks from every live post
                    members = np.ones(len(live), dtype=bool)
                boosted = surface_weights[members & treated].sum()
                other = surface_weights[members & ~treated].sum()
                rows = rows_of_surface & (category == code)
                with_effect[rows] = boosted / (boosted + other)
                without_effect[rows] = boosted / multiplier / (boosted / multiplier + other)
        return with_effect, without_effect

    def log_impressions(self, rng: np.random.Generator, served: Served) -> Frame:
        return {
            "impression_id": served.impression_id,
            "viewer_id": Labels(served.viewer, self.viewers.ids),
            "content_id": Labels(served.content, self.content_ids()),
            "surface_code": Labels(served.surface, labels(self.ref.surfaces)),
            "rank_position": served.rank.astype(np.int32),
            "model_version": Labels(served.model, labels(RANKING_MODELS)),
            "served_ts_ms": served.served_ms,
            "ingest_ts_ms": served.served_ms + ingest_lag_ms(rng, len(served)),
        }

    # ------------------------------------------------------------------ views
    def play_views(
        self, day: int, rng: np.random.Generator, served: Served, viewed: np.ndarray
    ) -> Plays:
        """How the views play out: completion, watch time, when, on which app."""
        rows = np.flatnonzero(viewed)
        viewer, content = served.viewer[rows], served.content[rows]
        quality = self.catalog["quality"][content]
        completed = self.draw_completions(rng, content, quality)
        watch_ms = self.draw_watch_ms(rng, content, completed)
        # A play starts a moment after its impression; one served just before
        # midnight is logged on the same day, so a view's date is its impression's.
        viewed_ms = np.minimum(
            served.served_ms[rows] + rng.integers(200, 3_000, size=len(rows)),
            day_start_ms(day) + DAY_MS - 1,
        )
        return Plays(
            view_id=event_ids(day, "views", len(rows)),
            impression_id=served.impression_id[rows],
            viewer=viewer,
            content=content,
            creator=served.creator[rows],
            surface=served.surface[rows],
            quality=quality,
            completed=completed,
            watch_ms=watch_ms,
            viewed_ms=viewed_ms,
            device=self.viewers.device[viewer],
            app_version=self.app_versions(day, viewer),
        )

    def draw_completions(
        self, rng: np.random.Generator, content: np.ndarray, quality: np.ndarray
    ) -> np.ndarray:
        format_logit = np.array(
            [params.FORMAT_COMPLETION_LOGIT[f] for f in params.FORMAT_DURATION_SECONDS]
        )
        logit = (
            format_logit[self.catalog["format"][content].astype(np.int64)]
            + 0.8 * np.log(quality)
            + 0.3
        )
        return rng.random(len(content)) < 1 / (1 + np.exp(-logit))

    def draw_watch_ms(
        self, rng: np.random.Generator, content: np.ndarray, completed: np.ndarray
    ) -> np.ndarray:
        """A completed view watches the whole post and more; others stop part-way."""
        n = len(content)
        duration_ms = self.catalog["duration_s"][content].astype(np.int64) * 1000
        fraction = np.where(completed, 1 + rng.uniform(0, 0.5, n), rng.uniform(0.05, 0.95, n))
        return np.maximum((duration_ms * fraction).astype(np.int64), params.MIN_WATCH_MS)

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

    def apply_logging_bug(self, day: int, plays: Plays) -> Plays:
        """The views the logs keep: on its day, the bug loses its slice's completed views."""
        incident_id = "logging_bug_br_31_2"
        logged = np.ones(len(plays), dtype=bool)
        if self.incident_on(incident_id, day):
            lost = (
                plays.completed
                & (self.viewers.region[plays.viewer] == self.ref.regions.index("BR"))
                & (plays.app_version == APP_VERSIONS.index("31.2"))
            )
            logged = ~lost
            self.truth.record_incident_effect(incident_id, day, "not_logged", views=int(lost.sum()))
        return plays.take(np.flatnonzero(logged))

    def log_views(self, rng: np.random.Generator, logged: Plays) -> Frame:
        return {
            "view_id": logged.view_id,
            "impression_id": logged.impression_id,
            "viewer_id": Labels(logged.viewer, self.viewers.ids),
            "content_id": Labels(logged.content, self.content_ids()),
            "surface_code": Labels(logged.surface, labels(self.ref.surfaces)),
            "watch_ms": logged.watch_ms,
            "is_completed": logged.completed,
            "device_os": Labels(logged.device, labels(params.DEVICE_WEIGHTS)),
            "app_version": Labels(logged.app_version, labels(APP_VERSIONS)),
            "viewed_ts_ms": logged.viewed_ms,
            "ingest_ts_ms": logged.viewed_ms + ingest_lag_ms(rng, len(logged)),
        }

    # ------------------------------------------------------------- reactions
    def engage(self, day: int, rng: np.random.Generator, plays: Plays) -> Frame:
        """Likes, comments, shares and saves: every play may engage, logged or not."""
        kinds = tuple(params.ENGAGEMENT_RATES)
        rates = np.array([params.ENGAGEMENT_RATES[k] for k in kinds])
        draws = (
            rng.random((len(plays), len(kinds))) < rates * np.clip(plays.quality, 0.3, 2.0)[:, None]
        )
        rows, kind = np.nonzero(draws)
        engaged = plays.ended_ms[rows] + rng.integers(0, 10_000, size=len(rows))
        return {
            "engagement_id": event_ids(day, "engagements", len(rows)),
            "view_id": plays.view_id[rows],
            "viewer_id": Labels(plays.viewer[rows], self.viewers.ids),
            "content_id": Labels(plays.content[rows], self.content_ids()),
            "engagement_type": Labels(kind, labels(kinds)),
            "engaged_ts_ms": engaged,
            "ingest_ts_ms": engaged + ingest_lag_ms(rng, len(rows)),
        }

    def follow(self, day: int, rng: np.random.Generator, plays: Plays) -> Frame:
        """Follows after plays, and unfollows at a steady rate per follower."""
        rate = (
            params.FOLLOW_RATE_PER_VIEW
            * np.clip(np.sqrt(plays.quality), 0.3, 1.5)
            * np.where(plays.completed, 1.5, 1.0)
        )
        rows = np.flatnonzero(rng.random(len(plays)) < rate)
        n_creators = len(self.creators.ids)
        losses = np.minimum(
            rng.poisson(self.followers * params.UNFOLLOW_RATE_PER_FOLLOWER_DAY), self.followers
        )
        unfollowed = np.repeat(np.arange(n_creators), losses)
        signed_up = np.flatnonzero(self.viewers.signup_day <= day)
        unfollower = signed_up[rng.integers(0, len(signed_up), size=len(unfollowed))]
        gains = np.bincount(plays.creator[rows], minlength=n_creators)
        self.followers = self.followers + gains - losses
        event_ts = np.concatenate(
            [
                plays.ended_ms[rows] + 500,
                day_start_ms(day) + rng.integers(0, DAY_MS, size=len(unfollowed)),
            ]
        )
        action = np.concatenate(
            [np.zeros(len(rows), dtype=np.int64), np.ones(len(unfollowed), dtype=np.int64)]
        )
        viewer = np.concatenate([plays.viewer[rows], unfollower])
        creator = np.concatenate([plays.creator[rows], unfollowed])
        return {
            "follow_event_id": event_ids(day, "follows", len(event_ts)),
            "viewer_id": Labels(viewer, self.viewers.ids),
            "creator_id": Labels(creator, self.creators.ids),
            "action": Labels(action, labels(["follow", "unfollow"])),
            "event_ts_ms": event_ts,
            "ingest_ts_ms": event_ts + ingest_lag_ms(rng, len(event_ts)),
        }

    # ----------------------------------------------------------- monetization
    def run_rewards_program(self, day: int, rng: np.random.Generator, logged: Plays) -> Frame:
        """Remember today's logged views, pay the enrolled, then let creators enroll."""
        n_creators = len(self.creators.ids)
        self.recent_views[day % WINDOW_DAYS] = np.bincount(logged.creator, minlength=n_creators)
        payouts = self.pay(day, rng, self.qualified_views(logged))
        self.enroll(day, rng)
        return payouts

    def qualified_views(self, logged: Plays) -> np.ndarray:
        """Per creator, today's logged views that reach the region's minimum watch time."""
        minimum = self.rule_array("min_qualified_watch_ms")[logged.creator]
        return np.bincount(
            logged.creator,
            weights=(logged.watch_ms >= minimum),
            minlength=len(self.creators.ids),
        ).astype(np.int64)

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
        self.truth.count_enrollments(len(joins))

    def pay(self, day: int, rng: np.random.Generator, qualified: np.ndarray) -> Frame:
        """One payout row per creator enrolled before today."""
        paid = np.flatnonzero(self.enrolled_day < day)
        rpm = self.rule_array("rpm_usd")[paid].astype(float)
        views = qualified[paid]
        ingest = day_start_ms(day + 1) + 2 * HOUR_MS + rng.integers(0, HOUR_MS, size=len(paid))
        return {
            "payout_id": event_ids(day, "rewards_payouts", len(paid)),
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
    def log_assignments(
        self, day: int, rng: np.random.Generator, active: np.ndarray, served: Served
    ) -> Frame:
        """Exposure logs: viewers on their first active day in the window,
        creators on the window's first day (or the day they sign up)."""
        unit_type, unit, experiment, variant, when = [], [], [], [], []
        first_served = np.full(len(self.viewers.ids), np.iinfo(np.int64).max)
        np.minimum.at(first_served, served.viewer, served.served_ms)
        experiment_names = list(self.ref.experiments)
        for (experiment_id, kind), logged in self.logged_units.items():
            if not self.in_window(experiment_id, day):
                continue
            exposed, ts, arm = self.first_exposures(day, experiment_id, kind, active, first_served)
            logged[exposed] = True
            written = self.written_exposures(rng, experiment_id, kind, arm)
            unit_offset = 0 if kind == "viewer" else len(self.viewers.ids)
            unit_type.append(np.full(written.sum(), 0 if kind == "viewer" else 1))
            unit.append(exposed[written] + unit_offset)
            experiment.append(np.full(written.sum(), experiment_names.index(experiment_id)))
            variant.append(arm[written].astype(np.int64))
            when.append(ts[written])
        unit_labels = np.concatenate([self.viewers.ids, self.creators.ids])
        ts_all = np.concatenate(when) if when else np.empty(0, dtype=np.int64)
        return {
            "assignment_id": event_ids(day, "experiment_assignments", len(ts_all)),
            "experiment_id": Labels(_cat(experiment), labels(experiment_names)),
            "unit_type": Labels(_cat(unit_type), labels(["viewer", "creator"])),
            "unit_id": Labels(_cat(unit), unit_labels),
            "variant": Labels(_cat(variant), labels(["control", "treatment"])),
            "assigned_ts_ms": ts_all,
            "ingest_ts_ms": ts_all + ingest_lag_ms(rng, len(ts_all)),
        }

    def first_exposures(
        self,
        day: int,
        experiment_id: str,
        kind: str,
        active: np.ndarray,
        first_served: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Units exposed today for the first time: (unit, exposure time, treated?)."""
        logged = self.logged_units[(experiment_id, kind)]
        if kind == "viewer":
            exposed = active[~logged[active]]
            return exposed, first_served[exposed], self.viewers.arm[experiment_id][exposed]
        creators = self.creators
        exposed = np.flatnonzero(~logged & (creators.signup_day <= day))
        ts = day_start_ms(day) + self.creator_signup_offset_ms[exposed] * (
            creators.signup_day[exposed] == day
        )
        return exposed, ts, creators.arm[experiment_id][exposed]

    def written_exposures(
        self, rng: np.random.Generator, experiment_id: str, kind: str, arm: np.ndarray
    ) -> np.ndarray:
        """Which exposures reach the log: exp_rank_v2 loses some of its treatment arm."""
        written = np.ones(len(arm), dtype=bool)
        if experiment_id == "exp_rank_v2":
            lost = arm & (rng.random(len(arm)) < params.EXPERIMENTS.rank_v2_lost_treatment_log_rate)
            written = ~lost
            self.truth.record_assignments(experiment_id, kind, arm, lost)
        else:
            self.truth.record_assignments(experiment_id, kind, arm, ~written)
        return written

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


def _incident(incident_id: str) -> params.Incident:
    return next(i for i in params.INCIDENTS if i.incident_id == incident_id)


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)


def _normalised(weights: dict[str, float], keys: tuple[str, ...]) -> np.ndarray:
    values = np.array([weights[key] for key in keys], dtype=float)
    return values / values.sum()
