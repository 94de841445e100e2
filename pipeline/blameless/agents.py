"""The `agent` matcher kind: is the predicate's subject (or object) a person?

No part-of-speech tagger: a short look at the words next to the predicate decides. A person is a roster
or first name, a pronoun, a possessive of either ("Dave's commit"), or a role noun with a determiner
("the on-call engineer", "an intern"). Tool and product names are never persons unless a roster says so.
"""

from __future__ import annotations

import re

from pipeline import regex_cache
from pipeline.blameless.people import Roster, unknown_name, word_first_names

_TOKEN = regex_cache.compile(r"[^\W\d_][\w'’-]*|\d+[^\W\d_][\w-]*|\S")
# a sentence or clause boundary; the dot of "3.4.1" and the colon of "16:15" are inside a word or time
# (the dot of a title is no boundary either: "Mr. Okonkwo deleted ...")
_BOUNDARY = regex_cache.compile(r"[\x03!?;()\[\]]|(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)\.(?!\w)|:(?!\d)")
# An aside right before the predicate: a short parenthetical ("Mehmet (dev)", "the deployer (on-call)") or a comment
# between commas ("the SRE team, as usual, ignored ...", "Dave, once again, broke prod").
_ASIDE_AT_END = regex_cache.compile(
    r"(?<=\w)[ \t]*(?:\([^()\n]{1,30}\)|,[ \t]*(?:as usual|as always|as ever|once again|yet again|again|of course|"
    r"predictably|naturally|apparently|somehow|for some reason|as expected|it seems|of all people|"
    r"in (?:his|her|their) (?:infinite )?wisdom)[ \t]*,)[ \t]*\Z",
    re.IGNORECASE,
)
_FILLERS = frozenset(
    "just then also later again still never had has have already actually apparently ultimately "
    "subsequently immediately simply quickly accidentally mistakenly inadvertently really totally completely "
    "badly royally seriously kinda sorta basically literally clearly obviously evidently honestly manually "
    "personally directly hastily quietly silently once himself herself themselves myself yourself always constantly "
    "repeatedly".split()
)
_PRONOUNS = frozenset(
    {
        "I",
        "i",  # chat: "i broke prod"
        "He",
        "he",
        "She",
        "she",
        "Someone",
        "someone",
        "Somebody",
        "somebody",
        "You",
        "you",
        "u",  # chat: "if u had run the dry-run"
        "Whoever",
        "whoever",
        "Whomever",
        "whomever",
    }
)
_WE = frozenset({"We", "we"})
_THEY = frozenset({"They", "they"})
_OBJECT_PRONOUNS = frozenset({"him", "her", "me", "you", "them"})
_POSSESSIVE_PRONOUNS = frozenset({"his", "her", "my", "your", "ur", "His", "Her", "My", "Your"})
# "whose" too: "a DNS provider whose engineers misconfigured our zone" (the engineers are the subject)
_DETERMINERS = frozenset(
    "the a an our their this that one another his her my your some every each any whose "
    "two three four five several both all many".split()  # "two engineers forgot ..."
)
ROLE_NOUNS = frozenset(
    "engineer developer dev operator admin administrator sre on-call oncall on-caller intern reviewer author "
    "contractor responder team ops dba employee lead person individual staffer analyst technician assignee "
    "consultant committer maintainer approver tester hire newcomer joiner guy dude bro newbie personnel "
    "sysadmin coworker colleague teammate staff deployer releaser commander folks squad crew eng swe sde "
    # outside software, in regulated-industry reports: "resulted from Nurse Adeyemi programming the pump"
    "nurse pharmacist physician clinician doctor pilot dispatcher clerk cashier teller registrar surgeon anaesthetist "
    "anesthetist midwife paramedic captain officer trader"
    # the incident commander by the title's letters: "11:20 IC makes the wrong call"
    " ic".split()
)
# "member" is a person only as a member of a group of people ("a team member", "an S3 staff member").
_MEMBER_OF = frozenset("team staff crew squad ops sre support".split())
# Words that may stand between a clause start and a bare role noun: "tired admin", "new guy", "CP team member".
_ROLE_MODIFIERS = frozenset(
    "new junior senior tired exhausted sleepy distracted same other our their poor lone former "
    "responsible assigned primary secondary backup on-call oncall on-duty duty".split()
)
TEAM_NAMES = frozenset(
    {"Ops", "SRE", "SREs", "DBA", "DBAs", "DevOps", "Infra", "QA", "Security", "Support", "IT", "Backend", "Frontend"}
    | {"Networking", "Eng", "Engineering", "Platform", "Mobile"}
    | {"SecOps", "NetOps", "SysOps", "InfoSec", "AppSec", "DataEng", "MLOps", "FinOps", "ITOps"}
)
_ARTIFACTS = frozenset(
    "commit commits change changes pr prs deploy deployment push merge script config configuration migration "
    "patch query command rollout release update edit typo fix code diff branch refactor refactoring upgrade bump "
    "hotfix cleanup job cron edits tweak work handling rotation apply failover experiment backfill purge restart import upload".split()
)
# A prepositional phrase after an artifact names what it touched: "Ana's change to max_conns on pg-1 broke ...".
_ARTIFACT_PREPOSITIONS = frozenset("of to on in for at against from".split())


