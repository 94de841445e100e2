"""The last resort for a flagged sentence that no clause of its parse can rephrase: for an order or a sanction, a
plain systemic instruction built from the parse; for anything else, nothing (the finding's suggestion stands).

An order to a person ("Nils must double-check every firewall change", "Issue a written warning to any engineer who
bypasses the change calendar") -> "Add an automated check for every firewall change." (the systemic step instead of
the person's); "Why was Klaus allowed to push to main without review?" -> "What allowed pushing to main without
review?".

The things are the outermost noun phrases of the parse that name no person and hold every number, time and
system name of the sentence; a verdict adjective in them ("the lovely outage", "our annual fat-finger") goes.
Always review: the instruction says what to look at, not what happened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.blameless.sentence import PERSONAL_THINGS

if TYPE_CHECKING:
    from spacy.tokens import Token

    from pipeline.blameless.sentence import Rewrite, _Builder

# Labels of an action item or a fix ("AI-3:", "Action from retro:", "Why 5, fix:"): what follows is an order.
_ACTION_LABEL = re.compile(r"(?:\bai-\d+|\baction\b[^:]{0,30}|\bfix|\btodo|\bfollow-?up|\bdecision)\s*:\s*$", re.I)
# Modals that make a person's clause an order ("Nils must ...", "Quentin needs to be disciplined").
_ORDER_MODALS = frozenset({"must", "should", "shall", "will", "need", "needs", "have", "has"})
# Subtree parts a thing's phrase may hold besides its head (no verb, no clause, no person).
_PHRASE_PARTS = frozenset(
    {"det", "amod", "compound", "nummod", "prep", "pobj", "punct", "case", "poss", "nmod", "quantmod", "cc", "conj"}
)
_THING_ROLES = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "conj", "ROOT"})
# Heads that are no thing to look at: pronouns, vague nouns, a person's qualities or the blame itself.
_NOT_THINGS = frozenset(
    "thing things stuff idea work time times way attention care nothing everything something anything "
    "warning idea move feeling consensus poll room fault blame mistake error judgment judgement extra option "
    "second minute hour day night morning evening afternoon week weekend month year group department org shift "
    "bridge".split()
)
# Sanctions named as things, and what a sanction takes from a person: an order about them is still about people.
_SANCTION_THINGS = PERSONAL_THINGS | frozenset(
    "training retraining course refresher warning reprimand performance sign signoff senior lead supervision".split()
)
# Everyone at once ("remind everyone to ..."): people, like a role noun.
_EVERYONE = frozenset({"everyone", "everybody", "all", "staff", "folks"})
_OPENERS_NOT_THINGS = frozenset({"no", "any", "both", "either", "neither", "whose", "which"})


def last_resort(sentence: str, people: Sequence[str]) -> Rewrite | None:
    """The instruction for `sentence`, or None when its parse names no thing, or the things it names leave out a
    number, time or system name (the check is done again on the result: it must be clean and keep the facts)."""
    from pipeline.blameless.sentence import (
        _FACT,
        _SYSTEMIC_IN_PLACE,
        _SYSTEMIC_INSTEAD,
        _Builder,
        _reviewed,
        _sanctions,
        _split_label,
        parse,
        plain_words,
        restore_names,
        stand_in_names,
    )

    prefix, body = _split_label(sentence)
    label, _, rest = body.rpartition(": ")
    if label and len(label.split()) <= 6 and not _names_someone(label, people):
        prefix, body = prefix + label + ": ", rest  # "Quick poll: whose ...", "Why 5, fix: Quentin ..."
    elif label:
        prefix, body = prefix, rest  # "Open question from Dave: ...": the label names a person, it goes
    if not body.strip():
        return None
    stood_in, names = stand_in_names(plain_words(body))
    builder = _Builder(parse(stood_in), frozenset(people))
    allowed = _allowed_question(builder)
    if allowed is not None:  # "Why was Klaus allowed to push to main without review?"
        asked = _reviewed(prefix.lstrip(), restore_names(allowed, names), sentence, people, "question")
        if asked is not None:
            return asked
    if not an_order(builder, prefix):
        if not _sanctions(sentence, people):
            # not an order: "Describe what happened to <a phrase of the sentence>" was offered here, and reviewers
            # who read only the corpus judged every one of them bad (a template with a fragment pasted in); the
            # finding's own suggestion says what to do instead
            return None
        # a sanction or a plea for care told, not ordered ("the staff member responsible has been disciplined",
        # "Written warning for whoever ...", "pls everyone be more careful"): what its sentence names is not what a
        # check would be for, so the instruction names nothing, and a sentence with a number, time or system name
        # to keep gets none
        text = _SYSTEMIC_IN_PLACE
    else:
        things = _things(builder)  # an order's thing may sit in its clause ("... who bypasses X")
        if not things and _FACT.search(body):
            return None
        if not things or any(d.lemma_.lower() in _SANCTION_THINGS for t in things for d in t.subtree):
            # "Quentin needs to be disciplined so that ...": no thing to guard, say what to do; nor is a training
            # ("Haruto to redo the deploy training") a thing to put a check on
            text = _SYSTEMIC_INSTEAD[:1].upper() + _SYSTEMIC_INSTEAD[1:] + "."
        else:
            text = f"Add an automated check for {_listed([_rendered(builder, t, names) for t in things])}."
    prefix = re.sub(r"\s*\bbecause\s*$", " ", prefix, flags=re.I).lstrip()
    return _reviewed(prefix, text, sentence, people, "instruction")


def _allowed_question(builder: _Builder) -> str | None:
    """ "Why was Klaus allowed to push to main without review?" -> "What allowed pushing to main without
    review?": a question about why a person was let do a step asks what let the step happen."""
    from pipeline.blameless.sentence import _gerund_phrase

    doc = builder.doc
    root = next(iter(doc.sents)).root
    if not doc.text.rstrip().endswith("?") or root.lemma_ not in {"allow", "permit", "let"}:
        return None
    if not any(builder.is_person(c) for c in root.children if c.dep_ in {"nsubjpass", "nsubj", "dobj"}):
        return None
    step = next((c for c in root.children if c.dep_ in {"xcomp", "ccomp"} and c.pos_ == "VERB"), None)
    phrase = _gerund_phrase(builder, step) if step is not None else None
    return None if phrase is None else f"What allowed {phrase.rstrip(' ?')}?"


