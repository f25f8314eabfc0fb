"""The store interface: what every LRS store (sqlite, postgres, tinydb) must provide.

CHANGES (interface history; newest first):
- v1.6 (issue 17, several servers on one database): :class:`StoreUnavailable`, the one error a
  store raises when its database cannot serve the request now (every pooled connection busy
  for the pool timeout, the database restarting or unreachable); it carries ``retry_after``
  seconds and the HTTP layer answers 503 with ``Retry-After``. Stores without a database
  server never raise it.
- v1.5 (issue 10, the right to erase and retention): ``erase(selection, dry_run, record)`` removes,
  in one transaction, the statements that name given agents (as actor, object, instructor, team,
  group member, context agent, authority, in a sub-statement) together with every statement
  whose StatementRef chain reaches one of them (voiding ones included), and/or the statements
  stored before a time; also the attachments no remaining statement declares, the agents'
  State and Agent Profile documents (or those last written before the time), their rows in the
  agents table, and their entries in keyed documents (the roster); it writes an
  :class:`ErasureRecord` without any identity. ``agent_keys_of_account(name)`` finds the
  account keys of a name under any homePage. DocumentKind gains the private kinds "server"
  (server secrets, e.g. the key that signs ``more`` links) and "erasure" (erasure records).
  ``repeated_ids`` (one pass) replaces the quadratic duplicate check each store had.
- v1.4 (analytics speed): ``_stream_page`` returns the stored JSON texts and ``iter_statements``
  decodes them one at a time (a decoded batch of thousands of dicts cost three times the decoding
  itself in allocation); ``StreamFilter`` gains ``after_position``/``through_position`` and the
  store ``last_position()``, so a long read can be split into ranges read in parallel; and
  ``activity_ids_of_type(type)`` lists canonical activities of a definition type (analytics
  reads the courses from it).
- v1.3: ``DocumentScope.key(doc_id)`` and ``parse_cursor`` moved here from the three stores, which
  had each written them again; nothing changes for callers.
- v1.2: added ``get_activities(ids)`` and ``get_agents(keys)``, bulk reads used once per statement
  batch. The base class implements both with the single-item methods, so existing stores keep
  working; override them with one query each for speed.
- v1.1: DocumentKind gains "roster", a private kind for analytics' learner roster (no store code).
- v1: first version.

Stores are deliberately dumb: they know nothing of xAPI validation. The xAPI rules layer
(``lrs.xapi``) validates and normalises a statement and computes its index keys (agent keys,
activity ids, ...) into a :class:`StatementRecord`; a store persists records, answers
filtered queries over those keys, and keeps documents, activities, agents and credentials.

Conventions every store follows:

- Timestamps handed to and returned by a store are UTC strings in one fixed-width format,
  ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (see :func:`utc_now`), so they compare correctly as text.
- Agent keys are strings made by the rules layer from an inverse functional identifier,
  e.g. ``mbox:mailto:a@b.c`` or ``account:https://home|name``; stores only compare them.
- Statements are plain JSON-compatible dicts; a store returns them exactly as stored.
- Stores import no Flask and raise only the exceptions defined here (plus ``ValueError`` for a
  malformed cursor) for expected conditions.
"""

from __future__ import annotations

import abc
import datetime as _dt
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

DocumentKind = Literal["state", "activity_profile", "agent_profile", "roster", "server", "erasure"]
#: Document kinds that belong to one agent (``DocumentScope.agent``): erased with it.
AGENT_DOCUMENT_KINDS = ("state", "agent_profile")
#: Where erasure records are kept (one document each, id = ErasureRecord.id).
ERASURE_SCOPE_KIND = "erasure"


def utc_now() -> str:
    """The current time in the store timestamp format."""
    return format_timestamp(_dt.datetime.now(_dt.UTC))


def format_timestamp(moment: _dt.datetime) -> str:
    """Render an aware datetime in the fixed-width UTC store format."""
    return moment.astimezone(_dt.UTC).strftime(TIMESTAMP_FORMAT)


