"""Who a handle, first name or mention means: "hanad", "lortega", "@rosa", "pz" or "Bex" to a full name.

Teams write handles and first names; a postmortem names people in full. The full names come from the
incident itself (incident.toml people, chat authors, Slack users, already resolved by the Slack reader), and
a handle resolves only when exactly one of them fits it, so a guess never becomes a fact.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field

SELF_WORDS = frozenset({"i", "i'm", "im", "i'll", "i'd", "i've", "me", "myself", "mine"})
# Titles before a surname in formal chat ("Mr Mensah is designated Scribe"): the surname names the person.
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof"})
MIN_PREFIX = 3
# A directory's display name ("Ashworth, Tom (IVUH)", "Marcus Dyer (Guest)", as Teams and NHSmail show them) is the
# person "Tom Ashworth" / "Marcus Dyer"; a transcript's placeholder for a voice it could not name is nobody.
_DIRECTORY_NAME = re.compile(r"^(?P<last>[^,()]+?),\s*(?P<first>[^,()]+?)\s*(?:\([^()]*\))?$")
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)$")
_NOBODY = re.compile(r"^(?:unknown|unknown speaker|unidentified(?: speaker)?|speaker \d+)$", re.IGNORECASE)


def natural_name(name: str) -> str:
    """ "Ashworth, Tom (IVUH)" -> "Tom Ashworth", "Marcus Dyer (Guest)" -> "Marcus Dyer"; other names unchanged."""
    clean = " ".join(name.split())
    if (directory := _DIRECTORY_NAME.match(clean)) is not None:
        return f"{directory['first']} {directory['last']}"
    return _TRAILING_NOTE.sub("", clean) or clean


# Chat words that are some team's initials too ("ops ok": OK is not Ondřej Kratochvíl): never a handle.
CHAT_WORDS = frozenset(
    "ok okay k kk np ty tx thx ack yes yep no nope lol brb afk omw idk imo fyi tbh btw hi hey pls plz asap eta "
    "wip tl dr rip gg nvm ikr".split()
)


def fold(text: str) -> str:
    """Lower case, accents removed, letters and digits only ("Dvořáková" -> "dvorakova")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


@dataclass
class People:
    """The people of one incident, by full name, and the nicknames that stand for first names."""

    full_names: list[str]
    nicknames: dict[str, str] = field(default_factory=dict)
    handles: dict[str, str] = field(default_factory=dict)  # folded chat handle -> full name (incident.toml)

    @classmethod
    def of(
        cls, names: list[str], nicknames: dict[str, str] | None = None, handles: dict[str, str] | None = None
    ) -> People:
        """Full names (two words or more) first seen first; single-word names are handles, not people. A later
        name that is a short spelling of an earlier one ("Rob K" or "Hattie Boyle" after "Robert Kowalczyk" and
        "Harriet Boyle", as chat display names go) is that person, not another one."""
        folded_nicknames = {fold(k): fold(v) for k, v in (nicknames or {}).items()}
        folded_handles = {fold(handle.strip().lstrip("@")): name for handle, name in (handles or {}).items()}
        seen: dict[str, str] = {}
        for name in names:
            clean = natural_name(name.strip().lstrip("@"))
            if _NOBODY.match(clean) or len(clean.split()) < 2 or fold(clean) in seen or fold(clean) in folded_handles:
                continue  # a chat display name incident.toml gives as a handle ("Thabo Work") is that person
            if not any(_short_spelling(clean, earlier, folded_nicknames) for earlier in seen.values()):
                seen[fold(clean)] = clean
        return cls(list(seen.values()), folded_nicknames, folded_handles)

    def resolve(self, token: str) -> str | None:
        """The one full name `token` stands for, or None when none or several fit."""
        words = natural_name(token.strip().lstrip("@")).split()
        if not words or _NOBODY.match(" ".join(words)):
            return None
        whole = fold(" ".join(words))
        if whole in self.handles:
            return self.handles[whole]
        exact = [name for name in self.full_names if fold(name) == whole]
        if exact:
            return exact[0]
        if len(words) == 2 and fold(words[0]) in HONORIFICS:
            surname = [name for name in self.full_names if fold(name.split()[-1]) == fold(words[1])]
            return surname[0] if len(surname) == 1 else None
        if len(words) > 1:
            # "Rosa L", "Rosa Lima-Santos": the first word decides, the rest must agree with the surname.
            fits = [
                name
                for name in self.full_names
                if _fits(fold(words[0]), name, self.nicknames)
                and fold(name.split()[-1]).startswith(fold(words[-1])[:1])
            ]
            if len(fits) == 1:
                return fits[0]
            folded = [fold(word) for word in words]
            by_surname = [name for name in self.full_names if _by_later_part(folded, [fold(p) for p in name.split()])]
            return by_surname[0] if len(fits) == 0 and len(by_surname) == 1 else None
        if whole in CHAT_WORDS:
            return None
        fits = [name for name in self.full_names if _fits(whole, name, self.nicknames)]
        if not fits and words[0][:1].isupper():
            # "Kip" for Dennis Kiprotich, written as a name ("sos", Spanish for "you are", is not Carolina Sosa), and
            # only when no name fits better ("Sam" is Sam Okafor, not Priya Samuels)
            fits = [name for name in self.full_names if _starts_surname(whole, name)]
        return fits[0] if len(fits) == 1 else None


