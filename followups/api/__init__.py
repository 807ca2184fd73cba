"""The follow-ups API: plans and levels, runs, proposals, exclusions, history, outbox."""