#: A run of 19 digits is possibly an integer orjson cannot hold (it turns those past 64 bits into
#: floats, silently losing digits), so such texts are decoded by the standard library. Found by
#: mapping every digit to "9" with bytes.translate and looking for 19 nines in a row: a C loop
#: about ten times faster than a regular expression over the text.
_DIGITS_AS_NINES = bytes.maketrans(b"0123456789", b"9" * 10)
_LONG_DIGITS = b"9" * 19
#: Leading white space (insignificant in JSON, and kept verbatim by SQLite text and PostgreSQL
#: ``json``) marks a stored body written by orjson, which refuses integers past 64 bits: every
#: number in it decodes exactly with orjson, so the search for long digit runs (a fifth of the
#: decoding time of a report) is skipped. Bodies without it, written by the standard library for
#: such integers or by versions before the mark, are searched as before.
EXACT_MARK = " "
_EXACT_MARK = EXACT_MARK.encode()


def load_statement(text: str | bytes) -> dict:
    """Decode stored statement JSON: orjson (the hot path of every query and analytics stream,
    about twice as fast), or the standard library for integers beyond 64 bits (which xAPI
    extensions may hold, and which orjson would turn into floats) and anything orjson refuses."""
    try:
        data = text.encode() if isinstance(text, str) else text
    except UnicodeEncodeError:
        return json.loads(text)
    if not data.startswith(_EXACT_MARK) and _LONG_DIGITS in data.translate(_DIGITS_AS_NINES):
        return json.loads(text)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(text)


def dump_statement(statement: dict) -> str:
    """Compact JSON text of a statement to store: orjson, marked as such (:data:`EXACT_MARK`),
    or the standard library for integers beyond 64 bits (which xAPI extensions may hold; orjson
    refuses them)."""
    try:
        return EXACT_MARK + orjson.dumps(statement).decode()
    except TypeError:
        return json.dumps(statement, separators=(",", ":"))


def repeated_ids(ids: Sequence[str]) -> list[str]:
    """The ids that appear more than once in ``ids``, sorted (one pass: batches are large)."""
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def parse_cursor(cursor: str) -> int:
    """A paging cursor as every store writes it (an insertion sequence number)."""
    try:
        return int(cursor)
    except ValueError:
        raise ValueError(f"invalid cursor {cursor!r}") from None


class StoreError(Exception):
    """Base class of the expected errors a store raises."""


class StatementConflict(StoreError):
    """Raised by :meth:`Store.insert_statements` when an id is already stored; nothing is written."""

    def __init__(self, ids: Sequence[str]) -> None:
        super().__init__(f"statement ids already stored: {', '.join(ids)}")
        self.ids = list(ids)


