"""The year around the goals: start a repository, add goals, open and close periods,
change the year. Every command that changes a goal file goes through :mod:`.edit`."""
