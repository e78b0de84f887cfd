"""Family engagement: events, RSVPs, reminders, check-in and feedback."""