class StoreUnavailable(StoreError):
    """The store cannot serve this request now, but may in ``retry_after`` seconds: no database
    connection became free within the pool timeout, or the database is restarting or
    unreachable. Nothing was written (or, for a write whose connection broke while it
    committed, the client cannot know: xAPI clients resend with the same statement ids, which
    the LRS accepts again when the content is the same)."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PreconditionFailed(StoreError):
    """Raised by document writes whose ``expected_etag`` does not match the stored document."""


class _Any:
    """Sentinel type: 'whatever the current etag is' (no concurrency check)."""

    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()
"""Pass as ``expected_etag`` to skip the compare-and-swap check."""


@dataclass(frozen=True)
class StatementRecord:
    """One statement ready to store, with the index keys the rules layer computed.

    ``statement`` is complete except for ``stored``, which the store sets (see
    :meth:`Store.insert_statements`).
    """

    id: str
    statement: dict
    verb_id: str
    #: Agent keys the plain ``agent`` filter matches: actor and object (and group members).
    agent_keys: frozenset[str] = frozenset()
    #: Agent keys ``related_agents=true`` matches: a superset of ``agent_keys`` (authority,
    #: instructor, team, sub-statement agents).
    related_agent_keys: frozenset[str] = frozenset()
    #: Activity ids the plain ``activity`` filter matches: the object, when it is an activity.
    activity_ids: frozenset[str] = frozenset()
    #: Activity ids ``related_activities=true`` matches: superset (context activities, sub-statement).
    related_activity_ids: frozenset[str] = frozenset()
    registration: str | None = None
    #: Agent keys of the authority, for ``statements/read/mine`` credentials.
    authority_keys: frozenset[str] = frozenset()
    #: Id of the statement this one targets through an object StatementRef (voiding included).
    statement_ref: str | None = None
    #: Id of the statement this one voids, when it is a voiding statement (also in ``statement_ref``).
    voids: str | None = None
    #: sha2 hashes of the attachments the statement declares (contents passed separately).
    attachment_hashes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StoredStatement:
    """A statement as stored: the JSON (with ``stored``) and whether it has been voided."""

    statement: dict
    voided: bool
    stored: str


@dataclass(frozen=True)
class StatementQuery:
    """Filters of a statement query, already parsed and normalised by the rules layer.

    Matching rules a store implements:

    - Content filters (``agent``, ``verb``, ``activity``, ``registration``) match a statement
      when it matches them itself, OR when its ``statement_ref`` target (followed transitively,
      voided targets included) matches them all. This is the xAPI "statements that target a
      matching statement" rule.
    - ``agent`` is compared with ``agent_keys`` (``related_agent_keys`` when ``related_agents``);
      ``activity`` with ``activity_ids`` (``related_activity_ids`` when ``related_activities``).
    - ``since`` is exclusive (stored > since), ``until`` inclusive (stored <= until); they, the
      ``authority`` filter (``authority_keys`` contains it) and the voided exclusion apply to the
      returned statement itself. Voided statements are never returned by queries.
    - Order is stored order: ``(stored, insertion sequence)``, descending unless ``ascending``.
    """

    agent: str | None = None
    related_agents: bool = False
    verb: str | None = None
    activity: str | None = None
    related_activities: bool = False
    registration: str | None = None
    since: str | None = None
    until: str | None = None
    ascending: bool = False
    #: Page size; always >= 1 (the rules layer replaces 0 by the server maximum).
    limit: int = 100
    #: Restrict to statements whose ``authority_keys`` contain this key (read/mine scope).
    authority: str | None = None


@dataclass(frozen=True)
class StatementPage:
    """One page of query results; ``cursor`` is None on the last page."""

    statements: list[dict]
    cursor: str | None


@dataclass(frozen=True)
class DocumentScope:
    """Where a document lives. Unused fields stay empty.

    - state: ``activity_id``, ``agent`` (agent key), ``registration``;
    - activity_profile: ``activity_id``;
    - agent_profile: ``agent`` (agent key).

    ``registration`` None means "no registration" for single-document operations, and "any
    registration" for :meth:`Store.list_document_ids` and :meth:`Store.delete_documents`.
    """

    kind: DocumentKind
    activity_id: str = ""
    agent: str = ""
    registration: str | None = None

    def key(self, doc_id: str) -> tuple[str, str, str, str, str]:
        """The five columns that identify one document in every store (no registration: "")."""
        return (self.kind, self.activity_id, self.agent, self.registration or "", doc_id)


@dataclass(frozen=True)
class Document:
    """A stored document. ``etag`` is computed by the caller (sha1 hex of the content)."""

    content: bytes
    content_type: str
    etag: str
    updated: str


@dataclass(frozen=True)
class ErasureSelection:
    """What :meth:`Store.erase` removes. Either or both of:

    - ``agent_keys``: every statement naming one of these agents (its related agent keys), with
      every statement whose StatementRef chain reaches one of those; their State and Agent
      Profile documents; their rows in the agents table; their entries in ``keyed_documents``
      (JSON objects keyed by agent key, e.g. the roster: ``(scope, doc_id)`` pairs);
    - ``stored_before`` (store timestamp): statements stored strictly before it; State and Agent
      Profile documents last updated before it; agents no remaining statement names.

    In both cases attachments that no remaining statement declares are removed too.
    """

    agent_keys: frozenset[str] = frozenset()
    stored_before: str | None = None
    keyed_documents: tuple[tuple[DocumentScope, str], ...] = ()


@dataclass(frozen=True)
class ErasureCounts:
    """How many of each thing an erasure removed (or, for a dry run, would remove)."""

    statements: int = 0
    documents: int = 0
    agents: int = 0
    attachments: int = 0
    keyed_entries: int = 0


@dataclass(frozen=True)
class ErasureRecord:
    """The trace an erasure leaves: when, by whom, why and how many, never whose data."""

    id: str
    at: str
    by: str
    kind: str  # "learner" (right to erase) or "retention"
    counts: ErasureCounts
    #: For retention: the store timestamp statements were stored before.
    before: str | None = None

    def to_json(self) -> bytes:
        value = {"id": self.id, "at": self.at, "by": self.by, "kind": self.kind,
                 "counts": self.counts.__dict__, "before": self.before}
        return json.dumps(value, sort_keys=True).encode()

    @classmethod
    def from_json(cls, content: bytes) -> ErasureRecord:
        value = json.loads(content)
        return cls(value["id"], value["at"], value["by"], value["kind"], ErasureCounts(**value["counts"]),
                   value.get("before"))


class DryRun(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside an erase transaction to roll a dry run back after counting."""

    def __init__(self, counts: ErasureCounts) -> None:
        super().__init__("dry run")
        self.counts = counts


