"""Districts, schools, school years, people, roles, permissions, invitations and the audit trail."""
