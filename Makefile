# The two commands of the README: `make up` runs the whole system, `make test` runs every test.
.PHONY: up test

up:
	deploy/bootstrap.sh
	.venv/bin/python -m devstack up

test:
	deploy/bootstrap.sh test
	.venv/bin/python -m pytest
