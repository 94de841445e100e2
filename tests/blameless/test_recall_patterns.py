"""Blame phrasings the rules learned in the recall pass (issue 12), each with a look-alike that must stay clean.

The sentences are made up for these tests (people, systems and numbers invented); each positive names the rule
expected to flag it, and every negative must be flagged by no rule.
"""

from __future__ import annotations

import pytest

from pipeline.blameless import lint_text

POSITIVES = [
    # counterfactuals
    ("BL002", "Why 3: because the reviewer should never have approved the index change."),
    ("BL002", "09:14 Nadia might have caught the port typo right here, merged it anyway"),
    ("BL002", "Bogdan could have check the disk before he restart the node."),
    ("BL002", "No offence, but had you read the changelog you would have seen the flag rename."),
    ("BL002", "Imagine a world where Sam checked the region before running the purge."),
    ("BL002", "Frankly the missing index should have been spotted in code review."),
    ("BL008", "The DBAs wrongly assumed the replica was in sync before the cutover."),
    ("BL008", "We mistakenly concluded that the cache was cold and restarted it."),
    # who/which questions, reported or without a question mark
    ("BL006", "10:05 the IC asks who rebooted the gateway without a heads-up"),
    ("BL006", "Finance wants to know which engineer deployed build 88 on Friday night."),
    ("BL006", "lol which one of you muppets changed the retry limit to 0"),
    ("BL006", "So who was the genius that set the pool size to 2? Asking for a friend."),
    ("BL006", "Ana asked the channel who was on the hook for the expired certificate."),
    # a role with what it works for before the step: the person is still its subject
    (
        "BL001",
        "A technician working for our cabling vendor unplugged the wrong uplink in rack 7, taking 12 hosts offline.",
    ),
    ("BL001", "An engineer employed by the hosting partner deleted the backup volume, taking restores offline."),
    # a given name that is also a word, where only a person fits ("grace period" stays a word, below)
    ("BL009", "The outage is on Grace."),
    ("BL009", "The root cause was Mark's migration to the new pool."),
    # a person's artifact told as a cleft or landing with the harm
    ("BL001", "it was Oskar's migration that broke the invoices table"),
    ("BL001", "11:05 Ilse's hotfix to auth-gw goes out, knocking the mobile clients offline"),
    # responsibility for the harm placed with someone
    ("BL009", "Responsibility for the 2-hour outage of search-api rests with Dana."),
    ("BL009", "The 40-minute login outage sits squarely with the identity team."),
    # sanctions and vigilance
    ("BL010", "Going forward, engineers will be held personally accountable for every failed deploy."),
    ("BL010", "Customers can rest assured that the operator involved has been retrained."),
    ("BL010", "Leadership decided that Omar will attend formal retraining on database access."),
    ("BL010", "The manager said this will come up in his performance review."),
    ("BL010", "Follow-up: Tom is removed from the prod deploy group until further notice."),
    ("BL010", "16:20 Decision: Kim's deploy rights suspended pending review"),
    ("BL010", "From now on, Emre must ask permission from his lead before each deploy."),
    ("BL010", "AI-4: Make sure the on-call engineer manually verifies the snapshots every day."),
    ("BL010", "Please make sure you double-check the migrations next time."),
    # the "human error" label in other words
    ("BL003", "Due to an error by one of our employees, 300 invoices were emailed twice."),
    ("BL003", "Why 5: an engineer slipped up while hand-editing the routing table."),
    ("BL003", "It was a classic problem between keyboard and chair."),
    ("BL003", "Turns out the outage was Ana misclicking the wrong button in the console."),
    # harm done through someone's artifact, found past a phrase about what it touched or an inserted participle
    ("BL001", "Reverting: Ana's migration dropped the NOT NULL on users.id and the API blew up."),
    ("BL001", "The DBA's change to max_conns on pg-main-1 is what took replication down for 20 minutes."),
    ("BL001", "The lesson is that Omar's hotfix, pushed at 23:50 without review, is what corrupted the ledger."),
    ("BL001", "We learned that Ana's manual failover of redis-2 at 16:15 was the trigger for the split brain."),
    ("BL001", "AI-9: Lena to explain why her deploy of notif-svc 3.4.1 broke push delivery."),
    ("BL001", "Shocking nobody, the broken healthcheck came from Arjun's 'quick fix'."),
    ("BL001", "The regression came from Nadia's refactor of the parser."),
    # people acting without telling anyone, locking others out, waving work through, done alone and unchecked
    ("BL001", "03:10 contractor rotated the billing API key w/o updating the 3 consumers"),
    ("BL001", "11:05 Security team rotated the signing cert without notice, breaking every webhook"),
    ("BL001", "our network guy locked everyone out of jump-host-3 lol"),
    ("BL001", "09:30 QA team waves build 7.2 through again without running the smoke suite"),
    ("BL001", "Someone said the incident commander froze, so status updates lagged by an hour."),
    ("BL001", "The migration was run manually by a single engineer with no peer review."),
    ("BL001", "The outage began when the DBA ran an unindexed UPDATE against pg-7 during peak hours."),
    ("BL001", "It started when a new developer committed an AWS key to a public repo."),
    ("BL001", "A technician at our colo provider pulled the wrong power cable."),
    # sarcasm
    ("BL009", "thanks, search team, for the surprise 2 TB reindex at noon"),
    ("BL009", "Huge shoutout to Kim for single-handedly taking down billing for 3 hours."),
    ("BL009", "Shoutout to the on-call for sleeping through 9 pages, very relaxing."),
    ("BL009", "Marta's legendary attention to detail strikes again: 4 cron jobs set to UTC+14."),
    ("BL007", "honestly whoever wrote this cache layer had no idea what TTLs are for"),
    ("BL003", "It was a mistake in configuring the node pool."),
    # sarcasm, neglect and omissions told about a person or team
    ("BL001", "This is what happens when the web team ignores the deprecation notice."),
    ("BL001", "The renewal was her job and she let it lapse."),
    ("BL001", "Raise with the storage team's lead that they let the journal fill disk-3 again."),
    ("BL001", "The consultant who built the VPN left no documentation, so failover took 4 hours."),
    ("BL010", "from now on whoever breaks main loses merge rights for a week"),
    ("BL006", "The execs asked one question: who is accountable for the 9-hour loss of search?"),
    # verdicts on the quality of someone's work or timing
    ("BL008", "The trigger was a poorly written regex in the new WAF rule."),
    ("BL008", "A 900-line change was inadequately reviewed and shipped on Friday."),
    ("BL008", "The vendor had not adequately studied its failover path."),
    ("BL008", "Retro: sales pushed the date and eng cut corners on input validation."),
    ("BL008", "The review blamed the web team's habit of skipping load tests before launches."),
    ("BL008", "Takeaway: the support desk escalated to engineering 3 hours too late."),
    ("BL002", "The outage ran long because the new failover procedure for the queue was not followed."),
    ("BL009", "The engineer that triggered the incident joined the bridge at 10:04."),
    # more sarcasm and slang
    ("BL009", "Nice work, infra, another weekend outage."),
    ("BL009", "Great job, on-call, letting the mail queue fill overnight."),
    ("BL009", "Our DBA decided, in his infinite wisdom, to drop the index during peak hours."),
    ("BL001", "Somebody yolo'd a schema change straight to the main cluster."),
    ("BL001", "The operator made a critical error when entering the command."),
    ("BL007", "The junior dev clearly had no idea what he was doing."),
    ("BL008", "The change was rushed out by the mobile team without testing."),
    # non-native English and report prose
    ("BL001", "Team of backend is not test the change enough before release."),
    ("BL001", "The admin of the database was forget to enable the backups after the move."),
    ("BL001", "The on-call didn't saw the alert for one hour."),
    ("BL006", "Why the DBA not make backup before migration?"),
    ("BL009", "Network team is responsible of this problem because they change the firewall."),
    ("BL001", "Investigators found that the operator had disabled the safety interlock to save time."),
    ("BL001", "A developer pushed a configuration change that had not been reviewed, causing an outage."),
    ("BL007", "Contributing factor: the engineer's lack of familiarity with the tooling."),
    ("BL001", "The responder misdiagnosed the issue as a network problem and lost an hour."),
    ("BL001", "the intern rm -rf'd the data dir lmao"),
    ("BL001", "not gonna lie, the infra team really fumbled this one"),
    # timeline rows, action items and corporate summaries
    ("BL001", "14:10 on-call still not responding to pages"),
    ("BL001", "14:22 Marco manually deletes the wrong replica set"),
    ("BL006", "14:30 IC asks why nobody checked the backup job"),
    ("BL010", "AI-1: Ensure engineers read the runbook before touching prod."),
    ("BL010", "AI-2: Priya to be removed from the deploy rota until retrained."),
    ("BL010", "We have taken action with the individuals involved."),
    ("BL010", "Lesson learned: engineers need to think before they type."),
    ("BL010", "Lesson learned: never let Dave near the load balancer again."),
    ("BL009", "The disruption came from a misconfiguration introduced by a member of our operations team."),
    # team blame, character verdicts, minimizers and sarcastic questions
    ("BL009", "The frontend folks never test on Safari."),
    ("BL001", "Backend broke the API contract without telling anyone."),
    ("BL005", "It's not rocket science to check the replica lag first."),
    ("BL005", "Anyone could have seen this coming."),
    ("BL007", "The deploy failed because Priya is hopeless with Helm."),
    ("BL007", "Dave is a liability on the on-call rotation."),
    ("BL007", "Sven has a track record of breaking prod on Fridays."),
    ("BL007", "The data team's sloppiness cost us the weekend."),
    ("BL009", "Thanks for nothing, platform team."),
    ("BL006", "What was the on-call even doing for 40 minutes?"),
    # a person's step inside a longer match whose own subject is a system: the scan must not let the match from
    # "stopped" (ledger-sync) hide the one from "rotated" (Tomasz)
    ("BL001", "ledger-sync stopped because Tomasz rotated the DB password without updating the vault path."),
    # a step done all at once, or past the canary; the dots of a version number do not end the sentence
    ("BL001", "06:45 The deployer pushed 9.1.0 to all 40 nodes at once, skipping canary"),
    ("BL001", "Why did the cache go cold? Because Dave flushed all 8 Memcached nodes at once."),
    # a person as the trigger of the outage itself
    ("BL001", "The on-call then triggered the full API outage."),
    # team blame: "folks" and "squad" are groups of people; a change kept from everyone; a judgement of the work
    ("BL001", "Again the billing folks merged a breaking change to the shared schema without bumping the version."),
    ("BL001", "Infra upgraded Kubernetes to 1.31 on a Friday and told nobody."),
    ("BL001", "The storage team did not do their job, the disk alert was off for 2 weeks."),
    ("BL010", "Whoever wrote the original retry loop needs a serious talking-to."),
    # sarcasm with a marker no sincere sentence uses
    ("BL009", "Shipping a 9 MB favicon to every user. Real visionaries, the web squad."),
    ("BL009", "Sure, running the dry run first would have cost Ines two whole minutes, way too much to ask."),
    ("BL009", "Another masterclass from the DNS vendor, who closed our ticket after 3 days."),
    ("BL009", "Truly inspired decision by the on-call to double the heap to 64 GB and log off."),
    # mock thanks for something exposed
    ("BL009", "4. Rotate the contrib_svc password Dev so generously shared with the channel (Dev)"),
    ("BL009", "The staging token, kindly pasted into #general for us all, is revoked."),
    ("BL009", "Can't wait for the data team's next quick schema tweak."),
    # a role aside between the person and the step; a release shipped past the canary; a change "made by" someone
    ("BL001", "11:05 Farid (dev) broke the auth service by pushing an invalid TOML file"),
    ("BL001", "our release manager shipped 4.8 straight to 100% again"),
    ("BL001", "The 502s between 09:10 and 09:40 were caused by a routing change made by Ilse to the edge config."),
    # an optional space in a rule ("guard ?rails") matches with or without it
    ("BL001", "Dave disabled the guardrails on the deploy pipeline."),
    # a count before a role noun, and "himself", "once again" between the person and the step
    ("BL001", "Two engineers forgot to renew the wildcard certificate."),
    ("BL001", "Rui himself forgot to renew the wildcard certificate."),
    ("BL001", "Rui once again forgot to renew the wildcard certificate."),
]

