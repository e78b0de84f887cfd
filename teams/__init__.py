"""Teams (the ILT and others), meetings, decisions and action items."""
