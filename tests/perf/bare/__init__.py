"""The benchmark's anchor: a bare Django site served beside Accord in the same `make bench` run.

One page, a 50-row table rendered by Django's template engine from rows held in memory: no
database, no session, no authentication, no CSP or language middleware. Served by the same
gunicorn command as Accord (sync workers, same count), it is what the framework itself does on
this machine at this moment; each Accord scenario is reported as a share of it, so that noise
from a shared machine cancels out of the ratio.
"""
