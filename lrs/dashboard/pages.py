"""HTML pages of the analytics report, shared by the dashboard and ``report --format html``."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from lrs.analytics.render import HEADINGS, figure_cells, fmt
from lrs.analytics.report import GROUP_ATTRIBUTES
from lrs.dashboard import charts


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("lrs", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(charts=charts, fmt=fmt, cells=figure_cells, headings=HEADINGS,
                       attributes=GROUP_ATTRIBUTES)
    return env


def index_page(report: dict, root: str) -> str:
    """The course list with completion and pass rates."""
    return environment().get_template("dashboard/index.html").render(
        report=report, root=root, standalone=False, show_learners=False)


def course_page(report: dict, course: dict, root: str, *, standalone: bool = False) -> str:
    """One course: rates by module or cohort attribute, scores, funnel, item analysis."""
    return environment().get_template("dashboard/course.html").render(
        report=report, course=course, by=report["by"], root=root, standalone=standalone,
        show_learners="learners" in course)


def report_html(report: dict) -> str:
    """``report --format html``: every course of the report in one standalone page."""
    return environment().get_template("dashboard/report.html").render(
        report=report, by=report["by"], root="", standalone=True,
        show_learners=any("learners" in c for c in report["courses"]))
