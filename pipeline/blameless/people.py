"""Who counts as a person: the roster that lets "Dave forgot" be caught and "Kubernetes killed" pass.

Sources, most precise first: names passed by the drafting pipeline (chat participants), config `people:`,
`incident.toml` `[[people]] name = ...`, names the document itself gives a role ("Priya (IC)"), and an
optional bundled list of common first names. Names are case-sensitive: "Bob" is a person, "bob" is not.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline import regex_cache
from pipeline.errors import ConfigError
from pipeline.package_data import package_path

FIRST_NAMES_PATH = package_path("blameless", "first_names.txt")
CENSUS_NAMES_PATH = package_path("blameless", "census_first_names.txt")
WORLD_NAMES_PATH = package_path("blameless", "world_first_names.txt")
WORD_NAMES_PATH = package_path("blameless", "word_first_names.txt")
NOT_PEOPLE_PATH = package_path("blameless", "not_people.txt")

_NAME = r"(?<![\w'-])([A-Z][a-z]+(?: [A-Z][a-z]+)?)(?![\w'-])"
_NAME_AT_END = regex_cache.compile(_NAME + r"\Z")
_AFTER_SEPARATOR = regex_cache.compile(r"[:=\u2013-][ \t]*" + _NAME)  # starts with a rare character: a fast scan
_NOT_NAMES = frozenset({"The", "A", "An", "We", "Our", "They", "It", "This", "That", "Incident", "Team", "On", "Owner"})


# A chat handle given as a person's name: one lowercase token of letters, digits, dots, dashes or underscores
# ("hemiw", "rsingh", "arif.h", "bayu_ops"); a capitalized name is matched by its parts above.
HANDLE_RE = re.compile(r"[a-z][a-z0-9._-]{2,}")


@dataclass(frozen=True)
class Roster:
    """Name tokens known to be people, plus whether the bundled first-name list applies."""

    names: frozenset[str]
    use_first_names: bool = True

    def is_person_name(self, token: str) -> bool:
        """True for a roster token, or a capitalized first name (check_first_names) when the lists are on."""
        if token in self.names:
            return True
        if not (self.use_first_names and token[:1].isupper()):
            return False
        if hyphenated_person_name(token):
            return True  # "Tanaka-san", "Jae-won"
        return token in check_first_names() or (not token.isascii() and ascii_folded(token) in check_first_names())


_HONORIFIC = re.compile(r"[A-Z][a-z]+(?:-[a-z]+)?-(?:san|sama|kun|chan|sensei|senpai|ssi|nim)")


# Syllables of romanized Korean and Chinese given names: "Jae-won pushed ..." is a person, "Pre-flight" is not.
_GIVEN_NAME_SYLLABLES = frozenset(
    "ah bin bo chae chan chang cheol chul da dae do dong eun gi gu gyu ha hae han hee ho hoon hwa hwan hye hyo hyun "
    "in ja jae je ji jin jo jong joo ju jun jung ki kwan kwang kyu kyung man mi min mo myung na nam ok rae ri sang se "
    "seo seok seon seong seung shin si so sol soo sook su suk sun sung tae wan wen won woo woong ye yeon yeong yi yong "
    "yoon young yu yun xiao ming mei ling hui jia yan hong".split()
)


def _hyphenated_given_name(word: str) -> bool:
    first, _, second = word.partition("-")
    return (
        first[:1].isupper()
        and first[1:].islower()
        and second.islower()
        and first.lower() in _GIVEN_NAME_SYLLABLES
        and second in _GIVEN_NAME_SYLLABLES
    )


def hyphenated_person_name(word: str) -> bool:
    """ "Tanaka-san", "Min-jun-ssi" (a name with a title only people get), "Jae-won" (a given name in two
    syllables): a person's name that has a system name's hyphen."""
    return _HONORIFIC.fullmatch(word) is not None or _hyphenated_given_name(word)


def ascii_folded(word: str) -> str:
    """The word without its accents ("Ayşe" -> "Ayse", "Zoë" -> "Zoe"): a name the lists hold in one spelling is
    a name in the other too."""
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=4)
def _role_patterns(role_words: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """ "Name (role)" found from its parenthesis (a fast literal scan), and a line ending in a role word.

    The role words are the roles and person titles of signals.yaml (pipeline.facts.person_role_words).
    """
    paren = regex_cache.compile(r"\((?:[^)\n]{0,30}?\b)?(?:" + role_words + r")\b[^)\n]{0,30}\)")
    ending = regex_cache.compile(r"\b(?:" + role_words + r")[ \t]*\Z", re.I)
    return paren, ending


def _role_paren() -> re.Pattern[str]:
    from pipeline.facts import person_role_words

    return _role_patterns(person_role_words())[0]


def _role_ending() -> re.Pattern[str]:
    from pipeline.facts import person_role_words

    return _role_patterns(person_role_words())[1]


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The bundled first-name list (comment lines start with #)."""
    return _names_in(FIRST_NAMES_PATH)


@lru_cache(maxsize=1)
def check_first_names() -> frozenset[str]:
    """The names the blameless check reads as people: first_names() and the census and world lists beside it."""
    return first_names() | _names_in(CENSUS_NAMES_PATH) | _names_in(WORLD_NAMES_PATH)


def word_first_names() -> frozenset[str]:
    """Given names that are also English words ("Grace", "Will"): people only mid-sentence, where a name is the
    sole reading (the agent matcher decides; no name list holds them)."""
    return _names_in(WORD_NAMES_PATH)


