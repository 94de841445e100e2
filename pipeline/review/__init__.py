"""The reviewer's page: a draft beside its evidence, blameless findings inline, rewrites accepted with a click.

analysis.py   the draft read once: findings with their rewrites, citations, evidence, to-dos, score
html.py       markdown -> HTML with findings and citations marked in place (everything escaped)
page.py       the jinja2 page (served, or static for `draft/check/score --format html`)
decisions.py  accept / reject / undo as edits of the draft, recorded in review.jsonl; acceptance rates
server.py     the loopback server behind `postmortem review` (token on every request)
"""
