"""The public reporting site: server-rendered pages in several languages, JavaScript optional."""
