"""The business of reportgen in plain Python: reports, jobs, who may run what.

Nothing here imports a framework, a database driver or a serializer.
"""