_FREE_RELATIVES = frozenset({"whoever", "whomever"})
_RELATIVE_PRONOUNS = frozenset({"who", "that"})
# Words that open another clause: a predicate after one of them has its own subject.
_CLAUSE_OPENERS = frozenset(
    "which who that what why how where when whenever while after before because since until unless if and but "
    "or so although though once whereas as".split()
)
# Finite verbs a relative clause is likely to hold besides regular -ed forms; two finite verbs between the
# relative subject and the predicate mean the predicate probably belongs to another clause.
_IRREGULAR_FINITE = frozenset(
    "was were is are had has did said says told thought thinks knew knows saw ran made went got took wrote "
    "put sent left found gave came became began brought kept felt heard meant".split()
)

_CLAUSE_SUBJECTS = _DETERMINERS | {"it", "they", "he", "she", "we", "i", "you", "there"}


def _tokens(window: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(window))


def _base(word: str) -> str:
    """Strip a possessive ending: "Dave's" -> "Dave"."""
    for ending in ("'ve", "’ve", "'ll", "’ll", "'d", "’d"):
        if word.endswith(ending):
            return word[: -len(ending)]  # "you've", "he'd": the pronoun
    for ending in ("'s", "’s", "s'", "s’"):
        if word.endswith(ending):
            return word[: -len(ending)] if ending[0] in "'’" else word[:-1]
    return word


def _is_possessive(word: str) -> bool:
    return word.endswith(("'s", "’s")) or word in _POSSESSIVE_PRONOUNS


# Nouns a role noun qualifies without being a person: "the admin session", "the operator console".
_THINGS_A_ROLE_NAMES = frozenset(
    "session sessions token tokens key keys password passwords credential credentials cookie console panel portal "
    "dashboard api ui endpoint interface account accounts page".split()
)
# Capitalized words before "group" that name a cloud or database object: "Auto Scaling group", "Security group".
_THING_GROUPS = frozenset(
    "security scaling autoscaling resource node instance target log placement consumer subnet parameter option "
    "replication availability user cache cluster server".split()
)
_PERSON_MANAGERS = frozenset("release engineering incident product project program delivery hiring".split())


_DESK_KINDS = frozenset("support service customer sales helpdesk help-desk desk call-center booking ticket".split())
_SHIFT_TIMES = frozenset(
    "night day late early evening morning weekend overnight graveyard swing previous last outgoing".split()
)


def qualified_role(word: str, previous: str) -> bool:
    """A noun that names people only after `previous`: "support agent", "night shift" (not "the monitoring
    agent", "a shift in traffic"); the rewrite reads roles the way the check does."""
    lowered = word.lower()
    if lowered in ("shift", "shifts"):
        return previous.lower() in _SHIFT_TIMES
    if lowered in ("agent", "agents"):
        return previous.lower() in _DESK_KINDS
    return False


def _role(word: str, previous: str = "") -> bool:
    """A role noun; "manager" only as a person's title ("release manager", not "package manager"), "group" only
    as a named one."""
    lowered = word.lower()
    if lowered in ("manager", "managers"):
        return previous.lower() in _PERSON_MANAGERS
    if lowered in ("member", "members"):
        return previous.lower() in _MEMBER_OF
    if qualified_role(word, previous):  # "the night shift ignored it", "a support agent issued refunds"
        return True
    if lowered in ("group", "department"):  # "the Data Engineering group", not "the node group", "the Security group"
        return previous[:1].isupper() and previous[1:2].islower() and previous.lower() not in _THING_GROUPS
    return lowered in ROLE_NOUNS or (lowered.endswith("s") and lowered[:-1] in ROLE_NOUNS)


def _role_phrase_start(tokens: list[re.Match[str]], index: int) -> int | None:
    """Index of the determiner before a role noun at `index` (up to two words between), or None.

    A bare role phrase that opens its clause counts too ("02:13 on-call missed", "welp. new guy ran",
    "..., tired admin deleted"): nothing but modifiers and group words between the clause start and it."""
    for back in range(1, 5):
        k = index - back
        if k < 0 or not _wordlike(tokens[k].group(0)) or tokens[k].group(0).lower() in _BEFORE_BARE_ROLE:
            return k + 1 if _bare_role_opener(tokens, k + 1, index) else None
        if tokens[k].group(0).lower() in _DETERMINERS or tokens[k].group(0).endswith(("'s", "’s")):
            if k > 0 and _is_gerund(tokens[k - 1].group(0)):
                return None  # "Appointing an incident manager could have helped": the role is an object
            return k  # "the on-call engineer", "Knight's personnel"
    return None


