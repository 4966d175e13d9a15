"""Reports for the people who run the course: certificates (eligibility, signing, PDF) and statistics."""