def _starts_surname(handle: str, full_name: str) -> bool:
    """`handle` is the start of `full_name`'s surname, not all of it: a nickname cut from the surname."""
    parts = full_name.split()
    surname = fold(parts[-1]) if parts else ""
    return len(handle) >= MIN_PREFIX and surname != handle and surname.startswith(handle)


def _short_spelling(name: str, full_name: str, nicknames: dict[str, str]) -> bool:
    """`name` spells `full_name` shorter: its first word fits the first name, its last starts the surname."""
    words, full = [fold(w) for w in name.split()], [fold(w) for w in full_name.split()]
    if not (words and full and words[-1]) or words == full:
        return False
    if len(words) == 2 and _by_later_part(words, full):
        return True
    if not full[-1].startswith(words[-1]):
        return False
    return _fits(words[0], full[0], nicknames) and len(words) <= len(full)


def _by_later_part(words: list[str], full: list[str]) -> bool:
    """Folded `words` name the folded `full` name by a later part of it and the first letter: "Caro Vélez" for
    Carolina Vélez Arango, "Mafe Rojas" for María Fernanda Rojas."""
    return words[-1] in full[1:] and words[0][:1] == full[0][:1]


def _fits(handle: str, full_name: str, nicknames: dict[str, str]) -> bool:
    """Handle shapes teams use: first, last, first+last, f+last, first+l, initials, a prefix, a nickname."""
    if not handle:
        return False
    parts = [fold(part) for part in full_name.split() if fold(part)]
    first, last, rest = parts[0], parts[-1], "".join(parts[1:])
    initials = "".join(part[0] for part in parts)
    # each half of a double surname is a surname of its own: "mruiz" and "molmedo" for Marta Ruiz-Olmedo
    surnames = {last} | {fold(half) for half in re.split(r"[-'\u2019]", full_name.split()[-1]) if len(fold(half)) > 1}
    shapes = {first, first + rest, first[0] + rest, first + last[0], initials, first[0] + last[0]}
    shapes |= surnames | {first[0] + surname for surname in surnames}
    if handle in shapes or nicknames.get(handle) == first:
        return True
    if len(handle) > 1 and nicknames.get(handle[:-1]) == first and handle[-1] == last[0]:
        return True  # "bec.q" for Rebecca Quist: a nickname and the surname's initial
    if len(handle) >= MIN_PREFIX and (
        first.startswith(handle) or handle.startswith(first) and len(first) >= MIN_PREFIX
    ):
        return True  # "carol" for Carolina, "sven_sec" for Sven
    if len(handle) > len(first) + 1 and (first + rest).startswith(handle):
        return True  # "li.wen" for Li Wen Hui: the name run together, cut short
    if len(handle) > MIN_PREFIX and handle[-1] == last[0] and first.startswith(handle[:-1]):
        return True  # "sam_b" for Samir Benali: a prefix of the first name and the surname's initial
    if _pet_name(handle, first):
        return True  # "jules" for Julia, "mick" for Michael, "ondrak" for Ondřej
    if (
        len(handle) >= MIN_PREFIX + 1
        and handle != first
        and handle in {first[-len(handle) :], first[-len(handle) - 1 : -1]}
    ):
        return True  # the end of the name: "ness" for Vanessa, "tina" for Christina, "drew" for Andrew
    if len(handle) >= 3 and handle[0] == first[0] and handle[1] == last[0] and _in_order(handle[2:], last[1:]):
        return True  # "jbx" and "jbaxtr" for Jonah Baxter: the initials, then letters of the surname in order
    lead = handle[: len(handle) - len(last)]
    # "mokafor" for Mercy Okafor, and "sw.jung" for Sangwoo Jung: letters of the first name in order, then the surname
    return len(handle) > len(last) and handle.endswith(last) and lead[0] == first[0] and _in_order(lead[1:], first[1:])


def _in_order(letters: str, word: str) -> bool:
    """Every letter of `letters` appears in `word`, in the same order."""
    rest = iter(word)
    return all(letter in rest for letter in letters)


def _pet_name(handle: str, first: str) -> bool:
    """A short form of the first name that changes its ending: at least its first three letters and half the
    handle's, and no longer than the name and one more letter."""
    shared = len(os.path.commonprefix([handle, first]))
    return shared >= MIN_PREFIX and 2 * shared >= len(handle) and len(handle) <= len(first) + 1