def _wordlike(token: str) -> bool:
    """A word, or a name with digits in it that can stand before a role ("a 2i2c engineer", "an S3 team member")."""
    return token[0].isalpha() or (any(c.isalpha() for c in token) and token[0].isdigit() and token.isalnum())


# Words in -ing that are not verbs, so a role phrase after them is no gerund's object.
_NOT_GERUNDS = frozenset(
    "during something nothing anything everything thing morning evening string spring king ring bring sing "
    "ceiling building meeting wedding warning following".split()
)


def _is_gerund(word: str) -> bool:
    """A verb in -ing that takes the next noun phrase as its object ("appointing", "paging", "asking")."""
    lowered = word.lower()
    return len(lowered) > 5 and lowered.endswith("ing") and lowered not in _NOT_GERUNDS


def _bare_role_opener(tokens: list[re.Match[str]], start: int, index: int) -> bool:
    """Whether tokens[start:index] are only modifiers of the role noun at `index` and the phrase opens a clause
    (at the window start, or after a number, comma or other non-word token)."""
    if start > 0:
        previous = tokens[start - 1].group(0)
        if previous.lower() not in _BEFORE_BARE_ROLE and (previous[0].isalpha() or previous not in _OPENER_MARKS):
            return False
    between = [t.group(0) for t in tokens[start:index]]
    if len(between) == 1 and between[0].isalpha() and tokens[index].group(0).lower() in _NAMED_BY_ONE_WORD:
        # one word names the group or the job: "Network team changed the firewall", "Night shift ignores the alert",
        # "Release manager merged the wrong branch", "data eng dropped the ball"
        return True
    return all(
        w.lower() in _ROLE_MODIFIERS
        or w.lower() in _MEMBER_OF
        or w.lower() in ROLE_NOUNS
        or w.isupper()
        or w in TEAM_NAMES
        for w in between
    )  # "contractor dude misconfigured the vpn": a role noun may qualify another


_GROUPS = frozenset({"team", "squad", "crew"})
# Nouns a single word before them makes a group or a job title at the start of a clause ("Night shift", "Release
# manager", "data eng"); not "operator" or "agent", which also name software ("Kafka operator restarted the brokers").
_NAMED_BY_ONE_WORD = _GROUPS | frozenset(
    "shift shifts manager managers lead leads engineer engineers developer developers dev devs eng person captain "
    "owner admin admins dba dbas".split()
)


def _person_at(tokens: list[re.Match[str]], index: int, roster: Roster, allow_we: bool) -> int | None:
    """If the noun phrase ending at tokens[index] is a person, the index where that phrase starts."""
    word = tokens[index].group(0)
    base = _base(word)
    if word in _PRONOUNS or base in _PRONOUNS or (allow_we and word in _WE):
        return index
    if word in _THEY and _mentions_people(tokens[:index], roster):
        return index  # "Rosa's team wrote that job, they should have tested it": "they" are those people
    previous = tokens[index - 1].group(0) if index > 0 else ""
    if _mention(tokens, index):
        return index - 1  # "@ewa should have paused the deploy": a chat mention names a person
    if _dotted_mention(tokens, index):
        return index - 3  # "@marcus.t nuked the keyspace": the last part of a handle with a dot in it
    if (
        _first_name(base, roster)
        or (_capitalized(base) and _capitalized(previous) and _first_name(previous, roster))  # "Dave O'Brien"
        or (_capitalized(base) and _titled(tokens, index))  # "Mr. Okonkwo", "Dr Sato": any name after a title
        or (previous.lower() not in _DETERMINERS and _lowercase_first_name(base, roster))
        or (base.islower() and _lowercase_first_name(previous, roster) and unknown_name(base))  # "dmitri volkov"
        or (roster.use_first_names and _word_name_mid_sentence(base, previous))
    ):
        start = index
        if base.islower() and _lowercase_first_name(previous, roster):
            start -= 1  # "dmitri volkov": the lower-case first name before the family name
        while (
            start > 0 and _first_name(tokens[start - 1].group(0), roster) and tokens[start - 1].group(0)[:1].isupper()
        ):
            start -= 1
        if _capitalized(tokens[start].group(0)) and _titled(tokens, start):  # the title opens the name: "Mrs. Kowalska"
            start -= 2 if tokens[start - 1].group(0) == "." else 1
        return start
    previous = tokens[index - 1].group(0) if index > 0 else ""
    if _role(base, previous):
        det = _role_phrase_start(tokens, index)
        if det is not None:
            return det
    if base in TEAM_NAMES:
        return index
    if (
        base.islower()
        and base != "it"
        and {base.upper(), base.capitalize()} & TEAM_NAMES
        and (index == 0 or previous.lower() in _DISCOURSE)
    ):
        return index  # chat's lower case, opening its clause: "qa must've had a long lunch" (not "it", the pronoun)
    if _role(base, previous) and word[:1].isupper() and base.lower().endswith("s") and index == 0:
        return index  # "Engineers must ..." at the start of a sentence
    return None


