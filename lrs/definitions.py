"""What storing statements teaches the LRS besides the statements: canonical Activity
definitions (the Activities resource, and the catalogue of courses analytics reads) and
Agent names.

Used by the statements API after every insert, and by anything else that loads statements
into a store (test and benchmark loaders), so all of them leave the store in the same state.
"""

from __future__ import annotations

from collections.abc import Sequence

from lrs.stores import Store
from lrs.xapi import statements as rules


def remember_definitions(db: Store, statements: Sequence[dict]) -> None:
    """Update canonical Activity definitions and known Agents from newly stored statements."""
    mentioned = [a for s in statements for a in rules.iter_activities(s)]
    known = db.get_activities([a["id"] for a in mentioned])
    activities: dict[str, dict] = {}
    for activity in mentioned:
        aid = activity["id"]
        current = activities.get(aid) or known.get(aid)
        if "definition" in activity or current is None:
            activities[aid] = rules.merge_activity(current, activity)
    agents: dict[str, dict] = {}
    for statement in statements:
        for agent in rules.iter_agents(statement):
            key = rules.agent_key(agent)
            if key and "name" in agent:
                agents[key] = agent
    known_agents = db.get_agents(list(agents)) if agents else {}
    # Write only what changed: most statements repeat known activities and agents.
    changed_activities = {k: v for k, v in activities.items() if v != known.get(k)}
    changed_agents = {k: v for k, v in agents.items() if v != known_agents.get(k)}
    if changed_activities:
        db.save_activities(changed_activities)
    if changed_agents:
        db.save_agents(changed_agents)