def _names_someone(text: str, people: Sequence[str]) -> bool:
    from pipeline.blameless.sentence import _names_person

    return any(_names_person(word, people) for word in re.findall(r"[A-Za-z]+", text))


def _things(builder: _Builder) -> list[Token]:
    """The outermost thing phrases, in sentence order, that together hold every fact; [] when a fact is left
    out. With no fact in the sentence, the things are its objects and subjects that are not people."""
    from pipeline.blameless.sentence import _FACT, _STAND_INS, _amount_or_date

    doc = builder.doc
    candidates = [t for t in doc if _is_thing(t, builder)]
    spans = {t.i: {d.i for d in t.subtree} for t in candidates}
    outer = [t for t in candidates if not any(t.i in spans[o.i] and o.i != t.i for o in candidates)]
    facts = {t.i for t in doc if _FACT.fullmatch(t.text) or t.lower_ in _STAND_INS}
    if facts:
        chosen = [t for t in outer if spans[t.i] & facts]
        covered = set().union(*(spans[t.i] for t in chosen)) if chosen else set()
        if not facts <= covered:
            return []
        return [t for t in chosen if not _amount_or_date(t)][:3]
    # no fact to keep: the one thing the sentence is most about, an argument of its main verb if it has one
    root = next(iter(doc.sents)).root
    arguments = [c for c in root.children if c.dep_ in _ARGUMENTS]
    arguments += [p for c in root.children if c.dep_ == "prep" for p in c.children if p.dep_ == "pobj"]
    if any(_misparsed(t, builder) for t in arguments):
        return []  # "Fatima pasted the staging token into X": a verb read inside the object, no faithful thing
    usable = [t for t in outer if not _amount_or_date(t) and _determined(t)]
    ranked = sorted(usable, key=lambda t: (t not in arguments, _depth(t), t.i))
    return ranked[:1]


# Where the thing a sentence is about stands, before the object of a preposition.
_ARGUMENTS = frozenset({"nsubj", "nsubjpass", "dobj", "attr"})


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i:
        token, depth = token.head, depth + 1
    return depth


def _misparsed(token: Token, builder: _Builder) -> bool:
    """A noun argument with a verb inside its phrase that is no clause of its own: the tagger misread it."""
    if token.pos_ not in {"NOUN", "PROPN"} or builder.is_person(token):
        return False
    if token.pos_ == "PROPN" and token.text.islower():
        return True  # "left debug logging on": a lower-case word taken for a name
    return any(
        d.pos_ == "VERB" and (d.dep_ in {"compound", "nmod"} or d.dep_ == "acl" and d.i == token.i + 1)
        for d in token.subtree
    )  # "the staging token" read as "the staging (that was) token'd"