def _word_name_mid_sentence(word: str, previous: str) -> bool:
    """A given name that is also a word ("Grace", "Will"), capitalized after a word or comma of the same sentence:
    "the outage is on Grace"; not "Will" opening a question, nor "the Rose dashboard" (a determiner before it)."""
    return (
        word in word_first_names()
        and (previous[:1].isalpha() or previous == ",")
        and previous.lower() not in _DETERMINERS
    )


_TITLES = frozenset("Mr Mrs Ms Mx Dr".split())  # the tokens split off the dot of "Mr."


def _titled(tokens: list[re.Match[str]], index: int) -> bool:
    """tokens[index] follows a person's title ("Mr. Okonkwo", "Ms Ito")."""
    before = [t.group(0) for t in tokens[max(0, index - 2) : index]]
    if before[-1:] == ["."]:
        before = before[:-1]
    return bool(before) and before[-1] in _TITLES


# Mentions that address a channel, not a person (the rewrite's parse reads them too)
CHANNEL_MENTIONS = frozenset({"here", "channel", "everyone", "all"})


def _mention(tokens: list[re.Match[str]], index: int) -> bool:
    """tokens[index] is the name of an "@name" mention ("@ewa", "@kai's"), not "@here" or "@channel"."""
    if index == 0 or tokens[index - 1].group(0) != "@" or tokens[index - 1].end() != tokens[index].start():
        return False
    return _base(tokens[index].group(0)).lower() not in CHANNEL_MENTIONS


def _dotted_mention(tokens: list[re.Match[str]], index: int) -> bool:
    """tokens[index] ends an "@first.last" mention ("@marcus.t", "@ana.costa"): the dot splits the handle in two."""
    return (
        index >= 3
        and tokens[index - 1].group(0) == "."
        and tokens[index - 2].end() == tokens[index - 1].start()
        and tokens[index - 1].end() == tokens[index].start()
        and _mention(tokens, index - 2)
    )


def _capitalized(word: str) -> bool:
    """A capitalized word with a lower-case letter after its capital: "Wierzbicki", "O'Brien", not "API"."""
    return word[:1].isupper() and any(char.islower() for char in word[1:])


def _first_name(word: str, roster: Roster) -> bool:
    """A first name, also in parts joined by hyphens ("Jean-Luc", "Anne-Marie": each capitalized, the first a
    first name)."""
    if roster.is_person_name(word):
        return True
    parts = word.split("-")
    return len(parts) > 1 and all(_capitalized(part) for part in parts) and roster.is_person_name(parts[0])


# Lower-cased first names that are also ordinary words or tool names stay words in chat ("hugo", "julia").
_LOWERCASE_NOT_NAMES = frozenset("hugo julia mason logan jordan taylor kelly casey chef sage bruno nova".split())


def _lowercase_first_name(word: str, roster: Roster) -> bool:
    """A first name typed in lower case, as chat does ("tbh paul just needs to ..."); four letters or more, or
    three that make no English word ("raj neglected to drain node-7", not "bob" or "max")."""
    return (
        len(word) >= 3
        and word.islower()
        and word not in _LOWERCASE_NOT_NAMES
        and roster.is_person_name(word.capitalize())
        and (len(word) > 3 or unknown_name(word))
    )


def _named_by_who(tokens: list[re.Match[str]], index: int) -> bool:
    """A capitalized word that a "who" clause describes is a person: "on Grace, who approved the PR"."""
    word = tokens[index].group(0)
    rest = [t.group(0).lower() for t in tokens[index + 1 : index + 3]]
    return word[:1].isupper() and word.isalpha() and (rest[:1] == ["who"] or rest == [",", "who"])


def _block_mentions_people(masked: str, end: int, roster: Roster) -> bool:
    """Whether the paragraph before `end` (at most 400 characters back) names a person, a role or a team."""
    start = max(masked.rfind("\x03", 0, end) + 1, end - 400)
    return _mentions_people(_tokens(masked[start:end]), roster)


def _mentions_people(tokens: list[re.Match[str]], roster: Roster) -> bool:
    """Whether the words before a "they" name a person, a role or a team (so "they" most likely means them)."""
    for i, token in enumerate(tokens):
        word = token.group(0)
        previous = tokens[i - 1].group(0) if i > 0 else ""
        if roster.is_person_name(_base(word)) or _role(_base(word), previous) or word in TEAM_NAMES:
            return True
    return False


