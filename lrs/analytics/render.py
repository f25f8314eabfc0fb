"""Report formats: plain-text tables, long-format CSV, JSON. (HTML: lrs.dashboard.pages.)"""

from __future__ import annotations

import csv
import io
import json

FIGURES = ("launched", "completed", "passed", "failed", "completion_rate", "pass_rate", "score_median",
           "time_to_complete_median_s", "attempts_to_pass_median")
HEADINGS = ("launched", "completed", "passed", "failed", "completion", "pass rate", "median score",
            "median time", "median attempts")


def fmt(value: object, kind: str = "") -> str:
    """Human formatting: shares as percentages, seconds as h:mm:ss, None as an en dash."""
    if value is None:
        return "–"
    if kind.endswith("rate") or kind in ("share", "difficulty"):
        return f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]
    if kind.endswith("_s"):
        seconds = int(round(float(value)))  # type: ignore[arg-type]
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if isinstance(value, float):
        return f"{value:.2f}" if kind in ("discrimination", "upper_lower") else f"{value:.1f}"
    return str(value)


def figure_cells(row: dict) -> list[str]:
    return [fmt(row[f], f) for f in FIGURES]


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def as_table(report: dict) -> str:
    """Plain-text tables, one block per course."""
    out: list[str] = []
    if not report["courses"]:
        return "no statements matched\n"
    for course in report["courses"]:
        out.append(f"# {course['name']} ({course['id']})\n")
        rows = [["course", *figure_cells(course["summary"])]]
        rows += [[f"{report['by']}: {g['value']}", *figure_cells(g)] for g in course.get("groups", [])]
        rows += [[f"module: {m['name']}", *figure_cells(m)] for m in course["modules"]]
        out.append(_table(["", *HEADINGS], rows))
        out.append("\nScore distribution (course): " + ", ".join(
            f"{b['bin']}: {b['count']}" for b in course["summary"]["score_distribution"]))
        out.append("\n## Drop-off funnel\n")
        out.append(_table(["module", "page", "reached", "share"], [
            [p["module_name"] or "(course)", p["name"], str(p["reached"]), fmt(p["share"], "share")]
            for p in course["funnel"]]))
        out.append("\n## Item analysis (first answers, scored assessment)\n")
        out.append(_table(["question", "n", "difficulty", "point-biserial", "upper-lower", "choices", "flags"], [
            [i["name"][:50], str(i["respondents"]), fmt(i["difficulty"], "difficulty"),
             fmt(i["discrimination"], "discrimination"), fmt(i["upper_lower"], "upper_lower"),
             " ".join(f"{c['id']}:{c['count']}" for c in i["choices"]), ", ".join(i["flags"])]
            for i in course["items"]]))
        if "learners" in course:
            out.append("\n## Learners\n")
            out.append(_table(["learner", "name", "state", "municipality", "completed", "passed", "score"], [
                [r["learner"], r["name"], r["state"], r["municipality"], fmt(r["completed"]), fmt(r["passed"]),
                 fmt(r["score"])] for r in course["learners"]]))
        out.append("\n")
    return "\n".join(out)


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

    for course in report["courses"]:
        cid = course["id"]
        figures("course", cid, "", "", course["summary"])
        for g in course.get("groups", []):
            figures("group", cid, f"{report['by']}={g['value']}", "", g)
        for m in course["modules"]:
            figures("module", cid, "", m["id"], m)
        for p in course["funnel"]:
            writer.writerow(["funnel", cid, "", p["module"] or "", p["page"], "reached", p["reached"]])
            writer.writerow(["funnel", cid, "", p["module"] or "", p["page"], "share", _raw(p["share"])])
        for i in course["items"]:
            for metric in ("respondents", "correct", "difficulty", "discrimination", "upper_lower"):
                writer.writerow(["item", cid, "", i["quiz"], i["id"], metric, _raw(i[metric])])
            for c in i["choices"]:
                writer.writerow(["item", cid, "", i["quiz"], i["id"], f"choice:{c['id']}", c["count"]])
            writer.writerow(["item", cid, "", i["quiz"], i["id"], "flags", ";".join(i["flags"])])
        for r in course.get("learners", []):
            for metric in ("completed", "passed", "failed", "score", "pages"):
                writer.writerow(["learner", cid, r["learner"], "", "", metric, _raw(r[metric])])
    return buffer.getvalue()


def _raw(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1)
