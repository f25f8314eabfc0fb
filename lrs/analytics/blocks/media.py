"""Video and audio blocks: the xAPI Video Profile statements (docs/xapi-runtime.md, "Video and
audio"), per media: how many learners started it, how many finished it, how far they got.

Started: any Video Profile statement by the learner on the media (the runtime's first is
``initialized``, sent at the first play; ``played``, ``paused``... only follow a play, so one
lost ``initialized`` loses nobody). Finished: a ``completed`` statement (sent when the share played
at least once reaches the profile's completion threshold). Progress: the largest ``…/progress``
(0-1) the learner's statements carried, 1 once finished.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

from lrs.analytics import stats
from lrs.analytics.blocks.base import Block, Titles
from lrs.analytics.vocab import COMPLETED, VERBS

PROFILE = "https://w3id.org/xapi/video"
VIDEO = PROFILE + "/activity-type/video"
AUDIO = PROFILE + "/activity-type/audio"
PROGRESS = PROFILE + "/extensions/progress"
KINDS = {VIDEO: "video", AUDIO: "audio"}
TERMINATED = VERBS + "terminated"


class _Media:
    """One media's aggregates in one course: its kind and page (first seen), and per learner
    [first statement, first ``completed`` (or None), best progress]."""

    __slots__ = ("kind", "learners", "page")

    def __init__(self, kind: str, page: str | None) -> None:
        self.kind = kind
        self.page = page
        self.learners: dict[str, list] = {}

    def __getstate__(self) -> tuple:
        return self.kind, self.page, self.learners

    def __setstate__(self, state: tuple) -> None:
        self.kind, self.page, self.learners = state


class Media(Block):
    section = "media"
    types = frozenset(KINDS)
    passive_verbs = frozenset([TERMINATED])

    def new(self) -> dict[str, _Media]:
        return {}

    def add(self, aggregate: dict[str, _Media], learner: str, statement: dict, when: float) -> None:
        obj = statement["object"]
        media = aggregate.get(obj["id"])
        if media is None:
            parents = ((statement.get("context") or {}).get("contextActivities") or {}).get("parent") or []
            if isinstance(parents, dict):
                parents = [parents]
            media = aggregate[obj["id"]] = _Media(KINDS.get(obj["definition"].get("type"), "video"),
                                                  parents[0].get("id") if parents else None)
        use = media.learners.get(learner)
        if use is None:
            use = media.learners[learner] = [when, None, 0.0]
        elif when < use[0]:
            use[0] = when
        if statement["verb"]["id"] == COMPLETED:
            if use[1] is None or when < use[1]:
                use[1] = when
            use[2] = 1.0
            return
        extensions = (statement.get("result") or {}).get("extensions") or {}
        progress = extensions.get(PROGRESS)
        if isinstance(progress, int | float) and not isinstance(progress, bool) and progress > use[2]:
            use[2] = min(float(progress), 1.0)

    def merge(self, aggregate: dict[str, _Media], later: dict[str, _Media]) -> None:
        for iri, theirs in later.items():
            media = aggregate.get(iri)
            if media is None:
                aggregate[iri] = theirs
                continue
            for learner, use in theirs.learners.items():
                mine = media.learners.get(learner)
                if mine is None:
                    media.learners[learner] = use
                    continue
                mine[0] = min(mine[0], use[0])
                if use[1] is not None and (mine[1] is None or use[1] < mine[1]):
                    mine[1] = use[1]
                mine[2] = max(mine[2], use[2])

    def rows(self, aggregate: dict[str, _Media], learners: Collection[str], launched: int, name: Titles,
             module_of: Callable[[str], str | None]) -> list[dict]:
        rows = []
        for iri, media in aggregate.items():
            uses = [use for key, use in media.learners.items() if key in learners]
            finished = sum(1 for use in uses if use[1] is not None)
            module = module_of(media.page) if media.page else None
            rows.append({
                "id": iri,
                "name": name(iri),
                "kind": media.kind,
                "page": media.page,
                "page_name": name(media.page) if media.page else None,
                "module": module,
                "module_name": name(module) if module else None,
                "started": len(uses),
                "finished": finished,
                "finish_rate": stats.ratio(finished, len(uses)),
                "started_share": stats.ratio(len(uses), launched),
                "progress_median": stats.median([use[2] for use in uses]),
            })
        rows.sort(key=lambda row: (row["module"] or "", row["page"] or "", row["id"]))
        return rows

    def text(self, rows: list[dict], t: Callable[[str], str]) -> list[str]:
        from lrs.analytics.render import _table, fmt

        return ["## " + t("Video and audio") + "\n", _table(
            [t("Media"), t("Page"), t("started"), t("finished"), t("finished, of those who started"),
             t("median progress")],
            [[f"{r['name']} ({t(r['kind'])})"[:60], (r["page_name"] or "–")[:40], str(r["started"]),
              str(r["finished"]), fmt(r["finish_rate"], "rate"), fmt(r["progress_median"], "share")]
             for r in rows])]

    def figures(self, row: dict) -> Iterator[tuple[str, str, object]]:
        for metric in ("kind", "started", "finished", "finish_rate", "started_share", "progress_median"):
            yield row["id"], metric, row[metric]


BLOCK = Media()