def subject_before(masked: str, start: int, roster: Roster, allow_we: bool) -> int | None:
    """Offset where a person subject of the predicate at `start` begins, or None."""
    window_start = max(0, start - 120)
    window = masked[window_start:start]
    while (aside := _ASIDE_AT_END.search(window)) is not None:
        window = window[: aside.start()] + " "  # "09:42 Mehmet (dev) broke ...": an aside is not a boundary
    cut = max((m.end() for m in _BOUNDARY.finditer(window)), default=0)
    modified = _ROLE_POSTMODIFIER.search(window, cut)
    tokens = _tokens(window[cut : modified.end(modified.lastindex or 1)] if modified else window[cut:])
    if tokens and masked[start : start + 2] in {"'s", "’s"} and _unknown_owner(tokens[-1].group(0), roster):
        return window_start + cut + tokens[-1].start()  # "it was marat's push at 4:58pm that nuked the cache"
    skipped = 0
    while tokens and skipped < 2 and tokens[-1].group(0).lower() in _FILLERS:
        tokens.pop()
        skipped += 1
    if tokens and tokens[-1].group(0).lower() in _COORDINATORS:
        # "Dave deployed build 7781 and took down auth-gateway": the subject of the first predicate
        # a causal or time clause opens its own subject: "... stopped because Ruth turned X off and didn't tell"
        opened = max((i + 1 for i, t in enumerate(tokens[:-1]) if t.group(0).lower() in _SUBORDINATORS), default=0)
        # a relative clause's two steps: "the on-call who acked and went back to sleep"
        relative = next(
            (
                i
                for i in range(len(tokens) - 2, max(opened, len(tokens) - 6), -1)
                if tokens[i].group(0).lower() == "who"
            ),
            None,
        )
        if relative is not None:
            owner = relative - 1 if tokens[relative - 1].group(0) != "," else relative - 2
            found = _person_at(tokens, owner, roster, allow_we=False) if owner >= opened else None
            if found is not None:
                return window_start + cut + tokens[found].start()
        found = _clause_subject(tokens[opened:-1], roster, allow_we)
        return None if found is None else window_start + cut + tokens[opened + found].start()
    if len(tokens) > 1 and tokens[-1].group(0).lower() == "who":
        # the predicate is the relative clause itself: "the engineer who accidentally removed the data"
        owner = len(tokens) - 2 if tokens[-2].group(0) != "," else len(tokens) - 3
        found = _person_at(tokens, owner, roster, allow_we=False) if owner >= 0 else None
        return None if found is None else window_start + cut + tokens[found].start()
    if len(tokens) > 1 and _identifier_or_quote(tokens[-1].group(0)):
        owner = _artifact_owner(tokens, roster, allow_we)  # "your migration 0042 is what locked ..."
        if owner is not None:
            return window_start + cut + tokens[owner].start()
    if len(tokens) > 1 and (tokens[-1].group(0) == "," or tokens[-1].group(0).isdigit()):
        # "Dave, who merged it, broke checkout"; "whoever pushed #2291 forgot to ..."; "Sven, visibly tired, ran"
        found = _relative_subject(tokens, len(tokens) - 2, roster)
        if found is None and tokens[-1].group(0) == ",":
            found = _appositive_subject(tokens, roster)
        if found is None and tokens[-1].group(0) == ",":
            found = _participle_insert_owner(tokens, roster, allow_we)
        return None if found is None else window_start + cut + tokens[found].start()
    if len(tokens) > 2 and tokens[-1].group(0).lower() in _ON_DUTY and tokens[-2].group(0).lower() == "on":
        del tokens[-2:]  # "the SRE on duty misconfigured ..."
    if not tokens or not tokens[-1].group(0)[0].isalpha():
        return None
    index = len(tokens) - 1
    found = _person_at(tokens, index, roster, allow_we)
    if found is None and tokens[index].group(0) in _THEY and _block_mentions_people(masked, window_start + cut, roster):
        found = index  # "They did not request a review ...": "they" are the people the paragraph named
    if found is None:
        found = _artifact_owner(tokens, roster, allow_we)
    if found is None:
        found = _relative_subject(tokens, index, roster)
    if found is None:
        return None
    return window_start + cut + tokens[found].start()


def unknown_name_subject(masked: str, start: int, roster: Roster) -> int | None:
    """Offset of an unknown capitalized name that opens the clause of a predicate only a person fits ("Kev was half
    asleep during the 3am page"), or None. The rule pattern says the predicate fits only people (`human`)."""
    if not roster.use_first_names:
        return None
    window_start = max(0, start - 120)
    window = masked[window_start:start]
    cut = max((m.end() for m in _BOUNDARY.finditer(window)), default=0)
    tokens = _tokens(window[cut:])
    while tokens and tokens[-1].group(0).lower() in _FILLERS:
        tokens.pop()
    previous = tokens[-2].group(0) if len(tokens) > 1 else ""
    if not tokens or previous[:1].isalpha() and previous.lower() not in _CLAUSE_LEADS:
        return None  # the name opens its clause: "honestly Kev was ...", "03:14 Kev was ...", "..., and Zorvath ..."
    return window_start + cut + tokens[-1].start() if unknown_name(tokens[-1].group(0)) else None


def _unknown_owner(owner: str, roster: Roster) -> bool:
    """A possessive of a name no list holds, in chat's lower case too ("marat's 'tiny refactor'")."""
    return roster.use_first_names and unknown_name(_base(owner))


