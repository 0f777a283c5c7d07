"""The typed model: frozen objects that carry their source location.

Loading (``loading.py``) builds these from YAML nodes; resolution (``resolve.py``)
turns anchors into code-point spans; rendering only ever sees these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Location, pickled_as_call

ENTITY_TYPES: dict[str, tuple[str, str]] = {
    # id: (Arabic plural heading, English)
    "person": ("أشخاص", "People"),
    "organisation": ("هيئات ومؤسسات", "Organisations"),
    "group": ("جماعات وحركات", "Groups"),
    "place": ("أماكن", "Places"),
    "platform": ("منصات", "Platforms"),
    "media": ("وسائل إعلام", "Media outlets"),
    "webpage": ("صفحات وحسابات", "Web pages and accounts"),
    "operation": ("عمليات", "Operations"),
    "event": ("أحداث", "Events"),
    # Named things of no other type (works, concepts, products, languages...): CoNLL's MISC.
    "misc": ("متفرقات", "Miscellaneous"),
}

CLAIM_KINDS: dict[str, str] = {
    "accusation": "اتهام",
    "threat": "تهديد",
    "warning": "تحذير",
    "announcement": "إعلان",
    "claim-of-responsibility": "تبنٍّ",
    "denial": "نفي",
    "assertion": "تأكيد",
    "demand": "مطالبة",
}

CLAIM_STATUSES: dict[str, str] = {
    "attributed": "منسوب إلى قائله، غير متحقق منه",
    "reported-as-fact": "تورده الصحيفة على لسانها",
    "verified": "متحقق منه",
    "disputed": "متنازع فيه",
}

QUOTE_KINDS: dict[str, str] = {
    "direct": "اقتباس مباشر",
    "reported": "كلام منقول بتصرف",
}

QUOTE_CHANNELS: dict[str, str] = {
    "written-statement": "بيان مكتوب",
    "social-media-post": "منشور على شبكة اجتماعية",
    "interview": "مقابلة",
    "press-conference": "ندوة صحفية",
    "broadcast": "بث إذاعي أو تلفزي",
    "publication": "منشور مطبوع أو إلكتروني",
    "unknown": "غير معروف",
}


@dataclass(frozen=True, slots=True)
class Anchor:
    """How a contributor points at text: by quoting it, never by offsets.

    Either ``quote`` (with optional ``prefix``/``suffix`` context and ``occurrence``)
    or a ``start``/``end`` pair for long passages. ``occurrences`` is ``None`` when not
    given, a tuple of 1-based numbers, or ``ALL``.
    """

    loc: Location
    quote: str | None = None
    prefix: str = ""
    suffix: str = ""
    start: str | None = None
    end: str | None = None
    occurrences: tuple[int, ...] | str | None = None
    quote_loc: Location | None = None
    occurrence_loc: Location | None = None


ALL = "all"


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    type: str
    name: str
    label: str
    loc: Location
    aliases: tuple[str, ...] = ()
    description: str = ""
    description_ar: str = ""
    wikidata: str = ""


@dataclass(frozen=True, slots=True)
class DateRange:
    earliest: str
    latest: str
    note: str = ""

    @property
    def exact(self) -> bool:
        return self.earliest == self.latest


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    id: str
    title: str
    loc: Location
    language: str = "ar"
    title_en: str = ""
    source: str = ""
    source_en: str = ""
    source_entity: str = ""
    author: str = ""
    author_en: str = ""
    author_entity: str = ""
    date: DateRange | None = None
    url: str = ""
    origin: str = ""
    headline: bool = False
    summary_en: str = ""
    field_locs: dict[str, Location] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Document:
    meta: DocumentMeta
    text: str
    text_path: str

    @property
    def id(self) -> str:
        return self.meta.id


@dataclass(frozen=True, slots=True)
class MentionSpec:
    """One ``mentions.yml`` entry; it may stand for several mentions (``occurrence: all``)."""

    entity: str
    anchor: Anchor
    loc: Location
    entity_loc: Location
    note: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    claimant: str
    kind: str
    status: str
    anchor: Anchor
    loc: Location
    about: tuple[str, ...] = ()
    summary: str = ""
    summary_en: str = ""
    quotes: tuple[str, ...] = ()
    note: str = ""
    field_locs: dict[str, Location] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Quote:
    id: str
    speaker: str
    kind: str
    channel: str
    anchor: Anchor
    loc: Location
    via: str = ""
    note: str = ""
    field_locs: dict[str, Location] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Layers:
    """The three annotation layers of one document, as loaded."""

    document_id: str
    mentions: tuple[MentionSpec, ...] = ()
    claims: tuple[Claim, ...] = ()
    quotes: tuple[Quote, ...] = ()


# ---- resolved objects ---------------------------------------------------------------

@pickled_as_call
@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start


@pickled_as_call
@dataclass(frozen=True, slots=True)
class Mention:
    id: str            # stable within the document: "<entity>-<n>"
    entity: Entity
    document_id: str
    span: Span
    loc: Location

    @property
    def html_id(self) -> str:
        return f"m-{self.id}"


@dataclass(frozen=True, slots=True)
class ResolvedClaim:
    claim: Claim
    document_id: str
    span: Span
    claimant: Entity
    about: tuple[Entity, ...]

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def html_id(self) -> str:
        return f"c-{self.claim.id}"


@dataclass(frozen=True, slots=True)
class ResolvedQuote:
    quote: Quote
    document_id: str
    span: Span
    speaker: Entity

    @property
    def id(self) -> str:
        return self.quote.id

    @property
    def html_id(self) -> str:
        return f"q-{self.quote.id}"


@dataclass(frozen=True, slots=True)
class ResolvedDocument:
    document: Document
    mentions: tuple[Mention, ...]
    claims: tuple[ResolvedClaim, ...]
    quotes: tuple[ResolvedQuote, ...]

    @property
    def id(self) -> str:
        return self.document.id

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def meta(self) -> DocumentMeta:
        return self.document.meta
