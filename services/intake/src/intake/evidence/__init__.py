"""Evidence: files a reporter attaches, recognised by content, sealed in memory and stored where intake can only add and remove."""
