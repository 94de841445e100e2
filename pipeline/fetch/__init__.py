"""Fetching incident evidence from where it lives (the Slack Web API) into files the pipeline reads."""
