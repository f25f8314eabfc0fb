"""Report formats: plain-text tables, long-format CSV, JSON. (HTML: lrs.dashboard.pages.)

Tables use the report's language (``report["lang"]``) for their words; CSV and JSON keep stable
English names for programs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import orjson

from lrs.analytics.blocks import REGISTRY as BLOCKS
from lrs.analytics.i18n import translator
from lrs.analytics.interactions import REGISTRY, interaction_for

FIGURES = ("launched", "completed", "passed", "failed", "completion_rate", "pass_rate", "score_median",
           "time_to_complete_median_s", "attempts_to_pass_median")
HEADINGS = ("launched", "completed", "passed", "failed", "completion", "pass rate", "median score",
            "median time", "median attempts")
ENROLMENT = ("enrolled", "not_started", "in_progress", "completed", "passed", "started_share", "completed_share",
             "passed_share", "launched_not_enrolled")
ENROLMENT_HEADINGS = ("enrolled", "not started", "in progress", "completed", "passed", "started",
                      "completed or passed", "passed", "launched, not enrolled")


def fmt(value: object, kind: str = "") -> str:
    """Human formatting: shares as percentages, seconds as h:mm:ss, None as an en dash."""
    if value is None:
        return "–"
    if kind.endswith("rate") or kind.endswith("share") or kind == "difficulty":
        return f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]
    if kind.endswith("_s"):
        seconds = int(round(float(value)))  # type: ignore[arg-type]
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if isinstance(value, float):
        return f"{value:.2f}" if kind in ("discrimination", "upper_lower") else f"{value:.1f}"
    return str(value)


def figure_cells(row: dict) -> list[str]:
    return [fmt(row[f], f) for f in FIGURES]


def enrolment_cells(row: dict | None) -> list[str]:
    return [fmt(row[f], f) if row else "–" for f in ENROLMENT]


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def group_label(value: str, t: Callable[[str], str]) -> str:
    """A group's value as shown: the two placeholders translated, roster values as they are."""
    return t(value) if value in ("(not in roster)", "(blank)") else value


def _module_cell(progress: dict, t: Callable[[str], str]) -> str:
    """``3/4 ✓ 2/2 2026-03-05``: pages seen, completed, self-check answered, last activity (date)."""
    cell = f"{progress['pages_seen']}/{progress['pages']}"
    if progress["completed"]:
        cell += " ✓"
    if progress["self_check_questions"]:
        cell += f" sc {progress['self_check_answered']}/{progress['self_check_questions']}"
    if progress["last_activity"]:
        cell += " " + progress["last_activity"][:10]
    return cell


def as_table(report: dict) -> str:
    """Plain-text tables, one block per course."""
    t = translator(report.get("lang", "en"))
    out: list[str] = []
    if not report["courses"]:
        return t("No statements matched.") + "\n"
    by = report["by"]
    for course in report["courses"]:
        out.append(f"# {course['name']} ({course['id']})\n")
        rows = [[t("course"), *figure_cells(course["summary"])]]
        rows += [[f"{t(by)}: {group_label(g['value'], t)}", *figure_cells(g)] for g in course.get("groups", [])]
        rows += [[f"{t('module')}: {m['name']}", *figure_cells(m)] for m in course["modules"]]
        out.append(_table(["", *map(t, HEADINGS)], rows))
        if course["enrolment"] is not None:
            out.append("\n## " + t("Enrolled learners") + "\n")
            rows = [[t("course"), *enrolment_cells(course["enrolment"])]]
            rows += [[f"{t(by)}: {group_label(g['value'], t)}", *enrolment_cells(g["enrolment"])]
                     for g in course.get("groups", [])]
            out.append(_table(["", *map(t, ENROLMENT_HEADINGS)], rows))
        out.append("\n" + t("Score distribution") + ": " + ", ".join(
            f"{b['bin']}: {b['count']}" for b in course["summary"]["score_distribution"]))
        out.append("\n## " + t("Drop-off funnel") + "\n")
        out.append(_table([t("Module"), t("Page"), t("reached"), t("Share")], [
            [p["module_name"] or t("(course)"), p["name"], str(p["reached"]), fmt(p["share"], "share")]
            for p in course["funnel"]]))
        out.append("\n## " + t("Item analysis") + "\n")
        out.append(_table([t("Question"), t("Type"), "n", t("Share correct"), t("Point-biserial"),
                           t("Upper − lower 27%"), t("Key"), t("Answers"), t("Flags")], [
            [i["name"][:50], t(i["type"]), str(i["respondents"]), fmt(i["difficulty"], "difficulty"),
             fmt(i["discrimination"], "discrimination"), fmt(i["upper_lower"], "upper_lower"),
             (i["key"] if i["key"] is not None else t("no key (survey)"))[:40],
             interaction_for({"interactionType": i["type"]}).text(i["analysis"], t)[:80],
             ", ".join(t(f) for f in i["flags"])]
            for i in course["items"]]))
        for block in BLOCKS:
            if course.get(block.section):
                out.append("")
                out += block.text(course[block.section], t)
        if "submissions" in course:
            out += _submissions_text(course["submissions"], by or "cohort", t)
        if "learners" in course:
            names = {m["id"]: m["name"] for m in course["modules"]}
            out.append("\n## " + t("Learners and module progress") + "\n")
            out.append(_table([t("Learner"), t("Name"), t("state"), t("municipality"), t("Status"), t("Score"),
                               t("Last activity"), *(names[p["id"]] for p in course["learners"][0]["modules"])]
                              if course["learners"] else [t("Learner")], [
                [r["learner"], r["name"], r["state"], r["municipality"], t(r["status"]), fmt(r["score"]),
                 (r["last_activity"] or "–")[:16], *(_module_cell(p, t) for p in r["modules"])]
                for r in course["learners"]]))
            waiting = [r for r in course["learners"] if r["status"] == "not started"]
            out.append(f"\n{t('not started')}: {len(waiting)}")
            out += [f"  {r['learner']}  {r['institution']}  {r['municipality']}" for r in waiting]
        out.append("\n")
    return "\n".join(out)