def remove_keyed_entries(content: bytes, keys: frozenset[str]) -> tuple[bytes, int] | None:
    """``content`` (a JSON object keyed by agent key) without ``keys``, and how many were
    removed; None when it holds none of them (or is not such an object)."""
    try:
        value = json.loads(content)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    removed = [k for k in value if k in keys]
    if not removed:
        return None
    for key in removed:
        del value[key]
    return json.dumps(value, sort_keys=True, ensure_ascii=False).encode(), len(removed)


def declared_attachments(statement: dict) -> set[str]:
    """sha2 hashes of the attachments a stored statement (or its sub-statement) declares."""
    found = {a["sha2"].lower() for a in statement.get("attachments", []) if isinstance(a, dict) and "sha2" in a}
    sub = statement.get("object", {})
    if isinstance(sub, dict) and sub.get("objectType") == "SubStatement":
        found |= {a["sha2"].lower() for a in sub.get("attachments", []) if isinstance(a, dict) and "sha2" in a}
    return found


def account_name_of(agent_key: str) -> str | None:
    """The account name of an ``account:HOMEPAGE|NAME`` key (a homePage holds no ``|``)."""
    if not agent_key.startswith("account:") or "|" not in agent_key:
        return None
    return agent_key.split("|", 1)[1]


@dataclass(frozen=True)
class Credential:
    """An API credential. Only a hash of the secret is ever stored."""

    key: str
    secret_hash: str
    scopes: tuple[str, ...]
    #: The xAPI authority Agent statements posted with this credential get.
    authority: dict
    name: str = ""
    created: str = ""
    revoked: bool = False


@dataclass(frozen=True)
class StreamFilter:
    """Filters for :meth:`Store.iter_statements` (analytics): same meaning as in StatementQuery,
    except that statement references are not followed and voided statements are included only
    when ``include_voided``."""

    verb: str | None = None
    activity: str | None = None
    related_activities: bool = False
    registration: str | None = None
    since: str | None = None
    until: str | None = None
    agent: str | None = None
    related_agents: bool = False
    include_voided: bool = False
    #: Only statements at insertion positions in ``(after_position, through_position]``; the
    #: position is the paging cursor's number, from 1 up to :meth:`Store.last_position`.
    after_position: int = 0
    through_position: int | None = None

    def content_query(self, **options: Any) -> StatementQuery:  # noqa: ANN401 - StatementQuery's fields
        """The statement query with this filter's content filters (agent, verb, activity,
        registration), and ``options`` (time bounds, order, limit) for stores that use them."""
        return StatementQuery(agent=self.agent, related_agents=self.related_agents, verb=self.verb,
                              activity=self.activity, related_activities=self.related_activities,
                              registration=self.registration, **options)


