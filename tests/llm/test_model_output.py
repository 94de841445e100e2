"""Model output is untrusted input (issue 18): secrets it emits are replaced and warned about, a sentence
naming a person outside a role statement is rewritten or removed, a repair may not bring in a new name,
an HTML reply says what came back, and the total deadline holds to within a second.
"""

from __future__ import annotations

import time

from llm_replies import GOOD_NARRATIVE, WRONG_NUMBER, claim, narrative_with, repair
from llm_server import Reply
from test_llm_engine import CHECKOUT, texts

from pipeline.drafting import draft_from_directory
from pipeline.drafting.model_output import (
    introduced_names,
    names_outside_role_statements,
)
from pipeline.errors import ModelUnavailableError
from pipeline.llm import ChatModel, LLMConfig
from pipeline.llm_rewrite import rewrite_with_model
from pipeline.render import render_markdown


def draft_with(model):
    draft, warnings = draft_from_directory(
        CHECKOUT, similar=False, engine="llm", engine_options={"config": model.config, "model": model}
    )
    return draft, warnings, render_markdown(draft)


def test_a_secret_the_model_emits_is_replaced_and_warned_about(server, make_model):
    token = "gh" + "p_" + "Zq8" * 12
    url_password = "p@ss" + "Q7mKx2" + "@x"
    leaky = claim(f"The deploy used {token} and postgresql://admin:{url_password}@db:5432/app.", "T1")
    server.script("narrative", Reply(narrative_with("executive_summary", 0, leaky)))
    draft, warnings, markdown = draft_with(make_model())
    assert token not in markdown and url_password not in markdown and "Q7mKx2" not in draft.model_dump_json()
    assert any("the model's reply contained 2 secret(s)" in warning for warning in warnings)


def test_a_sentence_naming_a_person_as_the_cause_is_never_kept(server, make_model):
    reply = narrative_with("went_wrong", 0, claim("Dave caused this outage.", "T1"))
    reply = {
        **reply,
        "went_well": [claim("Priya Raman was the only competent person in the channel.", "C3")]
        + GOOD_NARRATIVE["went_well"][1:],
    }
    server.script("narrative", Reply(reply))
    draft, warnings, _ = draft_with(make_model())
    kept = " ".join(texts(draft))
    assert "Dave" not in kept and "only competent" not in kept
    assert any("names a person outside a factual role statement" in warning for warning in warnings)


def test_a_repair_may_not_introduce_a_name(server, make_model):
    server.script("narrative", Reply(narrative_with("impact", 0, WRONG_NUMBER)))  # fails verification: a repair call
    server.script(
        "repair",
        Reply(repair("impact.0", claim("Dave saw about 23% of checkout requests failing at 12:16 UTC.", "C14"))),
    )
    draft, warnings, _ = draft_with(make_model())
    assert "Dave" not in " ".join(texts(draft))
    assert any("a repair named a person the original sentence did not" in warning for warning in warnings)


def test_names_in_role_statements_are_fine_and_new_names_are_found():
    assert names_outside_role_statements("Priya (IC) declared SEV-1.", ["Priya Raman"]) == set()
    assert names_outside_role_statements("Dave caused this outage.", []) == {"Dave"}
    assert introduced_names("it was his fault", "Dave caused this outage.", []) == {"Dave"}


def test_a_rewrite_that_names_someone_new_is_not_used(server, make_model):
    server.script("rewrite", Reply({"rewrites": [{"key": "L1", "text": "Dave pushed the config."}]}))
    fixed, warnings = rewrite_with_model("He forgot to check the config.\n", make_model(), people=[])
    assert "Dave" not in fixed and any("named someone new" in warning for warning in warnings)


def test_an_html_reply_says_the_endpoint_returned_html(server, make_model):
    page = "<!doctype html><html><body>Welcome</body></html>"
    server.script("narrative", Reply(raw_body=page, headers={"Content-Type": "text/html"}))
    model = make_model(max_attempts=1)
    _, warnings, _ = draft_with(model)
    assert any("the endpoint returned HTML, not JSON: is --base-url the API root" in w for w in warnings)
    assert not any("AttributeError" in w for w in warnings)


def test_the_total_deadline_holds_to_within_a_second(server):
    """The model's attempts (from the first clock reading of the retry policy to the last) end within the deadline;
    the offline work around them (loading the bundle and the classifier, the fallback draft) is not the model's
    time, and on a cold process it alone took seconds."""
    server.script("narrative", *[Reply(GOOD_NARRATIVE, delay=10.0)] * 4)
    readings: list[float] = []

    def clock() -> float:
        readings.append(time.monotonic())
        return readings[-1]

    model = ChatModel(
        LLMConfig(model="test-model", base_url=server.base_url, timeout=5.0, deadline=7.0, max_attempts=4),
        sleep=lambda seconds: time.sleep(min(seconds, 0.5)),
        clock=clock,
    )
    readings.clear()  # the reading at construction starts no attempt
    try:
        draft_with(model)
    except ModelUnavailableError:
        pass
    assert server.attempts("narrative") >= 2  # it retried, and gave up
    assert max(readings) - min(readings) < 7.0 + 1.0