def _submissions_text(rows: list[dict], by: str, t: Callable[[str], str]) -> list[str]:
    """Open answers for tutors, one block per group: learner, question, when, rubric, answer."""
    out = ["\n## " + t("Open answers for tutors") + "\n"]
    if not rows:
        return [*out, t("No open answers yet.")]
    group = None
    rubrics_shown: set[str] = set()
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            out.append(f"\n### {t(by)}: {group_label(group, t)}")
        out.append(f"\n{row['learner']}  {row['name']}  {row['institution']}  —  {row['question_name']}  "
                   f"({row['submitted']}" + (f", {t('sent {n} times').format(n=row['times'])}"
                                             if row["times"] > 1 else "") + ")")
        if row["rubric"] and row["question"] not in rubrics_shown:
            rubrics_shown.add(row["question"])
            out.append("  " + t("Rubric") + ": " + row["rubric"].replace("\n", "\n    "))
        out.append("  > " + (row["answer"] or t("(empty)")).replace("\n", "\n  > "))
    return out


CSV_HEADER = ("section", "course", "group", "module", "item", "metric", "value")


def as_csv(report: dict) -> str:
    """Long format (one figure per row) so pandas/DuckDB can pivot it any way."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)

    def figures(section: str, course: str, group: str, module: str, row: dict) -> None:
        for metric in FIGURES:
            writer.writerow([section, course, group, module, "", metric, _raw(row[metric])])
        for b in row["score_distribution"]:
            writer.writerow([section, course, group, module, b["bin"], "score_count", b["count"]])
        for attempts, n in row["attempts_to_pass_distribution"].items():
            writer.writerow([section, course, group, module, attempts, "attempts_to_pass_count", n])

    def enrolment(course: str, group: str, row: dict | None) -> None:
        for metric in ENROLMENT if row else ():
            writer.writerow(["enrolment", course, group, "", "", metric, _raw(row[metric])])  # type: ignore[index]

    for course in report["courses"]:
        cid = course["id"]
        figures("course", cid, "", "", course["summary"])
        enrolment(cid, "", course["enrolment"])
        for g in course.get("groups", []):
            figures("group", cid, f"{report['by']}={g['value']}", "", g)
            enrolment(cid, f"{report['by']}={g['value']}", g["enrolment"])
        for m in course["modules"]:
            figures("module", cid, "", m["id"], m)
        for p in course["funnel"]:
            writer.writerow(["funnel", cid, "", p["module"] or "", p["page"], "reached", p["reached"]])
            writer.writerow(["funnel", cid, "", p["module"] or "", p["page"], "share", _raw(p["share"])])
        for i in course["items"]:
            for metric in ("respondents", "scored", "correct", "difficulty", "discrimination", "upper_lower"):
                writer.writerow(["item", cid, "", i["quiz"], i["id"], metric, _raw(i[metric])])
            writer.writerow(["item", cid, "", i["quiz"], i["id"], "type", i["type"]])
            for metric, value in REGISTRY.get(i["type"], interaction_for({})).figures(i["analysis"]):
                writer.writerow(["item", cid, "", i["quiz"], i["id"], metric, _raw(value)])
            writer.writerow(["item", cid, "", i["quiz"], i["id"], "flags", ";".join(i["flags"])])
        for block in BLOCKS:
            for row in course.get(block.section, []):
                for item, metric, value in block.figures(row):
                    writer.writerow([block.section, cid, "", row["module"] or "", item, metric, _raw(value)])
        for r in course.get("submissions", []):
            for metric in ("group", "answer", "submitted", "times", "rubric"):
                writer.writerow(["submission", cid, r["learner"], r["quiz"] or "", r["question"], metric,
                                 _raw(r[metric])])
        for r in course.get("learners", []):
            for metric in ("status", "completed", "passed", "failed", "score", "pages", "last_activity"):
                writer.writerow(["learner", cid, r["learner"], "", "", metric, _raw(r[metric])])
            for p in r["modules"]:
                for metric in ("pages_seen", "pages", "self_check_answered", "self_check_questions",
                               "self_check_done", "completed", "last_activity"):
                    writer.writerow(["learner_module", cid, r["learner"], p["id"], "", metric, _raw(p[metric])])
    return buffer.getvalue()


def _raw(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_json(report: dict) -> bytes:
    """UTF-8 JSON, indented, ending in a newline. orjson: a report with every learner's module
    progress is tens of megabytes, which the standard library's indenting encoder (pure Python)
    builds slowly and in many pieces."""
    return orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


