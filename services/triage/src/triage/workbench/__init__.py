"""The server-rendered workbench for caseworkers, leads and admins."""
