"""Identity text: the one normalization of the names of organizations, persons and bodies.

Names are how the registry tells organizations and people apart where it has no code (a
legal representative, a founder, a deciding body, a banned organization), and how an officer
recognises a duplicate. A name typed or pasted with an invisible character (a zero-width
space from a web page, a byte-order mark from a spreadsheet, a soft hyphen from a document)
looks the same as the name without it but compares different, so an exact-name check, a
bad-record match or a search misses it. Bidi controls (a right-to-left override) make a name
display in another order than it is stored.

- ``normalize_identity`` is the normalization, total (never raises): invisible and control
  characters removed, NFKC (full-width letters and digits to half-width, compatibility
  ideographs to the unified ones), whitespace collapsed to single spaces, stripped; and
  brackets kept as the full-width （） that Chinese names use (NFKC would make them ASCII, so
  ``(`` and ``（`` compare equal and the registered name keeps its usual look). Comparisons,
  stored values and the data migrations use it.
- ``identity_problem`` / ``clean_identity`` are the check on the way in: a bidi embedding,
  override or isolate, a control character or any other invisible formatting character is
  refused with a message naming it (the invisible characters that come along with a paste are
  removed silently instead: refusing them would only puzzle the user, who cannot see them).
- ``identity_key`` is the normalized form in lower case: what search documents and queries use.

Form and model fields built on these: ``core.forms.IdentityField``, ``core.fields.IdentityCharField``.
"""

from __future__ import annotations

import re
import sys
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Invisible characters removed from names, on the way in and when comparing: they arrive with
# pasted text and show nothing (or nothing but a changed direction).
_PASTED_INVISIBLE = (
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u061c"  # Arabic letter mark
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers (they render blank)
    "\u17b4\u17b5"  # Khmer inherent vowels (invisible)
    "\u180b-\u180f"  # Mongolian free variation selectors and vowel separator
    "\u200b-\u200f"  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u206a-\u206f"  # deprecated format characters
    "\ufe00-\ufe0f"  # variation selectors
    "\ufeff"  # byte-order mark / zero-width no-break space
    "\U000e0100-\U000e01ef"  # variation selectors supplement
)
# Bidi embeddings, overrides and isolates: removed when comparing, refused on the way in (what
# the user saw displayed is not what would be stored).
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_STRIP = re.compile(f"[{_PASTED_INVISIBLE}{_BIDI_CONTROLS}]")
_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")
_PASTED = re.compile(f"[{_PASTED_INVISIBLE}]")
# Control characters that are whitespace in a typed name (a tab or line break from a cell).
_WHITESPACE_CONTROLS = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")
# NFKC turns the full-width brackets of Chinese names into ASCII ones; put them back.
_BRACKETS = str.maketrans("()", "（）")


