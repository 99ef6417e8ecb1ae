"""notify: turns case events into content-free e-mails."""
