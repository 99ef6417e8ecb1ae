"""The event catalogue: the services' AsyncAPI documents, for staff and integrators."""
