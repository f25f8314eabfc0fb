"""Every rule ``spotlight-pack validate`` applies to a package zip, with its severity and its reason.

An **error** means the package will not import, or will not track, in a real LMS (or is unsafe to
unpack); a **warning** is bad practice that matters somewhere, and the reason says where. The
evidence is in ``../shared/reference/lms-import-pitfalls.md`` and the standards; ``docs/validate.md``
explains each rule for admins and a test keeps that page and this table in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    reason: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.id: rule for rule in rules}


E: Severity = "error"
W: Severity = "warning"

RULES: dict[str, Rule] = _rules(
    # ---------------------------------------------------------------- the zip itself
    Rule("zip-unreadable", E, "not a zip, truncated, or a corrupt central directory: no LMS can open it"),
    Rule("zip-too-many-entries", E, "more entries than the limit: refused before reading (hostile zip)"),
    Rule("zip-too-large", E, "expands to more than the total-size limit: refused before reading (zip bomb)"),
    Rule("zip-entry-too-large", E, "one entry expands to more than the per-entry limit (zip bomb)"),
    Rule("zip-ratio", E, "an entry compressed far beyond what real content reaches (zip bomb)"),
    Rule("zip-overlapping-entries", E, "entries share compressed bytes: a zip bomb technique; unzip tools refuse it"),
    Rule("zip-entry-corrupt", E, "an entry fails its CRC or is truncated: the LMS unpacks a broken file or fails"),
    Rule("zip-encrypted", E, "an encrypted entry: LMSs cannot unpack it without a password"),
    Rule("zip-compression-method", E, "not stored or deflated: Java's and PHP's zip readers (most LMSs) cannot unpack"),
    Rule(
        "zip-name-encoding", E, "a name that is not valid UTF-8, or non-ASCII without the UTF-8 flag (Java: MALFORMED)"
    ),
    Rule("zip-duplicate-name", E, "the same name twice: an LMS may unpack a different copy than the one validated"),
    Rule("zip-case-collision", E, "names equal but for case: on a case-insensitive server one overwrites the other"),
    Rule("zip-file-folder-clash", E, "a file and a folder with the same path cannot both be unpacked"),
    Rule("zip-symlink", E, "a symbolic link or special file: unpacking it can expose files of the LMS server"),
    Rule("zip-path-traversal", E, "'..' in a path escapes the package folder when unpacked (zip slip)"),
    Rule("zip-absolute-path", E, "an absolute path writes outside the package folder when unpacked"),
    Rule("zip-backslash", E, "backslashes in a path: some LMSs (Chamilo) unpack every file flat in one folder"),
    Rule("zip-control-character", E, "control characters in a name: truncated or refused by unzip tools"),
    Rule(
        "zip-macos-metadata",
        E,
        "__MACOSX/ and ._* AppleDouble files: importers that find the manifest by suffix "
        "pick __MACOSX/._imsmanifest.xml",
    ),
    Rule("zip-os-junk", W, ".DS_Store, Thumbs.db, desktop.ini: harmless, but served as course files"),
    Rule(
        "zip-file-name",
        W,
        "spaces, accents or ~ # % + & ? in names: URL-encoding mismatches; Chamilo strips ~; "
        "Rise Up LMS refuses accents",
    ),
    Rule("zip-server-script", W, "server-side scripts (.php, .asp, .sh, …): some LMSs (Peritus) refuse the package"),
    Rule("zip-upload-size", W, "over 50 MB: Open edX Studio reports errors while such uploads run; PHP upload limits"),
    # ---------------------------------------------------------------- the manifest file
    Rule("manifest-missing", E, "no imsmanifest.xml, cmi5.xml or tincan.xml at the root: not an e-learning package"),
    Rule(
        "manifest-not-at-root",
        E,
        "the manifest is in a folder (the folder was zipped, not its contents): "
        "Moodle, Brightspace and cmi5 LMSs refuse it",
    ),
    Rule("manifest-is-folder", E, "the manifest name is a folder, not a file"),
    Rule("manifest-too-large", E, "the manifest is larger than the manifest-size limit: refused before parsing"),
    Rule(
        "manifest-unknown",
        E,
        "imsmanifest.xml in neither the SCORM 1.2 nor the 2004 namespace and without a schemaversion: "
        "LMSs guess, and run it with the wrong API",
    ),
    Rule("manifest-unreadable", E, "the manifest entry cannot be unpacked (see the zip errors)"),
    Rule("xml-doctype", E, "a DOCTYPE (entity declarations, external DTDs) in a manifest: refused, never expanded"),
    Rule("xml-malformed", E, "not well-formed XML: every LMS's parser fails on it"),
    Rule(
        "xsd",
        E,
        "not valid against the standard's XSD: strict importers (SCORM Cloud, cmi5 LMSs) refuse it, "
        "others silently drop what they do not understand",
    ),
    # ---------------------------------------------------------------- references inside a package
    Rule(
        "href-missing-file",
        E,
        "a launch file or listed file that is not in the zip (names are case-sensitive "
        "on SCORM Cloud and Canvas): the learner gets a blank page",
    ),
    Rule("href-not-relative", E, "an absolute URL or path where the package must name one of its own files"),
    Rule("href-backslash", E, "backslashes in an href: SCORM Cloud and Chamilo fail on them"),
    Rule("href-escapes", E, "an href with '..' that leaves the package"),
    # ---------------------------------------------------------------- IMS content packaging (SCORM 1.2 and 2004)
    Rule("cp-identifier", E, "an identifier that is not an XML name (NCName): several LMSs reject the manifest"),
    Rule("cp-identifier-duplicate", E, "an identifier used twice: references become ambiguous"),
    Rule("cp-default-organization", E, "organizations/@default names no organization: nothing to launch"),
    Rule("cp-missing-resource", E, "an item refers to a missing resource: Moodle gives it an empty launch"),
    Rule("cp-missing-dependency", E, "a dependency refers to a missing resource"),
    Rule("cp-no-scormtype", E, "a resource without adlcp:scormType is an asset: the LMS gives it no API, no tracking"),
    Rule("cp-sco-without-href", E, "a SCO resource has no href: nothing to launch"),
    Rule("cp-first-resource-not-sco", E, "Open edX launches the first resource: if it is not the SCO, no tracking"),
    Rule(
        "cp-schema-file-missing",
        W,
        "an XSD named by xsi:schemaLocation is not in the zip: ADL's test suite and "
        "strict validators want it; Moodle, Brightspace and Canvas import without it",
    ),
    Rule("cp-unlisted-file", W, "a file no resource lists: ADL's test suite flags it; LMSs import and serve it"),
    Rule(
        "scorm12-schemaversion",
        E,
        "schemaversion not exactly '1.2': Open edX then runs it as SCORM 2004 and tracking fails",
    ),
    Rule("scorm12-masteryscore", E, "adlcp:masteryscore outside 0–100: the LMS computes pass/fail wrongly"),
    Rule("scorm12-long-description", W, "a LOM description over 1,000 characters: SCORM Cloud warns and truncates"),
    Rule("scorm2004-schemaversion", E, "schemaversion not a SCORM 2004 value: Moodle and Open edX then run it as 1.2"),
    Rule(
        "scorm2004-leaf-item",
        E,
        "a leaf item without identifierref, or a parent item with one: the SCORM 2004 CAM forbids both",
    ),
    Rule("scorm2004-scormtype-spelling", E, "adlcp:scormtype (1.2 spelling) in 2004: ignored, so the SCO is an asset"),
    Rule("scorm2004-xml-base", E, "xml:base not relative with a trailing '/': files resolve to the wrong place"),
    # ---------------------------------------------------------------- cmi5
    Rule("cmi5-id", E, "course, block, AU and objective ids must be absolute IRIs (cmi5 §13.1)"),
    Rule("cmi5-id-duplicate", E, "an id used twice in cmi5.xml (cmi5 §13.1)"),
    Rule("cmi5-no-au", E, "a course structure without an AU: nothing to launch"),
    Rule("cmi5-url-spaces", E, "an AU url with spaces is not a URL"),
    Rule(
        "cmi5-url-launch-parameters",
        E,
        "an AU url with endpoint, fetch, actor, registration or activityId: the LMS adds those itself (cmi5 §8.1)",
    ),
    # ---------------------------------------------------------------- Tin Can
    Rule("tincan-second-manifest", E, "a second tincan.xml: LMSs that search for it may pick the wrong one"),
    Rule("tincan-activity-id", E, "activity ids must be absolute IRIs: the LRS rejects statements about them"),
    Rule("tincan-activity-duplicate", E, "an activity id used twice"),
    Rule("tincan-launch-count", E, "exactly one activity must have <launch>: the LMS cannot tell what to launch"),
)


def severity_of(rule_id: str) -> Severity:
    """Severity of a known rule; an unknown id is a bug in spotlight-pack and raises KeyError."""
    return RULES[rule_id].severity
