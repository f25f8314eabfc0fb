"""HTML pages of the analytics report, shared by the dashboard and ``report --format html``."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from lrs.analytics import stats
from lrs.analytics.blocks import REGISTRY as BLOCKS
from lrs.analytics.figures import STATUSES
from lrs.analytics.i18n import LANGUAGE_NAMES, LANGUAGES, translator
from lrs.analytics.interactions.numeric import describe as describe_numbers
from lrs.analytics.render import ENROLMENT_HEADINGS, HEADINGS, enrolment_cells, figure_cells, fmt, group_label
from lrs.analytics.report import GROUP_ATTRIBUTES
from lrs.dashboard import charts

#: Rows the learner list shows at most (filters narrow it down).
MAX_LEARNERS = 1000


@dataclass
class Page:
    """The request as the templates see it: language, where the dashboard is mounted, filters."""

    lang: str = "en"
    chosen: bool = False
    root: str = ""
    path: str = ""
    args: Mapping[str, str] = field(default_factory=dict)
    selected: dict[str, str] = field(default_factory=dict)
    window: object = None
    standalone: bool = False

    def href(self, path: str, **changes: str | None) -> str:
        """A dashboard link keeping the filters, with ``changes`` (None removes a parameter)."""
        query = {**self.selected, **changes}
        query = {k: v for k, v in query.items() if v}
        return f"{self.root}{path}" + (f"?{urlencode(query)}" if query else "")

    def switch(self, lang: str) -> str:
        """This page in another language (the server then keeps the choice in a cookie)."""
        query = {k: v for k, v in self.args.items() if k != "lang"}
        query["lang"] = lang
        return f"{self.root}{self.path}?{urlencode(query)}"

    def hidden(self, *keep: str) -> list[tuple[str, str]]:
        """Hidden form fields carrying the filters (and ``keep`` request parameters)."""
        carried = dict(self.selected)
        carried.update({k: self.args[k] for k in keep if self.args.get(k)})
        return sorted(carried.items())


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("lrs", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(charts=charts, fmt=fmt, cells=figure_cells, enrolment_cells=enrolment_cells,
                       headings=HEADINGS, enrolment_headings=ENROLMENT_HEADINGS, attributes=GROUP_ATTRIBUTES,
                       statuses=STATUSES, languages=LANGUAGES, language_names=LANGUAGE_NAMES,
                       numeric_text=describe_numbers, blocks=BLOCKS, rubrics_of=rubrics_of)
    env.filters.update(
        each=lambda values, function: [function(v) for v in values],
        group=group_label,
        status_counts=lambda enrolment: [enrolment[s.replace(" ", "_")] for s in STATUSES],
        bin_start=lambda label: label.split("–")[0],
        of=stats.ratio,
    )
    return env


def _render(template: str, page: Page, report: dict, **values: object) -> str:
    counter = itertools.count(1)
    return environment().get_template(template).render(
        page=page, report=report, t=translator(page.lang), lang=page.lang, root=page.root,
        standalone=page.standalone, uid=lambda prefix: f"{prefix}-{next(counter)}", **values)


def index_page(report: dict, page: Page, roster_values: Mapping[str, list[str]]) -> str:
    """The course list: enrolment over the roster, completion and pass rates."""
    return _render("dashboard/index.html", page, report, roster_values=roster_values, show_learners=False)


def course_page(report: dict, course: dict, page: Page, roster_values: Mapping[str, list[str]]) -> str:
    """One course: enrolment and rates by module or roster attribute, scores, funnel, items."""
    return _render("dashboard/course.html", page, report, course=course, by=report["by"],
                   roster_values=roster_values, show_learners=False)


def learners_page(report: dict, course: dict, page: Page, roster_values: Mapping[str, list[str]]) -> str:
    """One course's learners with module progress, filtered by status, unfinished module, text."""
    status = page.args.get("status", "")
    module = page.args.get("module", "")
    text = page.args.get("q", "").strip().casefold()
    rows = []
    for row in course["learners"]:
        if status and row["status"] != status:
            continue
        if module and any(p["id"] == module and p["completed"] for p in row["modules"]):
            continue
        if text and text not in row["learner"].casefold() and text not in row["name"].casefold():
            continue
        rows.append(row)
    return _render("dashboard/learners.html", page, report, course=course, rows=rows[:MAX_LEARNERS],
                   total=len(rows), roster_values=roster_values, show_learners=True)


def rubrics_of(rows: list[dict]) -> list[tuple[str, str, str]]:
    """(question, its name, its rubric) of the questions of these open answers that have one."""
    return sorted({(r["question"], r["question_name"], r["rubric"]) for r in rows if r["rubric"]}, key=lambda q: q[1])


def submissions_page(report: dict, course: dict, page: Page, roster_values: Mapping[str, list[str]]) -> str:
    """Open answers of one course for tutors, grouped by a roster attribute (the roster filters
    narrow the groups), optionally one question only; each question's rubric shown once."""
    chosen = page.args.get("question", "")
    everything = course["submissions"]
    questions = sorted({(r["question"], r["question_name"]) for r in everything}, key=lambda q: q[1])
    rows = [r for r in everything if not chosen or r["question"] == chosen]
    return _render("dashboard/submissions.html", page, report, course=course, rows=rows[:MAX_LEARNERS],
                   total=len(rows), questions=questions, rubrics=rubrics_of(rows), by=report["by"] or "cohort",
                   roster_values=roster_values, show_learners=True)


def report_html(report: dict) -> str:
    """``report --format html``: every course of the report in one standalone page."""
    page = Page(lang=report.get("lang", "en"), standalone=True)
    return _render("dashboard/report.html", page, report, by=report["by"], roster_values={},
                   show_learners=any("learners" in c for c in report["courses"]))