def unknown_name(word: str) -> bool:
    """A capitalized word no list knows, or one in chat's lower case ("marat"), where only a person fits: the owner
    of a change ("Oyelaran's hotfix breaks the login flow") or the subject of a state only people are in ("Kev was
    half asleep"). A person unless it is a vendor, product or bot (not_people.txt) or an English word ("Yesterday's
    deploy", "Vendor's update"), a word of lemminflect's lexicon."""
    if word.islower():
        word = word.capitalize()
    if not (len(word) >= 3 and word[:1].isupper() and word[1:].islower() and word.replace("-", "").isalpha()):
        return False
    if word.lower() in _not_people() or word.lower() in FUNCTION_WORDS:
        return False
    return not english_word(word)


@lru_cache(maxsize=1)
def _not_people() -> frozenset[str]:
    """not_people.txt in lower case: chat writes "argocd" and "bigquery" for ArgoCD and BigQuery."""
    return frozenset(word.lower() for word in _names_in(NOT_PEOPLE_PATH))


# Words of closed classes that lemminflect's lexicon (nouns, verbs, adjectives, adverbs) does not hold, and chat's
# abbreviations: never a name ("protect themselves against accidentally running ...", "lol accidentally ...").
FUNCTION_WORDS = frozenset(
    "against amid amidst among amongst at beneath beside despite during for from into of onto per than toward "
    "towards until till unto upon with whilst via thru and nor because although whereas if unless the a an every "
    "cuz coz bc tho pls plz thx ty ok okay lol lmao omg btw tbh ngl imo fyi rn idk hey hi oh uh um erm ah yo".split()
)


def english_word(word: str) -> bool:
    """A word form lemminflect's lexicon knows (what its `getAllLemmas` answers for)."""
    return f"\n{word.lower()}," in _lexicon()


@lru_cache(maxsize=1)
def _lexicon() -> str:
    """lemminflect's lookup table as text, one "form,pos,lemma" row a line: decompressed in about 10 ms and searched
    as it is (a check asks about a word or two per megabyte), without importing lemminflect, which imports spaCy
    (about 1.4 s), nor building a set of its 70,000 forms (about 30 ms more)."""
    import importlib.util
    import zlib

    spec = importlib.util.find_spec("lemminflect")  # a dependency (pyproject.toml); found, not imported
    assert spec is not None and spec.submodule_search_locations
    resources = Path(spec.submodule_search_locations[0]) / "resources"
    table = zlib.decompress((resources / "lemma_lu.csv.gz").read_bytes(), 16 + zlib.MAX_WBITS).decode("utf-8")
    overrides = (resources / "lemma_overrides.csv").read_text(encoding="utf-8")
    return "\n" + table + "\n" + overrides


@lru_cache(maxsize=8)
def _names_in(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if not line.startswith("#") for word in line.split())


def names_in_role_statements(text: str) -> set[str]:
    """Names the document itself gives a role: "Priya (IC)", "Incident commander: Sam Lee"."""
    found = set(_names_before_role_parens(text))
    role_ending = _role_ending()
    found |= {
        m.group(1)
        for m in _AFTER_SEPARATOR.finditer(text)
        if _ends_with_letter(text, m.start()) and role_ending.search(text, max(0, m.start() - 40), m.start())
    }
    return {name for name in found if name.split()[0] not in _NOT_NAMES}


def _names_before_role_parens(text: str) -> list[str]:
    """Names matched by `Name\\s*(...role...)`, leftmost first and without overlaps."""
    names: list[str] = []
    role_paren = _role_paren()
    paren = role_paren.search(text)
    while paren is not None:
        end = paren.start()
        while end > 0 and text[end - 1].isspace():
            end -= 1
        start = end
        while start > 0 and (text[start - 1] == " " or "A" <= text[start - 1] <= "z" and text[start - 1].isalpha()):
            start -= 1
        name = _NAME_AT_END.search(text, start, end)
        if name is None:
            paren = role_paren.search(text, paren.start() + 1)
        else:
            names.append(name.group(1))
            paren = role_paren.search(text, paren.end())
    return names


def _ends_with_letter(text: str, offset: int) -> bool:
    """Whether the last character before `offset`, spaces and tabs aside, is an ASCII letter (a role
    word's last letter): a cheap test before the role-ending expression."""
    i = offset - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i >= 0 and text[i].isascii() and text[i].isalpha()


def people_from_incident_toml(path: Path) -> list[str]:
    """Names under `[[people]]` (or a plain `people = ["..."]` list) in an incident.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"not valid TOML: {exc}", line=toml_error_line(exc)) from exc
    names: list[str] = []
    for entry in data.get("people", []) or []:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            names.append(entry["name"])
    return names


def toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    """tomllib puts the line in its message ("... (at line 2, column 9)") before Python 3.14."""
    found = re.search(r"at line (\d+)", str(exc))
    return int(found.group(1)) if found else getattr(exc, "lineno", None)


def build_roster(*sources: Iterable[str], text: str = "", use_first_names: bool = True) -> Roster:
    """Merge name sources (and the document's role statements) into one Roster of name tokens."""
    tokens: set[str] = set()
    for source in (*sources, names_in_role_statements(text) if text else ()):
        for name in source:
            tokens.update(part for part in name.split() if part[:1].isupper())
    for source in sources:
        # a chat handle is a person too ("hemiw should have put a timeout on that call"), in the case it is written
        tokens.update(name for name in source if HANDLE_RE.fullmatch(name))
    return Roster(frozenset(tokens), use_first_names)