def _artifact_owner(tokens: list[re.Match[str]], roster: Roster, allow_we: bool) -> int | None:
    """The person owning the artifact right before the predicate: "Dave's commit", "your migration 0042",
    "Marco's 'tiny refactor'" (identifiers and quote marks after the artifact are skipped)."""
    index = len(tokens) - 1
    skipped = 0
    while index > 0 and skipped < 8 and _identifier_or_quote(tokens[index].group(0)):
        skipped += tokens[index].group(0) != "\x00"  # a masked quotation counts as one word however long
        index -= 1
    if index < len(tokens) - 1 and tokens[index + 1].group(0) == "\x00" and _is_possessive(tokens[index].group(0)):
        owner = tokens[index].group(0)  # "Tom's "small cleanup" took down ...": the quoted words are the artifact
        if owner in _POSSESSIVE_PRONOUNS:
            return index
        found = _person_at(tokens, index, roster, allow_we)
        return index if found is None and _unknown_owner(owner, roster) else found
    owner_index = _owner_of(tokens, index, roster, allow_we)
    if owner_index is not None:
        return owner_index
    # the artifact may be followed by what it touched, itself a thing ("Ana's change to the BGP config broke ..."):
    # the owner is before that phrase
    before = _before_trailing_phrase(tokens)
    return None if before is None else _artifact_owner(tokens[:before], roster, allow_we)


def _owner_of(tokens: list[re.Match[str]], index: int, roster: Roster, allow_we: bool) -> int | None:
    """The possessive owner of the artifact at tokens[index] ("Dave's commit", "Kim's 14:20 push"), or None."""
    if tokens[index].group(0).lower().rstrip("'’") not in _ARTIFACTS:
        return None
    k, words = index - 1, 0
    while k >= 0 and words < 3:
        owner = tokens[k].group(0)
        if _is_possessive(owner):
            if owner in _POSSESSIVE_PRONOUNS:
                return k
            found = _person_at(tokens, k, roster, allow_we)
            if found is None and _unknown_owner(owner, roster):
                return k  # "Oyelaran's hotfix breaks ...": a name no list holds still owns the change
            return found
        k -= 1
        if owner == "#" or any(c.isdigit() for c in owner) or (owner in ":./" and _has_digit(tokens, k)):
            continue  # "Kim's 14:20 push", "Ana's #412 change": a time or an id between the owner and the artifact
        if not (owner[0].isalpha() or owner in "'\"‘’“”"):
            return None
        words += 1
    return None


def _has_digit(tokens: list[re.Match[str]], index: int) -> bool:
    return index >= 0 and any(c.isdigit() for c in tokens[index].group(0))


def _before_trailing_phrase(tokens: list[re.Match[str]]) -> int | None:
    """Index of the preposition opening a short noun phrase that ends the tokens ("to max_conns", "of the
    api-gw 3.4.1"), or None: one determiner at most, and only at its start, so "to the pool the cache" (two
    noun phrases, the second a new subject) is not skipped."""
    for back in range(2, min(len(tokens), 9) + 1):
        k = len(tokens) - back
        word = tokens[k].group(0).lower()
        if word in _ARTIFACT_PREPOSITIONS:
            phrase = [t.group(0).lower() for t in tokens[k + 1 :]]
            if phrase and phrase[0] in _DETERMINERS:
                phrase = phrase[1:]
            fits = phrase and all(
                w not in _DETERMINERS and w not in _CLAUSE_OPENERS and not _is_finite_verb(w) for w in phrase
            )
            return k if fits and k > 0 else None
        if not (word[0].isalnum() or word in "._-:") or word in _CLAUSE_OPENERS:
            return None
    return None


def _identifier_or_quote(word: str) -> bool:
    """A quote mark, masked quoted text (\\x00), '#', or a word with a digit: skipped to reach the artifact."""
    return word in "'\"‘’“”#\x00" or any(c.isdigit() for c in word)