class Store(abc.ABC):
    """Abstract LRS store. Implementations must be safe to share between threads of one
    process and between processes opening the same URL."""

    # --- statements -----------------------------------------------------------------------

    @abc.abstractmethod
    def insert_statements(
        self, records: Sequence[StatementRecord], attachments: Mapping[str, bytes] | None = None
    ) -> str:
        """Store all ``records`` and ``attachments`` (sha2 -> bytes) atomically; return ``stored``.

        All-or-nothing: if any id is already stored (or repeated in the batch) raise
        :class:`StatementConflict` and store nothing. The store sets ``statement["stored"]`` of
        every record to one timestamp taken inside the write transaction, never earlier than
        any ``stored`` already committed, so stored order equals commit order. A statement is
        voided when a stored record's ``voids`` names it, whichever of the two came first.
        Once this returns, the statements survive a crash (committed durably).
        """

    @abc.abstractmethod
    def get_statements(self, ids: Sequence[str]) -> dict[str, StoredStatement]:
        """The stored statements among ``ids`` (missing ids are simply absent)."""

    def get_statement(self, statement_id: str) -> StoredStatement | None:
        """One stored statement by id, voided or not."""
        return self.get_statements([statement_id]).get(statement_id)

    @abc.abstractmethod
    def query_statements(self, query: StatementQuery, cursor: str | None = None) -> StatementPage:
        """One page of statements matching ``query`` (see StatementQuery for the rules).

        ``cursor`` is the value from the previous page of the same query; pages stay stable
        while new statements arrive (a cursor marks a position in stored order). Raise
        ``ValueError`` for a cursor this store did not make.
        """

    @abc.abstractmethod
    def get_attachments(self, sha2s: Sequence[str]) -> dict[str, bytes]:
        """Attachment contents by sha2 hash (missing ones absent)."""

    @abc.abstractmethod
    def consistent_through(self) -> str:
        """A timestamp T such that every statement with ``stored <= T`` is visible to queries."""

    @abc.abstractmethod
    def count_statements(self) -> int:
        """How many statements are stored (voided ones included)."""

    def iter_statements(self, flt: StreamFilter | None = None, batch_size: int = 1000) -> Iterator[dict]:
        """Yield stored statements in ascending stored order, ``batch_size`` at a time in memory.

        For analytics: reads the store directly; never loads the whole store. The default
        implementation pages through :meth:`_stream_page`; stores may override for speed.
        """
        flt = flt or StreamFilter()
        after: str | None = str(flt.after_position) if flt.after_position else None
        while True:
            texts, after = self._stream_page(flt, after, batch_size)
            for text in texts:  # decoded one at a time: the consumer frees each before the next
                yield load_statement(text)
            if after is None:
                return

    @abc.abstractmethod
    def _stream_page(
        self, flt: StreamFilter, after: str | None, size: int
    ) -> tuple[list[str | bytes], str | None]:
        """The stored JSON texts of up to ``size`` statements after position ``after`` (None:
        from the start) and within ``flt``'s positions, in ascending stored order, and the
        position of the last one (None when exhausted)."""

    @abc.abstractmethod
    def last_position(self) -> int:
        """The highest insertion position of any statement (0 when there is none)."""

    # --- documents ------------------------------------------------------------------------

    @abc.abstractmethod
    def get_document(self, scope: DocumentScope, doc_id: str) -> Document | None:
        """The document, or None."""

    @abc.abstractmethod
    def save_document(
        self, scope: DocumentScope, doc_id: str, document: Document, expected_etag: str | None | _Any = ANY
    ) -> None:
        """Create or replace a document, atomically checking the current state first.

        ``expected_etag``: ANY (no check), None (must not exist yet) or the etag the current
        document must have. On mismatch raise :class:`PreconditionFailed` and change nothing.
        """

    @abc.abstractmethod
    def delete_document(
        self, scope: DocumentScope, doc_id: str, expected_etag: str | None | _Any = ANY
    ) -> bool:
        """Delete one document (same ``expected_etag`` rule); return whether it existed."""

    @abc.abstractmethod
    def list_document_ids(self, scope: DocumentScope, since: str | None = None) -> list[str]:
        """Ids of the documents in ``scope`` updated after ``since`` (exclusive), sorted."""

    @abc.abstractmethod
    def delete_documents(self, scope: DocumentScope) -> int:
        """Delete every document in ``scope``; return how many."""

    # --- activities and agents ------------------------------------------------------------

    @abc.abstractmethod
    def get_activity(self, activity_id: str) -> dict | None:
        """The canonical Activity object last saved for this id."""

    def get_activities(self, activity_ids: Sequence[str]) -> dict[str, dict]:
        """Canonical Activity objects by id, for those known (one call per statement batch)."""
        found = {aid: self.get_activity(aid) for aid in dict.fromkeys(activity_ids)}
        return {aid: activity for aid, activity in found.items() if activity is not None}

    @abc.abstractmethod
    def activity_ids_of_type(self, activity_type: str) -> set[str]:
        """Ids of the canonical activities whose definition has this ``type``."""

    @abc.abstractmethod
    def save_activities(self, activities: Mapping[str, dict]) -> None:
        """Replace the canonical Activity objects (merging is the rules layer's job)."""

    @abc.abstractmethod
    def get_agent(self, agent_key: str) -> dict | None:
        """The Agent object last saved under this key."""

    def get_agents(self, agent_keys: Sequence[str]) -> dict[str, dict]:
        """Agent objects by key, for those known (one call per statement batch)."""
        found = {key: self.get_agent(key) for key in dict.fromkeys(agent_keys)}
        return {key: agent for key, agent in found.items() if agent is not None}

    @abc.abstractmethod
    def save_agents(self, agents: Mapping[str, dict]) -> None:
        """Remember Agent objects (e.g. names) by agent key, replacing older ones."""

    # --- the right to erase and retention --------------------------------------------------

    @abc.abstractmethod
    def erase(self, selection: ErasureSelection, *, dry_run: bool = False,
              record: ErasureRecord | None = None) -> ErasureCounts:
        """Remove what ``selection`` names (see :class:`ErasureSelection`) in one transaction,
        serialised with statement writes (a statement stored meanwhile is either erased with the
        rest or stored after it), and return the counts. ``dry_run``: count only, change nothing.
        Unless ``dry_run``, store ``record`` (its counts replaced by these) as a document of kind
        ``erasure`` in the same transaction."""

    @abc.abstractmethod
    def agent_keys_of_account(self, name: str) -> set[str]:
        """Agent keys ``account:HOMEPAGE|name`` known to the store (statements, documents, agents)
        for this account name under any homePage."""

    # --- credentials ----------------------------------------------------------------------

    @abc.abstractmethod
    def add_credential(self, credential: Credential) -> None:
        """Store a new credential; raise StoreError if the key exists."""

    @abc.abstractmethod
    def get_credential(self, key: str) -> Credential | None:
        """The credential with this key, revoked or not."""

    @abc.abstractmethod
    def list_credentials(self) -> list[Credential]:
        """All credentials, oldest first."""

    @abc.abstractmethod
    def revoke_credential(self, key: str) -> bool:
        """Mark a credential revoked; return whether it existed."""

    # --- lifecycle ------------------------------------------------------------------------

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections and files. The store is unusable afterwards."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
