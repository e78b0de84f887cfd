"""Annual work plans, goals, measures, action steps and progress updates."""