_COORDINATORS = frozenset({"and", "but", "then"})
# Verbs that take a clause without "that": "Dave said the deploy went out and took down X" is not Dave's.
_REPORTING = frozenset(
    "said says say thought thinks think reported reports mentioned told wrote confirmed "
    "believed assumed realized realised knew suspected guessed figured claimed".split()
)
_OPENER_MARKS = frozenset(",0123456789")  # a bare role phrase may follow a comma or a timestamp
# ... or a word opening a causal or time clause: "because ops dropped the ball", "when on-call restarted it"
_SUBORDINATORS = frozenset("because bc cuz coz since when after until while once".split())
# Chat asides that may open a clause before its subject: "FYI the secondary on-call acked and then ...".
_DISCOURSE = frozenset("so tbh ngl imo fwiw fyi btw lol welp well ok okay yeah honestly anyway".split())
# Words after which a bare role phrase opens its clause: "because ops dropped the ball", "tbh mobile team ships ..."
_BEFORE_BARE_ROLE = _SUBORDINATORS | _DISCOURSE
# Words that may open a clause before its subject: "honestly Kev was half asleep", "and then Rav panicked".
_CLAUSE_LEADS = _FILLERS | _COORDINATORS | _SUBORDINATORS | _DISCOURSE | {"if"}
_ON_DUTY = frozenset({"duty", "call", "shift"})
# A role noun with a phrase after it, right before the predicate: "the person responsible for the deploy".
_ROLE_POSTMODIFIER = regex_cache.compile(
    r"\b((?:person|engineer|developer|operator|admin|sre|on-call|reviewer|author|owner|responder|employee|"
    r"member|team)s?)[ \t]+(?:responsible for|in charge of|assigned to|involved in|on duty for|who (?:was|is) "
    r"on call for)(?:[ \t]+[\w#.-]+){0,4}[ \t]*\Z|\b((?:engineer|person|developer|operator|employee|responder|sre|admin|eng|dev|"
    r"member|contractor|technician|individual|intern|hire)s?)[ \t]+"
    r"(?:involved|responsible|in question|on duty|on call|on rotation|on shift|on the pager)[ \t]*\Z|\b((?:engineer|operator|admin|employee|developer|"
    r"contractor|technician|member|staff|sre|responder|guy|dev|intern|hire|person|dude|team|crew|squad)s?)[ \t]+(?:(?:working|employed|"
    r"contracted|hired) (?:for|at|by) |at |from |with |on |in )(?:the |our |their |a |an )?[\w&.-]+(?: [\w&.-]+){0,2}[ \t]*\Z|"
    r"\b(someone|somebody)[ \t]+(?:on|from|in) (?:the |our )?[\w-]+(?: team)?[ \t]*\Z|"
    # non-native English puts the group after the role: "Team of backend", "the admin of the database"
    r"\b((?:team|admin|administrator|engineer|operator|owner|lead)s?)[ \t]+of (?:the )?[\w-]+[ \t]*\Z|"
    # the step the role was taking: "the engineer applying the change did not exercise ..."
    r"\b((?:engineer|operator|admin|administrator|developer|sre|on-call|reviewer|responder|contractor|intern|hire|"
    r"person|dev|eng)s?)[ \t]+[a-z]{3,}ing (?:the |a |an |this |that |our )?[\w#.-]+(?: [\w#.-]+){0,2}[ \t]*\Z",
    re.I,
)


def _clause_subject(tokens: list[re.Match[str]], roster: Roster, allow_we: bool) -> int | None:
    """The person opening a clause whose first predicate comes before a coordinator, or None.

    The subject is the first word phrase of the window (after a timestamp or list label); no other clause may
    open between it and the coordinator, so "Dave said the deploy failed and took down X" is not his."""
    first = next((i for i, t in enumerate(tokens) if t.group(0)[0].isalpha()), None)
    if first is None:
        return None
    while first + 1 < len(tokens) and tokens[first].group(0).lower() in _DISCOURSE:
        first += 1
    if any(t.group(0).lower() in _CLAUSE_OPENERS or t.group(0).lower() in _REPORTING for t in tokens[first:]):
        return None
    for index in range(first, min(len(tokens), first + 4)):
        word = tokens[index].group(0)
        if not word[0].isalpha():
            break
        if _person_at(tokens, index, roster, allow_we) == first:
            return first
    comma = next((i for i in range(len(tokens) - 1, first, -1) if tokens[i].group(0) == ","), None)
    if comma is None:
        return None
    # an opening phrase before the subject: "Exhausted after a 16-hour shift, Jelena fumbles X and picks ..."
    found = _clause_subject(tokens[comma + 1 :], roster, allow_we)
    return None if found is None else comma + 1 + found


def _appositive_subject(tokens: list[re.Match[str]], roster: Roster) -> int | None:
    """ "Sven, visibly exhausted, ran ...": a person, then up to four words between commas, then the predicate;
    or "Sven, ..." right before a predicate that judges him."""
    end = len(tokens) - 1  # the comma before the predicate
    if end >= 1 and tokens[end - 1].group(0)[0].isalpha():
        found = _person_at(tokens, end - 1, roster, allow_we=False)
        if found is not None:
            return found
    for k in range(end - 1, max(-1, end - 10), -1):
        if tokens[k].group(0) == ",":
            inserted = tokens[k + 1 : end]
            if k >= 1 and inserted and all(t.group(0)[0].isalpha() for t in inserted):
                openers = [t.group(0).lower() in _CLAUSE_OPENERS for t in inserted]
                adverbial = inserted[0].group(0).lower() in _ADVERBIAL_OPENERS
                if not any(openers[1:]) and (adverbial or not openers[0]):
                    return _person_at(tokens, k - 1, roster, allow_we=False)
            return None
    return None


