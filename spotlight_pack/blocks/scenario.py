"""Branching scenarios: a graph of scenes, shown as one page of its module.

A scenario is a folder among the module's pages, numbered like them (``NN-<scenario-id>/``), with::

    scenario.yaml          title per language, the start scene, every scene's choices or outcome
    <scene-id>.<lang>.md   what the scene says (Markdown: images, ::: video … work as on pages)

Each scene has either ``choices`` (each with an ``id``, a ``text`` per language and the scene it
leads ``to``) or an ``outcome`` (``good``, ``acceptable`` or ``harmful``): then it is an ending and its
Markdown is the debrief. ``check`` proves the graph with file:line: the start exists, every choice
leads to a scene (no dead choice), every scene can be reached from the start, an ending can be
reached from every scene (no path that never ends), every scene has its text in every language, and
nothing is left over. ``counts_toward_completion: true`` makes the scenario's page count as seen only
once the learner has reached an ending.

The player (runtime/blocks/scenario.js) shows one scene at a time, records the path, lets the learner
start again, and tracks each choice and the ending (docs/xapi-runtime.md, "Scenarios").
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Block, Page, Text
from .base import Directive, PageContext, _environment, markup
from .strings import block_strings

SCENE_FILE = re.compile(r"^([a-z][a-z0-9-]*)\.([a-z]{2,3})\.md$")
ID = re.compile(r"^[a-z][a-z0-9-]*$")
OUTCOMES = ("good", "acceptable", "harmful")
MAX_SCENES = 200
MAX_CHOICES = 9


@dataclass(frozen=True)
class Choice:
    id: str
    text: Text
    to: str


@dataclass(frozen=True)
class Scene:
    id: str
    html: Text
    choices: tuple[Choice, ...]
    outcome: str | None


@dataclass(frozen=True)
class Scenario(Block):
    iri: str
    title: Text
    start: str
    scenes: tuple[Scene, ...]
    required: bool


class ScenarioKind:
    """Scenarios are folders, not ``:::`` directives; the kind is registered for its player module."""

    name = "scenario"
    scripts = ("blocks/scenario.js",)
    styles = ("blocks/scenario.css",)
    parents = frozenset({"(a module folder)"})
    stateful = True

    def read(self, ctx: PageContext, directive: Directive) -> Block | None:
        ctx.problem(directive.line, "a scenario is a folder NN-scenario-id/ with scenario.yaml, not a ::: block")
        return None

    def render(self, ctx: PageContext, block: Block, directive: Directive) -> str:
        return ""


SCENARIO = ScenarioKind()


def load_scenario(loader: Any, renderer: Any, module_id: str, scenario_id: str, folder: Path) -> Page | None:
    """The page of a scenario folder, or None with every problem reported (loader: sources._CourseLoader)."""
    problems = loader.problems
    languages: tuple[str, ...] = loader.languages
    path = folder / "scenario.yaml"
    doc = problems.read_yaml(path)
    if doc is None:
        return None
    title = problems.text(doc, languages, "title")
    known = {"title", "start", "scenes", "counts_toward_completion"}
    for key in sorted(set(doc.data) - known, key=str):
        problems.add(path, doc.line(key), f"unknown key '{key}' (a scenario has: {', '.join(sorted(known))})")
    required = doc.data.get("counts_toward_completion", False)
    if not isinstance(required, bool):
        problems.add(path, doc.line("counts_toward_completion"), "counts_toward_completion must be true or false")
        required = False
    raw_scenes = doc.data.get("scenes")
    if not isinstance(raw_scenes, dict) or not raw_scenes:
        problems.add(path, doc.line("scenes"), "scenes must map scene ids to their choices or outcome")
        return None
    if len(raw_scenes) > MAX_SCENES:
        problems.add(path, doc.line("scenes"), f"more than {MAX_SCENES} scenes: split the scenario")
        return None
    start = doc.data.get("start")
    if not isinstance(start, str) or start not in raw_scenes:
        problems.add(path, doc.line("start"), f"start must name one of the scenes (got {start!r})")
    graph: dict[str, list[str]] = {}
    specs: dict[str, tuple[list[tuple[str, Text | None, str]], str | None]] = {}
    for scene_id, raw in raw_scenes.items():
        where = ("scenes", scene_id)
        if not isinstance(scene_id, str) or not ID.match(scene_id):
            problems.add(path, doc.line(*where), f"scene id {scene_id!r} must be lowercase letters, digits and hyphens")
            continue
        if not isinstance(raw, dict):
            problems.add(path, doc.line(*where), f"scene '{scene_id}' needs choices: … or outcome: …")
            continue
        for key in sorted(set(raw) - {"choices", "outcome"}, key=str):
            problems.add(path, doc.line(*where, key), f"unknown key '{key}' in scene '{scene_id}' (choices, outcome)")
        outcome = raw.get("outcome")
        choices = raw.get("choices")
        if (outcome is None) == (choices is None):
            problems.add(
                path, doc.line(*where), f"scene '{scene_id}' needs either choices (it goes on) or an outcome (it ends)"
            )
            continue
        if outcome is not None and outcome not in OUTCOMES:
            problems.add(path, doc.line(*where, "outcome"), f"outcome must be one of {', '.join(OUTCOMES)}")
            continue
        read: list[tuple[str, Text | None, str]] = []
        if choices is not None:
            if not isinstance(choices, list) or not 1 <= len(choices) <= MAX_CHOICES:
                problems.add(path, doc.line(*where, "choices"), f"scene '{scene_id}' needs 1 to {MAX_CHOICES} choices")
                continue
            seen: set[str] = set()
            for index, choice in enumerate(choices):
                at = (*where, "choices", index)
                if not isinstance(choice, dict):
                    problems.add(path, doc.line(*at), "each choice has id, text and to")
                    continue
                for key in sorted(set(choice) - {"id", "text", "to"}, key=str):
                    problems.add(path, doc.line(*at, key), f"unknown key '{key}' in a choice (id, text, to)")
                choice_id = choice.get("id")
                if not isinstance(choice_id, str) or not ID.match(choice_id):
                    problems.add(
                        path, doc.line(*at, "id"), f"choice id {choice_id!r} must be lowercase letters, digits, hyphens"
                    )
                    continue
                if choice_id in seen:
                    problems.add(
                        path, doc.line(*at, "id"), f"choice id '{choice_id}' is used twice in scene '{scene_id}'"
                    )
                seen.add(choice_id)
                target = choice.get("to")
                if not isinstance(target, str) or target not in raw_scenes:
                    problems.add(
                        path,
                        doc.line(*at, "to"),
                        f"choice '{choice_id}' of scene '{scene_id}' leads nowhere: "
                        f"no scene {target!r} (a dead choice)",
                    )
                    target = ""
                text = problems.text(doc, languages, *at, "text")
                read.append((choice_id, text, target))
        graph[scene_id] = [target for _, _, target in read if target]
        specs[scene_id] = (read, outcome)
    endings = {scene_id for scene_id, (_, outcome) in specs.items() if outcome}
    if specs and not endings:
        problems.add(path, doc.line("scenes"), "no scene has an outcome: a scenario needs at least one ending")
    if isinstance(start, str) and start in specs and len(specs) == len(raw_scenes):
        reachable = _reach(start, graph)
        for scene_id in specs:
            if scene_id not in reachable:
                problems.add(path, doc.line("scenes", scene_id), f"scene '{scene_id}' cannot be reached from '{start}'")
        if endings:
            reverse: dict[str, list[str]] = {scene_id: [] for scene_id in graph}
            for source, targets in graph.items():
                for target in targets:
                    reverse.setdefault(target, []).append(source)
            ending_reach: set[str] = set()
            for ending in endings:
                ending_reach |= _reach(ending, reverse)
            for scene_id in reachable - ending_reach:
                problems.add(
                    path,
                    doc.line("scenes", scene_id),
                    f"from scene '{scene_id}' no ending can be reached: a learner would go round for ever",
                )
    inner: dict[str, list[Block]] = {lang: [] for lang in languages}
    texts = _scene_texts(loader, renderer, module_id, scenario_id, folder, set(raw_scenes), languages, inner)
    first = [(block.kind, block.id) for block in inner[languages[0]]]
    for lang in languages[1:]:
        if [(block.kind, block.id) for block in inner[lang]] != first:
            problems.add(
                path,
                None,
                f"the scenes have other blocks in '{lang}' than in '{languages[0]}': "
                "every language needs the same blocks in the same scenes",
            )
            return None
    if title is None or texts is None or len(specs) != len(raw_scenes):
        return None
    scenes = []
    for scene_id, (read, outcome) in specs.items():
        if any(text is None for _, text, _ in read) or scene_id not in texts:
            return None
        choices = tuple(Choice(choice_id, text, target) for choice_id, text, target in read if text is not None)
        scenes.append(Scene(scene_id, Text.of(texts[scene_id]), choices, outcome))
    iri = f"{loader.course_iri}/{module_id}/{scenario_id}/scenario"  # its page is …/{scenario_id}
    scenario = Scenario(
        kind="scenario",
        id=scenario_id,
        iri=iri,
        title=title,
        start=str(start),
        scenes=tuple(scenes),
        required=required,
    )
    from ..sources import page_anchor  # the loader imports this module

    anchor = page_anchor(module_id, scenario_id)
    html = {lang: render_scenario(scenario, lang, anchor) for lang in languages}
    return Page(
        id=scenario_id,
        title=title,
        html=Text.of(html),
        blocks=tuple((lang, (*inner[lang], scenario)) for lang in sorted(languages)),
    )


def _reach(start: str, graph: dict[str, list[str]]) -> set[str]:
    found = {start}
    queue = deque([start])
    while queue:
        for target in graph.get(queue.popleft(), []):
            if target not in found:
                found.add(target)
                queue.append(target)
    return found


def _scene_texts(
    loader: Any,
    renderer: Any,
    module_id: str,
    scenario_id: str,
    folder: Path,
    scene_ids: set[str],
    languages: tuple[str, ...],
    inner: dict[str, list[Block]],
) -> dict[str, dict[str, str]] | None:
    """scene id → language → HTML; every scene in every language, nothing else in the folder. The
    blocks in the scenes (a video, say) are added to ``inner`` per language, in scene order."""
    problems = loader.problems
    texts: dict[str, dict[str, str]] = {}
    ok = True
    for entry in problems.files.list_dir(folder):
        if entry.name == "scenario.yaml" or entry.name.startswith("."):
            continue
        match = SCENE_FILE.match(entry.name)
        if not match or not entry.is_file():
            problems.add(entry, None, "a scenario folder holds scenario.yaml and SCENE-ID.LANG.md files")
            continue
        scene_id, lang = match.groups()
        if scene_id not in scene_ids:
            problems.add(entry, None, f"no scene '{scene_id}' in scenario.yaml: remove the file or add the scene")
            continue
        if lang not in languages:
            problems.add(entry, None, f"'{lang}' is not a course language ({', '.join(languages)})")
            continue
        try:
            source = problems.files.read_markdown(entry)
        except Exception as error:  # SourceFileError, reported as the loader does
            problems.add(entry, getattr(error, "line", None), getattr(error, "message", str(error)))
            ok = False
            continue
        if not source.strip():
            problems.add(entry, 1, "the scene has no text")
            ok = False
            continue
        rendered = renderer.render_body(
            entry, source, 0, "", module_id, scenario_id, lang, anchor=f"page-{module_id}--{scenario_id}--{scene_id}"
        )
        if rendered is None:
            ok = False
            continue
        texts.setdefault(scene_id, {})[lang] = rendered.html
        inner[lang] += rendered.blocks
    for scene_id in sorted(scene_ids):
        for lang in languages:
            if lang not in texts.get(scene_id, {}):
                if not (folder / f"{scene_id}.{lang}.md").exists():
                    problems.add(
                        folder / "scenario.yaml",
                        None,
                        f"scene '{scene_id}' has no text in '{lang}': add {scene_id}.{lang}.md",
                    )
                ok = False
    return texts if ok else None


def render_scenario(scenario: Scenario, lang: str, anchor: str) -> str:
    return (
        _environment()
        .get_template("scenario.html.j2")
        .render(
            scenario=scenario,
            lang=lang,
            anchor=anchor,
            s=block_strings(lang),
            markup=markup,
        )
    )
