"""`postmortem export actions`: a draft's action items as issues in GitHub or Jira, created once, then updated.

Each issue carries a marker tying it to the draft and the action (`postmortem-action: <draft id>/<key>`)
and a digest of what was written. A re-run finds the marker, leaves an issue whose digest matches alone
and updates one whose action item changed, so exporting twice never makes duplicates.
"""