def _participle_insert_owner(tokens: list[re.Match[str]], roster: Roster, allow_we: bool) -> int | None:
    """ "Ana's hotfix, pushed at 23:50 without a ticket, is what broke ...": a participle phrase between commas
    describes the artifact before it, whose owner is the subject."""
    end = len(tokens) - 1
    for k in range(end - 1, max(0, end - 12), -1):
        if tokens[k].group(0) == ",":
            first = tokens[k + 1].group(0).lower() if k + 1 < end else ""
            participle = first.endswith("ed") or first in _IRREGULAR_FINITE
            return _artifact_owner(tokens[:k], roster, allow_we) if participle and k > 1 else None
    return None


# An inserted phrase may open with one of these: "An S3 team member, while debugging X, removed ..."
_ADVERBIAL_OPENERS = frozenset("while when after before during despite".split())


def _is_finite_verb(word: str) -> bool:
    lowered = word.lower()
    return lowered in _IRREGULAR_FINITE or (len(lowered) > 4 and lowered.endswith("ed"))


def _relative_subject(tokens: list[re.Match[str]], index: int, roster: Roster) -> int | None:
    """Start of a relative-clause subject that ends just before the predicate, or None.

    "whoever pushed #2291 without testing it really messed up" and "the person who merged it dropped the
    ball" put a person before a one-verb relative clause. The look-back stops at anything that opens another
    clause ("... said the deploy broke"), so a system subject of the predicate is never skipped over.
    """
    verbs = 0
    for k in range(index, -1, -1):
        word = tokens[k].group(0)
        lowered = word.lower()
        if lowered in _FREE_RELATIVES:
            return k if k < index else None
        if lowered == "that" and k < index and tokens[k + 1].group(0).lower() in _CLAUSE_SUBJECTS:
            return None  # "told Dave that the deploy broke": a complement clause with its own subject
        if lowered in _RELATIVE_PRONOUNS and k < index:
            owner = k - 1 if k > 0 and tokens[k - 1].group(0) != "," else k - 2
            if owner >= 0 and tokens[owner].group(0)[0].isalpha():
                return _person_at(tokens, owner, roster, allow_we=False)
            return None
        if lowered in _CLAUSE_OPENERS:
            return None
        if _is_finite_verb(word):
            verbs += 1
            if verbs > 1:
                return None
    return None


# "the maintainer's npm account being compromised": the owner of what an attacker took is a victim, not a cause.
_VICTIM_TAIL = regex_cache.compile(
    r"\A[ \t]+(?:[\w-]+[ \t]+){1,3}(?:being|was|were|got|had been|has been|been|is)[ \t]+(?:\w+[ \t]+)?"
    r"(?:compromised|hacked|stolen|phished|breached|hijacked|taken over|leaked|exposed|spoofed|impersonated)\b",
    re.I,
)


def _victim_possessive(after_owner: str) -> bool:
    """Whether the words after a possessive say that what the person owns was attacked."""
    return _VICTIM_TAIL.search(after_owner) is not None


def subject_after(masked: str, end: int, roster: Roster) -> int | None:
    """Offset where a person named right after the predicate at `end` ends, or None."""
    window = masked[end : end + 100]
    cut = next((m.start() for m in _BOUNDARY.finditer(window)), len(window))
    tokens = _tokens(window[:cut])
    if not tokens:
        return None
    first = tokens[0].group(0)
    if first == "@" and len(tokens) > 1 and _mention(tokens, 1):
        return end + tokens[1].end()  # "pushed by @oluwaseun straight to prod": a chat mention names a person
    if first == "them" and not _block_mentions_people(masked, end, roster):
        return None  # "causing it to terminate them": servers, not people, when no person is named nearby
    if first in _OBJECT_PRONOUNS or first in _POSSESSIVE_PRONOUNS:
        return None if _victim_possessive(window[tokens[0].end() : cut]) else end + tokens[0].end()
    for index in range(min(len(tokens), 4)):
        word = tokens[index].group(0)
        if word == "." and index > 0 and tokens[index - 1].group(0) in _TITLES:
            continue  # the dot of "Mr."
        if not word[0].isalpha():
            return None
        start = _person_at(tokens, index, roster, allow_we=False)
        if start is None and index == 0 and roster.use_first_names and _base(word) in word_first_names():
            start = 0  # right after the predicate ("the outage is on Grace"): mid-sentence by construction
        following = tokens[index + 1].group(0).lower() if index + 1 < len(tokens) else ""
        if start is not None and following in _THINGS_A_ROLE_NAMES:
            return None  # "revoke the admin session": the role names the session's kind, not a person
        titled = start is not None and start <= 2 and _titled(tokens, start)  # "caused by Ms. Okonkwo entering ..."
        if start == 0 or titled or (index == 0 and _named_by_who(tokens, index)):
            if _is_possessive(word) and _victim_possessive(window[tokens[index].end() : cut]):
                return None
            return end + tokens[index].end()
        if index == 0 and word.lower() not in _DETERMINERS and word not in _TITLES:
            return None
    return None