def _char_label(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip()


def _drop_controls(text: str) -> str:
    """Other control (Cc) and format (Cf) characters: whitespace controls become spaces, the
    rest are removed. Only reached for text that is not printable (rare)."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in _WHITESPACE_CONTROLS:
            out.append(" ")
        elif category not in ("Cc", "Cf", "Cs"):
            out.append(ch)
    return "".join(out)


def normalize_identity(text: str) -> str:
    """The normalized form of a name (see the module's docstring). Idempotent; never raises."""
    if not text:
        return ""
    text = _STRIP.sub("", str(text))
    if not text.isprintable():
        text = _drop_controls(text)
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split()).translate(_BRACKETS)


def identity_key(text: str) -> str:
    """The normalized form in lower case: how names are compared in search."""
    return normalize_identity(text).lower()


def identity_problem(text: str) -> str | None:
    """Why ``text`` may not be a name as typed, or None. The message names the character."""
    if not text:
        return None
    text = str(text)
    if text.isprintable() and not _BIDI.search(text):
        return None  # the common case: one C-level scan
    if m := _BIDI.search(text):
        return _("Remove the invisible direction control %(char)s: it makes the text display in a different "
                 "order than it is stored.") % {"char": _char_label(m.group())}
    for ch in _PASTED.sub("", text):
        if ch in _WHITESPACE_CONTROLS:
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs"):
            return _("Remove the control character %(char)s: a name may contain only visible characters.") % {
                "char": _char_label(ch)}
        if category == "Cf":
            return _("Remove the invisible formatting character %(char)s: a name may contain only visible "
                     "characters.") % {"char": _char_label(ch)}
    return None


def clean_identity(text: str) -> str:
    """A name on the way in: refused (ValidationError, code ``identity_character``) when it holds
    a character ``identity_problem`` names, otherwise returned normalized."""
    problem = identity_problem(text)
    if problem:
        raise ValidationError(problem, code="identity_character")
    return normalize_identity(text)


def clean_identity_into(errors: dict[str, str], field: str, value) -> str:
    """``clean_identity`` for a service that collects errors by field: the normalized value, or
    the value stripped with the refusal added to ``errors[field]`` (the first one kept)."""
    value = "" if value is None else str(value)
    try:
        return clean_identity(value)
    except ValidationError as exc:
        errors.setdefault(field, exc.messages[0])
        return value.strip()


# --------------------------------------------------------------------------- data migrations
# Each app's data migration normalizes the names it stores with these, on the historical
# models it is given (plain CharFields: they store what they are told).

Change = tuple[str, int, str, str, str]  # (model label, pk, field, before, after)


def _label(model) -> str:
    return model._meta.label_lower


def normalize_rows(queryset, fields: list[str], *, batch_size: int = 2000) -> list[Change]:
    """Normalize stored names in place: every row of ``queryset`` whose ``fields`` change under
    ``normalize_identity`` is updated. For fields without a uniqueness constraint (names that
    become equal stay two rows: they are told apart by their keys). Rows are read in chunks;
    the few that change are written at the end."""
    model = queryset.model
    changes: list[Change] = []
    dirty = []
    for row in queryset.only("pk", *fields).order_by("pk").iterator(chunk_size=batch_size):
        touched = False
        for name in fields:
            before = getattr(row, name)
            if isinstance(before, str) and (after := normalize_identity(before)) != before:
                setattr(row, name, after)
                changes.append((_label(model), row.pk, name, before, after))
                touched = True
        if touched:
            dirty.append(row)
    if dirty:
        model.objects.bulk_update(dirty, fields, batch_size=batch_size)
    return changes


def normalize_unique_rows(queryset, field: str, *, together: tuple[str, ...] = (),
                          on_duplicate: str = "keep") -> tuple[list[Change], list[Change]]:
    """Normalize a field that is unique (alone or with ``together``). A row whose normalized
    value another row already holds (or took first, in key order) is a duplicate: with
    ``on_duplicate="keep"`` it keeps its stored value (reported, for a person to merge: other
    rows point at it); with ``"delete"`` it is deleted (for derived rows that are the same
    record twice). Returns (changes, duplicates)."""
    model = queryset.model
    pending = []
    for row in queryset.only("pk", field, *together).order_by("pk").iterator(chunk_size=2000):
        before = getattr(row, field)
        if isinstance(before, str) and (after := normalize_identity(before)) != before:
            pending.append((row, before, after))
    changes: list[Change] = []
    duplicates: list[Change] = []
    claimed: set = set()
    for row, before, after in pending:  # rare: one query each
        scope = {name: getattr(row, name) for name in together}
        key = (tuple(scope.values()), after)
        change = (_label(model), row.pk, field, before, after)
        if key in claimed or model.objects.filter(**{field: after}, **scope).exclude(pk=row.pk).exists():
            duplicates.append(change)
            if on_duplicate == "delete":
                model.objects.filter(pk=row.pk).delete()
            continue
        claimed.add(key)
        model.objects.filter(pk=row.pk).update(**{field: after})
        changes.append(change)
    return changes, duplicates


def normalization_report(*, action: str, changes: list[Change], duplicates: list[Change] = (),
                         note: str = "", limit: int = 1000) -> None:
    """Say what a data migration changed: one audit event (actor "system") with the counts and
    the first ``limit`` changes and every duplicate, and the same on standard output. Nothing
    when nothing changed (a new database)."""
    if not changes and not duplicates:
        return
    from gongxin.core.audit import audit_record

    counts: dict[str, int] = {}
    for label, _pk, field, _before, _after in changes:
        counts[f"{label}.{field}"] = counts.get(f"{label}.{field}", 0) + 1
    rows = [{"object": f"{label}:{pk}", "field": field, "before": before, "after": after}
            for label, pk, field, before, after in changes[:limit]]
    dups = [{"object": f"{label}:{pk}", "field": field, "before": before, "after": after}
            for label, pk, field, before, after in duplicates]
    audit_record(actor=None, action=action, object_type="core.text", after={
        "counts": counts, "changes": rows, "changes_total": len(changes), "duplicates": dups, "note": note})
    out = sys.stdout
    out.write(f"\n  {action}: {len(changes)} names normalized ({', '.join(f'{k} {v}' for k, v in counts.items())})\n")
    for d in dups:
        out.write(f"  duplicate after normalization, {note}: {d['object']} {d['field']} {d['before']!r} -> "
                  f"{d['after']!r}\n")
