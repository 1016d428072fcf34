"""What every server-rendered page shares: the template environment, sessions, CSRF, form
bodies, and the HTML error pages."""