NEGATIVES = [
    "We extended the grace period for the old tokens to 30 days.",
    "Will the rollback finish before 14:00?",
    "The Rose dashboard showed the 502s first.",
    "It was the 14:02 hotfix that took down search; it was rolled back at 14:20.",
    # sincere thanks for something shared is no mock thanks
    "Thanks to Ana, who kindly shared her notes on the migration with the team.",
    # a role noun that says which kind of thing is revoked, not whose access
    "Rotate the gateway key and revoke the admin session token pasted in the channel.",
    "Revoke the operator console credentials that were shared on the bridge.",
    "The latency spike should have been caught by the anomaly detector, which was muted.",
    "Traffic from our cabling vendor dropped the wrong routes, taking 12 hosts offline.",
    "The importer incorrectly assumed UTF-8 input and dropped 12 rows.",
    "The cache might have evicted the session key before the retry.",
    "Ana asked who joined the bridge after 02:00.",
    "The IC asked who was on call for the storage tier.",
    "Which team owns the billing exporter?",
    "Responsibility for the fix lies with the platform team.",
    "Responsibility for the follow-up actions sits with Dana (owner).",
    "The node was removed from the production pool at 10:02.",
    "The node was removed from rotation after the health check failed.",
    "We will retrain the classifier on the new labels.",
    "The model has been retrained on the corrected data.",
    "Deploys to payments-api need a second approval from the owning team.",
    "The service account's deploy access was rotated as planned.",
    "Imagine if the queue had been partitioned: the backlog would have cleared in minutes.",
    "The alert would have fired earlier with a 5-minute window.",
    "We added a typed confirmation to reduce the chance of human slips.",
    "After Priya's change to the pool the cache broke.",
    "The alerts came from Nadia's dashboard.",
    "The 502s came from the vendor's API.",
    "Dave's fix dropped the error rate to 0.",
    "The migration dropped the old index as planned.",
    "Ana's rollback of build 3.4.1 brought the error rate back down.",
    "The rotation job rotated the signing key without notice to the consumers.",
    "The VM froze for 3 seconds during the snapshot.",
    "We ran the load test during peak hours on purpose.",
    "The key rotation was committed to the config repo.",
    "Thanks to Sven for taking down the old cluster on schedule.",
    "The job hit an error while applying the migration.",
    "nobody fat-fingered anything, the template merged the anchors oddly",
    "This was not caused by any customer or staff mistake: the disk filled up.",
    "The message was mistakenly flagged as spam by the filter.",
    "Q: Why did you not offer refunds earlier?",
    "This is what happens when the disk fills up: writes stall.",
    "We let the cache warm for 10 minutes before shifting traffic.",
    "The fallback path was not fully tested.",
    "The client retried too slowly after the 429s.",
    "The redirect was not followed by the client.",
    "The error budget policy was followed: the freeze started at 09:00.",
    "Add the smoke tests and make sure they are part of the release gate.",
    "Nice work, team: another quiet on-call week with zero pages.",
    "Great job letting the customers know early.",
    "The deploy made an error rate spike visible within a minute.",
    "The fix was rushed out in 20 minutes, which the new pipeline made possible.",
    "In its wisdom the scheduler placed both replicas in one zone.",
    "This is what happens when a leader election times out: writes pause.",
    "The retry storm came from the mobile client's backoff bug.",
    "Q: Why did you not test this kind of load before now?",
    "Why the cache not evicted the keys?",
    "Platform team upgraded the ingress controller at 10:00.",
    "The team of three engineers rolled back at 10:05.",
    "The service's lack of backpressure caused the pile-up.",
    "The runner had disabled the safety check per the config.",
    "The job didn't took the lock.",
    "The dashboard was built by a member of our data team.",
    "We apologize to customers and have taken action to add capacity.",
    "Never let the cache grow without a bound.",
    "The node stays out of the pool until it is re-imaged.",
    "Ensure that the team is aware of how to query the control-plane logs.",
    "We will ensure you are not impacted by the password sync.",
    "Ensure the job checks the lock before writing.",
    "The cache is a liability under memory pressure.",
    "The service has a history of breaking under heavy load.",
    "What was the job doing for 40 minutes? The trace shows a lock wait.",
    "Backend latency rose to 900 ms at 10:02.",
    "Engineering rolled back the release at 10:15 after the alarms.",
    "The fix is not rocket science: a retry with jitter.",
    "I don't think anyone could have spotted this from the dashboards we had.",
    "Thanks for the quick review, platform team.",
    "ledger-sync stopped because the rotation job rotated the DB password without updating the vault path.",
    "06:45 The deploy tool pushed 9.1.0 to all 40 nodes at once, skipping canary",
    "Dave triggered the PagerDuty incident for api-gw at 10:02 and paged the DBA.",
    "The report finds no sign that an intern or any single person triggered the outage.",
    "The alert told no one because the route was empty.",
    "The platform squad owns the alerting config for the billing folks.",
    "The talk on the 2023 outage was a masterclass in incident command.",
    "Our responders were true heroes during the 6-hour recovery.",
    "Can't wait for the new canary stage to land next sprint.",
    "11:05 Farid (IC) rolled back release r-77; errors back under 0.5% by 11:12.",
    "The 502s between 09:10 and 09:40 were caused by a routing change made by the deploy bot.",
    "Two replicas forgot their leases after the network partition.",
    "The resources were deleted by the cloud vendor before the grace period ran out.",
]


@pytest.mark.parametrize(("rule_id", "sentence"), POSITIVES)
def test_blame_phrasing_is_flagged(rule_id: str, sentence: str) -> None:
    assert rule_id in {f.rule_id for f in lint_text(sentence)}, lint_text(sentence)


@pytest.mark.parametrize("sentence", NEGATIVES)
def test_look_alike_is_clean(sentence: str) -> None:
    assert lint_text(sentence) == []