def _determined(token: Token) -> bool:
    """ "the login", "database migrations", "every firewall change": a phrase a reader can point at, not a bare
    noun that may be a misparse or a manner ("permission", "by hand", "debug")."""
    children = {c.dep_ for c in token.children}
    return bool(children & {"det", "poss", "compound", "nummod"}) or token.pos_ == "PROPN" and token.text[:1].isupper()


def _is_thing(token: Token, builder: _Builder) -> bool:
    """A noun phrase about a thing: a noun in an argument's place, no person, verb or clause inside, and a
    determiner in front of a phrase of several words unless it follows a preposition or is the object."""
    if token.pos_ not in {"NOUN", "PROPN"} or token.dep_ not in _THING_ROLES or token.lemma_.lower() in _NOT_THINGS:
        return False
    from pipeline.blameless.sentence import _FACT, _ROLES, _STAND_INS, _verb_form, _verbal

    subtree = list(token.subtree)
    owners = {d.i for d in subtree if d.dep_ == "poss" and d.head.i == token.i} | {
        d.i for d in subtree if d.dep_ == "case" and d.head.dep_ == "poss" and d.head.head.i == token.i
    }  # "Kai's prod access": the owner is rendered "the", the thing stays
    if any(builder.is_person(d) or d.lemma_.lower() in _ROLES | _EVERYONE for d in subtree if d.i not in owners):
        return False
    if not all(
        d.dep_ in _PHRASE_PARTS and not _verbal(d, {"VERB", "AUX", "ADV", "PRON"}) for d in subtree if d != token
    ):
        return False
    opener = token.doc[token.left_edge.i]
    if opener.lower_ in _OPENERS_NOT_THINGS:
        return False
    if len(subtree) == 1:
        named = token.pos_ == "PROPN" and token.text[:1].isupper()
        return named or token.lower_ in _STAND_INS or _FACT.fullmatch(token.text) is not None
    if opener.dep_ in {"det", "poss"}:
        return True
    # "database migrations"; not "checkout-svc point", where the tagger took the verb for the head noun
    return token.dep_ in {"pobj", "dobj"} and not _verb_form(token.text)


def _rendered(builder: _Builder, token: Token, names: dict[str, str]) -> str:
    """The phrase of `token` without its verdict adjectives, possessives made "the", names put back."""
    from pipeline.blameless.sentence import _mid_sentence, restore_names, tone_words

    tone = tone_words()
    words: list[str] = []
    for t in token.subtree:
        if t.dep_ == "amod" and t.lower_ in tone:
            continue
        if t.dep_ == "poss":
            words.append("the ")
            continue
        if t.dep_ == "case" and t.head.dep_ == "poss":
            continue
        words.append(t.text_with_ws)
    phrase = re.sub(r"\bthe the\b", "the", "".join(words).strip())
    phrase = restore_names(re.sub(r"\s+([,.;:?!)])", r"\1", phrase), names).rstrip(" ,;:.!?")
    return _mid_sentence(phrase)


def _listed(phrases: list[str]) -> str:
    if len(phrases) < 2:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def an_order(builder: _Builder, prefix: str) -> bool:
    """An action item or an order about a person: an action label, an imperative, or a person's clause with a
    modal of obligation ("Nils must ...", "Quentin needs to be disciplined", "Haruto to redo the training")."""
    from pipeline.blameless.sentence import punishing_words

    punishing = punishing_words()
    if not any(t.lemma_.lower() in punishing or t.lower_ in punishing for t in builder.doc):
        return False  # "Dave should remove the feature flag": an ordinary action item, work to do
    if _ACTION_LABEL.search(prefix.strip()):
        return True
    root = next(iter(builder.doc.sents)).root
    if (
        root.tag_ in {"VB", "VBP"}
        and root.i == 0
        and not any(c.dep_ in {"nsubj", "nsubjpass", "expl"} for c in root.children)
    ):
        return True
    if any(t.tag_ == "VB" and t.lemma_.lower() in punishing and t.head.lemma_ == "let" for t in builder.doc):
        return True  # "Sure, let's just confiscate Sven's laptop, that'll fix deploy safety": the order inside
    subject = builder.person_subject(root)
    if subject is None:
        return False
    if root.lemma_ in {"need", "get", "receive", "deserve"} and any(
        c.dep_ == "dobj" and c.lemma_.lower() in _SANCTION_THINGS for c in root.children
    ):
        return True  # "Jonas needs a formal warning on file for this"
    modal = any(c.dep_ == "aux" and (c.lower_ in _ORDER_MODALS or c.lower_ == "to") for c in root.children)
    return modal or root.lemma_ in {"need", "have"} and any(c.dep_ == "xcomp" for c in root.children)
