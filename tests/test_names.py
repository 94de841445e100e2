"""Who a handle means (pipeline/names.py): the shapes teams use, and no guess when two people fit."""

from __future__ import annotations

from pipeline.names import People


def test_a_pet_name_that_changes_the_first_names_ending_resolves_when_one_person_fits():
    people = People.of(["Julia Ng", "Michael Tjandra", "Ondřej Kratochvíl", "Ifeoma Okafor"])
    assert people.resolve("jules") == "Julia Ng"
    assert people.resolve("mick") == "Michael Tjandra"
    assert people.resolve("ondrak") == "Ondřej Kratochvíl"
    assert people.resolve("mike") is None  # two letters in common are not enough
    assert people.resolve("ify") is None


def test_a_pet_name_made_of_the_end_of_the_first_name_resolves():
    people = People.of(["Vanessa Kruger", "Christina Abara", "Andrew Pike", "Michael Tran"])
    assert people.resolve("ness") == "Vanessa Kruger"
    assert people.resolve("tina") == "Christina Abara"
    assert people.resolve("drew") == "Andrew Pike"
    assert people.resolve("ael") is None  # three letters are too few


def test_a_common_spanish_diminutive_resolves_through_the_nickname_list():
    from pipeline.facts import signals

    people = People.of(["Francisco Vidal", "Ignacio Fuentes"], signals()["nicknames"])
    assert people.resolve("Pancho") == "Francisco Vidal"
    assert people.resolve("nacho") == "Ignacio Fuentes"


def test_a_pet_name_two_people_fit_stays_unresolved():
    people = People.of(["Julia Ng", "Juliana Reyes"])
    assert people.resolve("jules") is None


def test_a_chat_word_is_never_a_handle_even_when_it_spells_someones_initials():
    """ "mirek: ops ok" gave Ondřej Kratochvíl the OL role: "ok" matched his initials."""
    people = People.of(["Ondřej Kratochvíl", "Nina Patel", "Yara Tan"])
    assert people.resolve("ok") is None
    assert people.resolve("np") is None
    assert people.resolve("ty") is None
    assert people.resolve("onk") is None  # neither a chat word nor a shape of any name
    assert people.resolve("okratochvil") == "Ondřej Kratochvíl"


def test_a_short_first_name_with_a_later_part_of_the_name_resolves():
    """Spanish names carry two surnames and often two given names: "Caro Vélez" is Carolina Vélez Arango, "Mafe
    Rojas" is María Fernanda Rojas; the first letters must agree."""
    people = People.of(["Carolina Vélez Arango", "María Fernanda Rojas", "Diego Restrepo"])
    assert people.resolve("Caro Vélez") == "Carolina Vélez Arango"
    assert people.resolve("Mafe Rojas") == "María Fernanda Rojas"
    assert people.resolve("Dora Rojas") is None
    assert People.of(["María Fernanda Rojas", "Mafe Rojas"]).full_names == ["María Fernanda Rojas"]


def test_initials_then_letters_of_the_surname_in_order_resolve():
    people = People.of(["Jonah Baxter", "Kaya Pitka"])
    assert people.resolve("jbx") == "Jonah Baxter"
    assert people.resolve("jbaxtr") == "Jonah Baxter"
    assert people.resolve("jxb") is None


def test_a_nickname_cut_from_the_surname_resolves_when_written_as_a_name_and_nothing_fits_better():
    """ "Kip" is Dennis Kiprotich on a call; "sos" (Spanish "you are") is not Carolina Sosa, and "Sam" stays
    Sam Okafor although it starts Priya Samuels' surname."""
    people = People.of(["Dennis Kiprotich", "Carolina Sosa", "Sam Okafor", "Priya Samuels"])
    assert people.resolve("Kip") == "Dennis Kiprotich"
    assert people.resolve("sos") is None
    assert people.resolve("Sos") == "Carolina Sosa"
    assert people.resolve("Sam") == "Sam Okafor"
    assert people.resolve("Ki") is None  # too short to be a name


def test_letters_of_the_first_name_then_the_surname_resolve():
    """ "sw.jung" for Sangwoo Jung and "dm.lee" for Dongmin Lee: the given name's syllable initials, then the surname."""
    people = People.of(["Sangwoo Jung", "Dongmin Lee", "Minseok Oh"])
    assert people.resolve("sw.jung") == "Sangwoo Jung"
    assert people.resolve("dm.lee") == "Dongmin Lee"
    assert people.resolve("ws.jung") is None  # the letters out of the first name's order
    assert people.resolve("mx.lee") is None


def test_a_directory_display_name_is_the_person_and_a_transcript_placeholder_is_nobody():
    """Teams shows "Ashworth, Tom (IVUH)" and "Marcus Dyer (Guest)"; a transcript writes "Unknown speaker" or
    "Speaker 7" for a voice it could not name: the first two are people of the incident, the last two nobody."""
    people = People.of(["Tom Ashworth", "Marcus Dyer", "Ashworth, Tom (IVUH)", "Unknown speaker", "Speaker 7"])
    assert people.full_names == ["Tom Ashworth", "Marcus Dyer"]
    assert people.resolve("Ashworth, Tom (IVUH)") == "Tom Ashworth"
    assert people.resolve("Marcus Dyer (Guest)") == "Marcus Dyer"
    assert people.resolve("Unknown speaker") is None
    assert people.resolve("Speaker 7") is None
