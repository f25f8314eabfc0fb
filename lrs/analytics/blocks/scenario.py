"""Branching scenarios (docs/xapi-runtime.md, "Scenarios"): per scenario, the paths learners
took and how many walks and learners reached each ending.

A choice is an ``answered`` statement on a scene whose context carries the walk's id
(``…/extensions/scenario-run``) and names the scenario as parent; an ending is a ``completed``
statement on the scenario (type ``…/activities/simulation``) with the outcome, the ending scene
(``response``) and the path (``…/extensions/scenario-path``, scene ids joined by ``[,]``).
A walk is one run id: finished when an ending of it was stored, else abandoned (so far).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator

from lrs.analytics import stats
from lrs.analytics.blocks.base import Block, Titles
from lrs.analytics.vocab import COMPLETED

EXT = "https://spotlight-pack.org/xapi/extensions/"
RUN = EXT + "scenario-run"
OUTCOME = EXT + "scenario-outcome"
PATH = EXT + "scenario-path"
SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
#: Outcomes in the order they are shown (others, from other content, after them).
OUTCOMES = ("good", "acceptable", "harmful")
#: Paths listed per scenario before "others".
TOP_PATHS = 20


class _Walks:
    """One learner's walks through one scenario: the runs she began (by a choice) and her
    endings as (when, run, outcome, ending scene, path)."""

    __slots__ = ("endings", "runs")

    def __init__(self) -> None:
        self.runs: set[str] = set()
        self.endings: list[tuple[float, str, str, str, str]] = []

    def __getstate__(self) -> tuple:
        return self.runs, self.endings

    def __setstate__(self, state: tuple) -> None:
        self.runs, self.endings = state


class _Scenario:
    __slots__ = ("learners", "page")

    def __init__(self) -> None:
        self.page: str | None = None
        self.learners: dict[str, _Walks] = {}

    def __getstate__(self) -> tuple:
        return self.page, self.learners

    def __setstate__(self, state: tuple) -> None:
        self.page, self.learners = state


def _parent(statement: dict) -> str | None:
    parents = ((statement.get("context") or {}).get("contextActivities") or {}).get("parent") or []
    if isinstance(parents, dict):
        parents = [parents]
    return parents[0].get("id") if parents and isinstance(parents[0], dict) else None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


class Scenario(Block):
    section = "scenarios"
    types = frozenset([SIMULATION])
    context_extensions = frozenset([RUN])

    def new(self) -> dict[str, _Scenario]:
        return {}

    def add(self, aggregate: dict[str, _Scenario], learner: str, statement: dict, when: float) -> None:
        obj = statement["object"]
        context = statement.get("context") or {}
        run = _text((context.get("extensions") or {}).get(RUN))
        ending = statement["verb"]["id"] == COMPLETED and (obj.get("definition") or {}).get("type") == SIMULATION
        iri = obj["id"] if ending else (_parent(statement) or obj["id"].split("/scene/")[0])
        scenario = aggregate.get(iri)
        if scenario is None:
            scenario = aggregate[iri] = _Scenario()
        walks = scenario.learners.get(learner)
        if walks is None:
            walks = scenario.learners[learner] = _Walks()
        if run:
            walks.runs.add(run)
        if ending:
            if scenario.page is None:
                scenario.page = _parent(statement)
            result = statement.get("result") or {}
            extensions = result.get("extensions") or {}
            walks.endings.append((when, run, _text(extensions.get(OUTCOME)), _text(result.get("response")),
                                  _text(extensions.get(PATH))))

    def merge(self, aggregate: dict[str, _Scenario], later: dict[str, _Scenario]) -> None:
        for iri, theirs in later.items():
            scenario = aggregate.get(iri)
            if scenario is None:
                aggregate[iri] = theirs
                continue
            scenario.page = scenario.page or theirs.page
            for learner, walks in theirs.learners.items():
                mine = scenario.learners.get(learner)
                if mine is None:
                    scenario.learners[learner] = walks
                else:
                    mine.runs |= walks.runs
                    mine.endings += walks.endings

    def rows(self, aggregate: dict[str, _Scenario], learners: Collection[str], launched: int, name: Titles,
             module_of: Callable[[str], str | None]) -> list[dict]:
        rows = []
        for iri, scenario in aggregate.items():
            walkers = [walks for key, walks in scenario.learners.items() if key in learners]
            endings: dict[tuple[str, str], dict] = {}
            paths: Counter[tuple[str, str, str]] = Counter()
            path_learners: dict[tuple[str, str, str], set[int]] = {}
            walks = finished_runs = 0
            for number, walker in enumerate(walkers):
                ordered = sorted(walker.endings)
                ended = {run for _, run, *_ in ordered if run}
                walks += len(walker.runs | ended) + sum(1 for _, run, *_ in ordered if not run)
                finished_runs += len(ordered)
                for position, (_, _, outcome, scene, path) in enumerate(ordered):
                    row = endings.setdefault((outcome, scene), {"ending": scene, "outcome": outcome, "walks": 0,
                                                                "learners": set(), "first": 0})
                    row["walks"] += 1
                    row["learners"].add(number)
                    if position == 0:
                        row["first"] += 1
                    paths[(path, scene, outcome)] += 1
                    path_learners.setdefault((path, scene, outcome), set()).add(number)
            reached = sum(1 for walker in walkers if walker.endings)
            ending_rows = [{**row, "learners": len(row["learners"])} for row in endings.values()]
            ending_rows.sort(key=lambda r: (_rank(r["outcome"]), -r["walks"], r["ending"]))
            path_rows = [{"path": path.split("[,]") if path else [], "ending": scene, "outcome": outcome,
                          "walks": count, "learners": len(path_learners[(path, scene, outcome)])}
                         for (path, scene, outcome), count in paths.items()]
            path_rows.sort(key=lambda r: (-r["walks"], r["path"], r["ending"]))
            page = scenario.page or iri.rsplit("/", 1)[0]
            module = module_of(page)
            outcomes = Counter(min(walker.endings)[2] for walker in walkers if walker.endings)
            rows.append({
                "id": iri,
                "name": name(iri),
                "page": page,
                "module": module,
                "module_name": name(module) if module else None,
                "started": len(walkers),
                "reached_an_ending": reached,
                "reached_share": stats.ratio(reached, len(walkers)),
                "started_share": stats.ratio(len(walkers), launched),
                "walks": walks,
                "walks_finished": finished_runs,
                "walks_abandoned": max(walks - finished_runs, 0),
                "first_outcomes": {o: outcomes[o] for o in sorted(outcomes, key=_rank)},
                "endings": ending_rows,
                "paths": path_rows[:TOP_PATHS],
                "other_paths": sum(r["walks"] for r in path_rows[TOP_PATHS:]),
            })
        rows.sort(key=lambda row: (row["module"] or "", row["id"]))
        return rows

    def text(self, rows: list[dict], t: Callable[[str], str]) -> list[str]:
        from lrs.analytics.render import _table, fmt

        lines = ["## " + t("Scenarios") + "\n"]
        for row in rows:
            lines.append(f"{row['name']}: " + t("{started} learners started, {reached} reached an ending; {walks} "
                                               "walks ({abandoned} abandoned)").format(
                started=row["started"], reached=row["reached_an_ending"], walks=row["walks"],
                abandoned=row["walks_abandoned"]))
            lines.append(_table([t("Ending"), t("Outcome"), t("walks"), t("learners"), t("first walk")],
                                [[r["ending"], t(r["outcome"]), str(r["walks"]), str(r["learners"]), str(r["first"])]
                                 for r in row["endings"]]))
            lines.append(_table([t("Path"), t("Outcome"), t("walks"), t("learners")],
                                [[" → ".join(r["path"])[:70], t(r["outcome"]), str(r["walks"]), str(r["learners"])]
                                 for r in row["paths"]]))
            if row["other_paths"]:
                lines.append(t("{n} walks on other paths").format(n=row["other_paths"]))
            lines.append(t("reached an ending") + ": " + fmt(row["reached_share"], "share") + "\n")
        return lines

    def figures(self, row: dict) -> Iterator[tuple[str, str, object]]:
        iri = row["id"]
        for metric in ("started", "reached_an_ending", "reached_share", "started_share", "walks", "walks_finished",
                       "walks_abandoned"):
            yield iri, metric, row[metric]
        for ending in row["endings"]:
            for metric in ("walks", "learners", "first"):
                yield iri, f"ending:{ending['ending']}:{ending['outcome']}:{metric}", ending[metric]
        for path in row["paths"]:
            yield iri, "path:" + ">".join(path["path"]), path["walks"]
        if row["other_paths"]:
            yield iri, "path:(others)", row["other_paths"]


def _rank(outcome: str) -> tuple[int, str]:
    return (OUTCOMES.index(outcome) if outcome in OUTCOMES else len(OUTCOMES), outcome)


BLOCK = Scenario()
