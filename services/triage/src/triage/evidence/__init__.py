"""Evidence: the files a reporter attached, kept sealed, and the safe copies staff see instead (issue 16, the office's side)."""
